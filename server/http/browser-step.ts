// Renders a use case's next browser step (access/browser-step.ts): a self-submitting form page
// (views/auto-post.ts) whose target the page's CSP allows, or a redirect.
import type { Response } from 'express';
import type { BrowserStep } from '../../access/browser-step.ts';
import { autoPostPage } from '../../views/auto-post.ts';
import { allowFormTarget, nonceOf } from './page-security.ts';

export function renderStep(res: Response, step: BrowserStep): void {
  if (step.kind === 'redirect') {
    res.redirect(step.status ?? 303, step.url);
    return;
  }
  allowFormTarget(res, step.action);
  res.type('html').send(autoPostPage({ nonce: nonceOf(res), action: step.action, fields: step.fields, title: step.title }));
}
