// Writes docs/schema/*.json from the zod records (npm run schema); run through tsx, which loads the .ts sources.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stdout } from 'node:process';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { SCHEMA_DOCS, toPublishedJsonSchema } from '../src/cli/schema-docs.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const doc of SCHEMA_DOCS) {
  const path = join(root, doc.file);
  const text = JSON.stringify(toPublishedJsonSchema(doc.schema), null, 2);
  const options = (await resolveConfig(path)) ?? {};
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, await format(text, { ...options, filepath: path }));
  stdout.write(`wrote ${doc.file}\n`);
}
