import { mkdir, open, readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { formatIssues } from './zod-issues.js';

const NEWLINE = 0x0a;
const TAIL_CHUNK = 64 * 1024;

/** Appends one JSON record per line; each line goes out in one write(2), so a kill cannot split it. */
export class JsonlAppender {
  readonly path: string;
  #handle: FileHandle;
  #queue: Promise<void> = Promise.resolve();

  private constructor(path: string, handle: FileHandle) {
    this.path = path;
    this.#handle = handle;
  }

  static async open(path: string): Promise<JsonlAppender> {
    await mkdir(dirname(path), { recursive: true });
    await repairTornTail(path);
    const handle = await open(path, 'a');
    return new JsonlAppender(path, handle);
  }

  append(record: unknown): Promise<void> {
    const json = JSON.stringify(record);
    if (typeof json !== 'string') return Promise.reject(new TypeError('record is not JSON-serialisable'));
    const line = Buffer.from(`${json}\n`, 'utf8');
    return this.#enqueue(() => writeAll(this.#handle, line));
  }

  sync(): Promise<void> {
    return this.#enqueue(() => this.#handle.sync());
  }

  close(): Promise<void> {
    return this.#enqueue(() => this.#handle.close());
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(task);
    // A failed write must not block the ones queued after it; the caller still sees the rejection.
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
}

/** Cut a crash's partial last line so the next append starts on a fresh line. */
export async function repairTornTail(path: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    let end = size;
    const chunk = Buffer.alloc(TAIL_CHUNK);
    while (end > 0) {
      const start = Math.max(0, end - TAIL_CHUNK);
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      const newline = chunk.subarray(0, bytesRead).lastIndexOf(NEWLINE);
      if (newline !== -1) {
        end = start + newline + 1;
        break;
      }
      end = start;
    }
    if (end !== size) {
      await handle.truncate(end);
      await handle.sync();
    }
  } finally {
    await handle.close();
  }
}

export interface JsonlReadResult<T> {
  records: T[];
  /** The file ended in a partial line (no final newline); that line was skipped. */
  torn: boolean;
  invalid: { line: number; error: string }[];
}

export async function readJsonl<T>(path: string, schema: z.ZodType<T>): Promise<JsonlReadResult<T>> {
  const text = await readFile(path, 'utf8');
  const lines = text.split('\n');
  const last = lines.pop();
  const torn = last !== undefined && last !== '';
  const records: T[] = [];
  const invalid: { line: number; error: string }[] = [];
  lines.forEach((line, index) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      invalid.push({ line: index + 1, error: `not JSON: ${(error as Error).message}` });
      return;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) records.push(parsed.data);
    else invalid.push({ line: index + 1, error: formatIssues(parsed.error).join('; ') });
  });
  return { records, torn, invalid };
}
