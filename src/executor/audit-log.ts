import { open, readFile } from 'node:fs/promises';
import type { AuditEntry } from '../core/audit.js';
import {
  AuditEntry as AuditEntrySchema,
  computeAuditHash,
  sealAuditEntry,
  verifyAuditChain,
} from '../core/audit.js';
import { AoiError } from '../core/errors.js';
import type { FileLockOptions } from '../core/file-lock.js';
import { withFileLock } from '../core/file-lock.js';
import { JsonlAppender, repairTornTail } from '../core/jsonl.js';

export type AuditFields = Omit<AuditEntry, 'seq' | 'prevHash' | 'hash' | 'at'> & { at?: string };

export type AuditLogCheck = { ok: true; entries: number } | { ok: false; seq: number; reason: string };

/** The lock file that serialises writers of one audit log across processes. */
export const auditLockPath = (path: string): string => `${path}.lock`;

/**
 * The hash-chained audit log. Other processes may append to the same file (two engineers, a receiver and a
 * CLI): every append takes the log's lock file, reads the entry now last on disk, chains onto it and
 * appends, so seq and prevHash never race within a process or across processes.
 */
export class AuditLog {
  readonly path: string;
  #appender: JsonlAppender;
  #lock: FileLockOptions;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(path: string, appender: JsonlAppender, lock: FileLockOptions) {
    this.path = path;
    this.#appender = appender;
    this.#lock = lock;
  }

  /** Opens (or creates) the log; refuses a log whose chain is already broken. */
  static async open(path: string, lock: FileLockOptions = {}): Promise<AuditLog> {
    return withFileLock(
      auditLockPath(path),
      async () => {
        const appender = await JsonlAppender.open(path);
        const { check } = await readAuditLog(path);
        if (!check.ok) {
          await appender.close();
          throw brokenChain(path, check);
        }
        return new AuditLog(path, appender, lock);
      },
      lock,
    );
  }

  append(fields: AuditFields): Promise<AuditEntry> {
    const run = this.#queue.then(() =>
      withFileLock(
        auditLockPath(this.path),
        async () => {
          // A writer that died mid-line left a torn tail: cut it, as opening does, before chaining on.
          await repairTornTail(this.path);
          const last = await readLastEntry(this.path);
          const entry = sealAuditEntry(last, { ...fields, at: fields.at ?? new Date().toISOString() });
          await this.#appender.append(entry);
          await this.#appender.sync();
          return entry;
        },
        this.#lock,
      ),
    );
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.#queue;
    await this.#appender.close();
  }
}

function brokenChain(path: string, check: { seq: number; reason: string }): AoiError {
  return new AoiError('policy', `${path}: audit chain broken at seq ${check.seq} (${check.reason})`, {
    hint: 'Run `aoi audit verify`; move the damaged log aside before acting again.',
  });
}

const TAIL_CHUNK = 64 * 1024;

/** The last entry on disk (none in an empty log), read from the end; it must be whole and hash-true. */
async function readLastEntry(path: string): Promise<AuditEntry | undefined> {
  const handle = await open(path, 'r');
  let line: string;
  try {
    const { size } = await handle.stat();
    if (size === 0) return undefined;
    // The file ends in a newline (the tail was repaired); the last line starts after the one before it.
    const chunks: Buffer[] = [];
    let end = size - 1;
    while (end > 0) {
      const from = Math.max(0, end - TAIL_CHUNK);
      const chunk = Buffer.alloc(end - from);
      await handle.read(chunk, 0, chunk.length, from);
      const newline = chunk.lastIndexOf(0x0a);
      chunks.unshift(newline === -1 ? chunk : chunk.subarray(newline + 1));
      if (newline !== -1) break;
      end = from;
    }
    line = Buffer.concat(chunks).toString('utf8');
  } finally {
    await handle.close();
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw brokenChain(path, { seq: 0, reason: 'the last line is not JSON' });
  }
  const parsed = AuditEntrySchema.safeParse(value);
  if (!parsed.success) throw brokenChain(path, { seq: 0, reason: 'the last line is not an audit entry' });
  if (computeAuditHash(parsed.data) !== parsed.data.hash)
    throw brokenChain(path, { seq: parsed.data.seq, reason: 'hash does not match the entry contents' });
  return parsed.data;
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
  // After the last newline: nothing, or a line another process is writing right now (or a crash tore);
  // either way not an entry yet. The next append cuts a torn one.
  lines.pop();
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
  if (!check.ok) throw brokenChain(path, check);
  return entries;
}

/** Checks the whole file: ok with the entry count, or the first bad seq. */
export async function verifyAuditLog(path: string): Promise<AuditLogCheck> {
  return (await readAuditLog(path)).check;
}
