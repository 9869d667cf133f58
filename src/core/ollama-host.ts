/**
 * OLLAMA_HOST's forms, read without the config schema: `--ollama-host` parses its value with this when the
 * command line is read, which must not load zod (aoi --help answers without it).
 */
import { AoiError } from './errors.js';

/** Accept what OLLAMA_HOST accepts for ollama itself: `host`, `host:port`, `:port`, or a URL. */
export function normalizeOllamaHost(value: string): string {
  const trimmed = value.trim().replace(/\/+$/, '');
  if (/^https?:\/\//i.test(trimmed)) return trimmed;
  const match = /^([^:/]*)(?::(\d+))?$/.exec(trimmed);
  if (!match) throw new AoiError('config', `OLLAMA_HOST: cannot read "${value}" as host[:port] or a URL`);
  const host = match[1] || '127.0.0.1';
  const port = match[2] ?? '11434';
  return `http://${host}:${port}`;
}
