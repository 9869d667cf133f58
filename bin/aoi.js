#!/usr/bin/env node
// Runs the compiled CLI when it exists (the packed package always has it, so tsx is never loaded there),
// else the TypeScript sources through tsx: a development checkout that has not run `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'src', 'cli', 'main.js');
if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write(
      `aoi: error: ${root} has neither a build (dist/) nor tsx to run its sources\n` +
        '  In a checkout: npm ci && npm run build (or npm pack, which builds).\n',
    );
    process.exit(2);
  }
  register();
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
