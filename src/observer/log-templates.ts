/**
 * Turns raw log text into de-duplicated templates: variable parts (times, addresses, numbers, ids,
 * quoted values, durations) become placeholders so repeated lines collapse into one counted template,
 * with a redacted example. Errors sort first. Never throws, whatever the input.
 */
import { redactText } from './redact.js';

export interface LogTemplate {
  template: string;
  count: number;
  example: string;
  level: 'error' | 'warn' | 'info';
  firstAt?: string;
  lastAt?: string;
}

export interface TemplateOptions {
  maxTemplates?: number;
  maxLineLength?: number;
}

const MAX_TEXT_CHARS = 16 * 1024 * 1024;
const MAX_LINES = 100_000;
const LEVEL_RANK = { error: 0, warn: 1, info: 2 } as const;

const TIMESTAMP =
  /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?|\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} \d{2}:\d{2}:\d{2}(?:\.\d+)?|\d{4}-(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?/;
const TIMESTAMP_ALL = new RegExp(TIMESTAMP.source, 'g');
const QUOTED = /"(?:[^"\\\n]|\\.)*"|'[^'\s]*'/g;
const MASKS: [RegExp, string][] = [
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g, '<ip>'],
  [/\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, '<ts>'],
  [/\[?\b(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}\b\]?(?::\d{1,5})?/gi, '<ip>'],
  // Pods of one ReplicaSet differ only in their generated suffixes.
  [/\b([a-z0-9]+(?:-[a-z0-9]+)*?)-(?=[a-z]*\d)[a-z0-9]{6,10}-[a-z0-9]{5}\b/g, '$1-<pod>'],
  [/\b(?:0x)?(?=[a-f]*\d)(?=\d*[a-f])[0-9a-f]{8,}\b/gi, '<hex>'],
  [/\b\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h)(?:\d+(?:\.\d+)?(?:ms|s|m))*\b/g, '<dur>'],
  [/\d+(?:[.,]\d+)*/g, '<n>'],
  [/\s+/g, ' '],
];

// Upper-case markers must really be upper case: "err" inside prose is no level.
// .NET's console logger writes its level as a lower-case word first on the line: `fail:`, `crit:`, `warn:`.
const ERROR_MARK =
  /(?:^|[\s\]])(?:fail|crit):\s|\b(?:ERROR|ERR|FATAL|FTL|PANIC|PNC|CRIT|CRITICAL|SEVERE|EMERG)\b|<(?:error|fatal|critical)>|\[(?:error|crit|alert|emerg)\]|"s":\s*"[EF]"|\blevel[=:]\s*"?(?:error|err|fatal|panic|critical)\b|"level":\s*"(?:error|err|fatal|panic|critical)"/;
const WARN_MARK =
  /(?:^|[\s\]])warn:\s|\b(?:WARN|WARNING|WRN)\b|<warn(?:ing)?>|\[warn\]|"s":\s*"W"|\blevel[=:]\s*"?warn(?:ing)?\b|"level":\s*"warn(?:ing)?"/;
const ERROR_WORDS =
  /\berror:|\bpanic\b|\bfatal\b|[A-Za-z]*Exception\b|\brefused\b|\bfailed\b|\bfailure\b|\btime(?:d)? ?out\b|\bdenied\b|\bunreachable\b/i;

function levelOf(line: string): LogTemplate['level'] {
  if (ERROR_MARK.test(line)) return 'error';
  if (WARN_MARK.test(line)) return 'warn';
  return ERROR_WORDS.test(line) ? 'error' : 'info';
}

/** The line with its variable parts replaced by placeholders. */
export function templateOf(line: string): string {
  // Quoted strings in one pass, so that quotes stay paired; only those with digits in them vary.
  let out = line
    .replace(TIMESTAMP_ALL, '<ts>')
    .replace(QUOTED, (q) => (/\d/.test(q) ? `${q[0]}<v>${q[0]}` : q));
  for (const [pattern, replacement] of MASKS) out = out.replace(pattern, replacement);
  return out.trim();
}

function clean(line: string, maxLength: number): string {
  // eslint-disable-next-line no-control-regex
  const printable = line.replace(/[\x00-\x08\x0B-\x1F\x7F\uFFFD]/g, '?');
  return printable.length > maxLength ? `${printable.slice(0, maxLength)}…` : printable;
}

function timeOf(line: string): string | undefined {
  return TIMESTAMP.exec(line)?.[0];
}

interface Entry extends LogTemplate {
  order: number;
}

export function extractTemplates(text: string, options: TemplateOptions = {}): LogTemplate[] {
  const maxTemplates = Math.max(0, options.maxTemplates ?? 50);
  const maxLineLength = Math.max(16, options.maxLineLength ?? 500);
  if (typeof text !== 'string' || text === '' || maxTemplates === 0) return [];
  const body = text.length > MAX_TEXT_CHARS ? text.slice(-MAX_TEXT_CHARS) : text;
  let end = body.length;
  while (end > 0 && (body[end - 1] === '\n' || body[end - 1] === '\r')) end--;
  const lines = body
    .slice(0, end)
    .split(/\r\n|\r|\n/)
    .slice(-MAX_LINES);
  const byTemplate = new Map<string, Entry>();
  for (const raw of lines) {
    if (raw.trim() === '') continue;
    const line = redactText(clean(raw, maxLineLength));
    const template = templateOf(line);
    const at = timeOf(line);
    const seen = byTemplate.get(template);
    if (seen) {
      seen.count++;
      if (at !== undefined) {
        seen.firstAt ??= at;
        seen.lastAt = at;
      }
      continue;
    }
    const entry: Entry = { template, count: 1, example: line, level: levelOf(line), order: byTemplate.size };
    if (at !== undefined) {
      entry.firstAt = at;
      entry.lastAt = at;
    }
    byTemplate.set(template, entry);
  }
  return [...byTemplate.values()]
    .sort((a, b) => LEVEL_RANK[a.level] - LEVEL_RANK[b.level] || b.count - a.count || a.order - b.order)
    .slice(0, maxTemplates)
    .map(({ order: _order, ...t }) => t);
}

/** Only the error and warn templates, errors first. */
export function errorTemplates(text: string, max = 20): LogTemplate[] {
  return extractTemplates(text, { maxTemplates: Number.MAX_SAFE_INTEGER })
    .filter((t) => t.level !== 'info')
    .slice(0, Math.max(0, max));
}
