// A copy of the product as a fresh clone has it (sources, scripts, package.json, no dist/), under
// .test-tmp/ inside the repository so that Node and the build find node_modules by walking up.
// Tests run `npm start` / `npm run build` in it without touching the repository's own dist/.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(import.meta.dirname, '../..');
/** What a clone holds that the product does not need, and what a clone never holds. */
const LEFT_OUT = new Set(['.git', '.test-tmp', 'node_modules', 'dist', 'data', 'certs', 'test', 'bench']);

export interface Checkout {
  dir: string;
  remove(): void;
}

export function freshCheckout(): Checkout {
  const parent = path.join(REPO, '.test-tmp');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, 'checkout-'));
  for (const name of readdirSync(REPO)) {
    if (!LEFT_OUT.has(name)) cpSync(path.join(REPO, name), path.join(dir, name), { recursive: true });
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
