// Pictures of pages for a person to look at, taken only when GATEHOUSE_TEST_SCREENSHOTS is set
// (docs/development.md, "Looking at the pages"). No assertion reads them, and encoding a PNG of
// every page at two viewports was a tenth of the browser tests' time, so a plain test run skips it.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

export const SCREENSHOTS_WANTED = Boolean(process.env.GATEHOUSE_TEST_SCREENSHOTS);

/** Saves a PNG of the page at `file` when screenshots are wanted; otherwise does nothing. */
export async function keepScreenshot(page: Page, file: string, options: { fullPage?: boolean } = {}): Promise<void> {
  if (!SCREENSHOTS_WANTED) return;
  mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, ...options });
}
