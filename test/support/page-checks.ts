// What every portal page must pass in chromium, at a phone's and a laptop's viewport: no
// sideways scroll (WCAG 2.2 1.4.10 Reflow) and no serious or critical axe-core violation. With
// GATEHOUSE_TEST_SCREENSHOTS set, a screenshot of each is kept under test-artifacts/portal/ (not
// committed) to look at.
import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { describeViolations, seriousViolations } from './axe.ts';
import { keepScreenshot } from './screenshots.ts';

export const ARTIFACTS = path.resolve('test-artifacts/portal');
export const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 1280, height: 800 },
] as const;

export async function checkPage(page: Page, name: string, viewport: { width: number }): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await keepScreenshot(page, path.join(ARTIFACTS, `${name}-${viewport.width}.png`), { fullPage: true });
  expect(overflow, `${name} at ${viewport.width}px scrolls sideways by ${overflow}px`).to.be.at.most(0);
  const violations = await seriousViolations(page);
  expect(describeViolations(violations), `${name} at ${viewport.width}px`).to.equal('');
}
