import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { AoiError } from './errors.js';
import { formatIssues } from './zod-issues.js';

/** Parse YAML text and validate it; every failure is an AoiError('config') that names the file. */
export function parseYamlDocument<T>(text: string, schema: z.ZodType<T>, file: string): T {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const [first] = doc.errors;
  if (first) {
    const pos = first.linePos?.[0];
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    // prettyErrors repeats the position in words; keep only the reason and the source snippet.
    const message = first.message.replace(/ at line \d+, column \d+:/, '').trimEnd();
    const more = doc.errors.length > 1 ? ` (and ${doc.errors.length - 1} more)` : '';
    throw new AoiError('config', `${where}: ${message}${more}`, { cause: first });
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (error) {
    throw new AoiError('config', `${file}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const lines = formatIssues(parsed.error).map((line) => `  ${line}`);
    throw new AoiError('config', `${file}: invalid contents\n${lines.join('\n')}`, { cause: parsed.error });
  }
  return parsed.data;
}

export async function loadYamlFile<T>(path: string, schema: z.ZodType<T>): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AoiError('not-found', `${path}: no such file`, { cause: error });
    }
    throw new AoiError('io', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseYamlDocument(text, schema, path);
}
