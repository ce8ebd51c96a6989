// axe-core in a real page: injected through the browser's debugging protocol (which a page's CSP
// does not govern, so the page keeps its own CSP), then run over the whole document.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Browser contexts whose new documents get axe-core before their own scripts run. */
const preloading = new WeakSet<BrowserContext>();

/** The violations of impact serious or critical on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // The first check in a context injects axe-core and asks the context to add it to every document
  // it loads from then on: sending and compiling its half megabyte once per page checked was a
  // third of each check.
  const context = page.context();
  if (!preloading.has(context)) {
    preloading.add(context);
    await context.addInitScript(AXE_SOURCE);
  }
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** One line per violation and element, for an assertion message. */
export const describeViolations = (vs: AxeViolation[]) =>
  vs.flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id} (${v.help}) at ${JSON.stringify(n.target)}: ${n.failureSummary ?? ''}`)).join('\n');
