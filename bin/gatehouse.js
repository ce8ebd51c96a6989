#!/usr/bin/env node
// `npx gatehouse …` (package.json "bin"): the command line in cli/main.ts, run through tsx's
// loader until the project ships compiled JavaScript.
import 'tsx/esm';

await import('../cli/main.ts');
