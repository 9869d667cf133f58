import { readFile } from 'node:fs/promises';
import type { AuditEntry } from '../core/audit.js';
import { AuditEntry as AuditEntrySchema, sealAuditEntry, verifyAuditChain } from '../core/audit.js';
import { AoiError } from '../core/errors.js';
import { JsonlAppender } from '../core/jsonl.js';

export type AuditFields = Omit<AuditEntry, 'seq' | 'prevHash' | 'hash' | 'at'> & { at?: string };

export type AuditLogCheck = { ok: true; entries: number } | { ok: false; seq: number; reason: string };

/** The hash-chained audit log; appends are serialised so seq and prevHash never race. */
export class AuditLog {
  readonly path: string;
  #appender: JsonlAppender;
  #last: AuditEntry | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(path: string, appender: JsonlAppender, last: AuditEntry | undefined) {
    this.path = path;
    this.#appender = appender;
    this.#last = last;
  }

  /** Opens (or creates) the log and resumes its chain; refuses a log whose chain is already broken. */
  static async open(path: string): Promise<AuditLog> {
    const appender = await JsonlAppender.open(path);
    const { entries, check } = await readAuditLog(path);
    if (!check.ok) {
      await appender.close();
      throw new AoiError('policy', `${path}: audit chain broken at seq ${check.seq} (${check.reason})`, {
        hint: 'Run `aoi audit verify`; move the damaged log aside before acting again.',
      });
    }
    return new AuditLog(path, appender, entries.at(-1));
  }

  append(fields: AuditFields): Promise<AuditEntry> {
    const run = this.#queue.then(async () => {
      const entry = sealAuditEntry(this.#last, { ...fields, at: fields.at ?? new Date().toISOString() });
      await this.#appender.append(entry);
      await this.#appender.sync();
      this.#last = entry;
      return entry;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.#queue;
    await this.#appender.close();
  }
}

async function readAuditLog(path: string): Promise<{ entries: AuditEntry[]; check: AuditLogCheck }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { entries: [], check: { ok: true, entries: 0 } };
    throw error;
  }
  const entries: AuditEntry[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [index, line] of lines.entries()) {
    const seq = (entries.at(-1)?.seq ?? index) + 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return { entries, check: { ok: false, seq, reason: `line ${index + 1} is not JSON` } };
    }
    const parsed = AuditEntrySchema.safeParse(value);
    if (!parsed.success)
      return { entries, check: { ok: false, seq, reason: `line ${index + 1} is not an audit entry` } };
    entries.push(parsed.data);
  }
  const chain = verifyAuditChain(entries);
  return { entries, check: chain.ok ? { ok: true, entries: entries.length } : chain };
}

/** Every entry of an intact log (none when it does not exist); a broken chain is an error. */
export async function readAuditEntries(path: string): Promise<AuditEntry[]> {
  const { entries, check } = await readAuditLog(path);
  if (!check.ok)
    throw new AoiError('policy', `${path}: audit chain broken at seq ${check.seq} (${check.reason})`, {
      hint: 'Run `aoi audit verify`.',
    });
  return entries;
}

/** Checks the whole file: ok with the entry count, or the first bad seq. */
export async function verifyAuditLog(path: string): Promise<AuditLogCheck> {
  return (await readAuditLog(path)).check;
}
