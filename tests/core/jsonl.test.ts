import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { JsonlAppender, readJsonl } from '../../src/core/jsonl.js';

const WRITER = resolve(import.meta.dirname, 'fixtures/jsonl-writer.ts');
const Seq = z.object({ seq: z.int(), pad: z.string() });
const A = z.object({ a: z.number() });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-jsonl-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function countLines(path: string): Promise<number> {
  try {
    const buffer = await readFile(path);
    let count = 0;
    for (const byte of buffer) if (byte === 0x0a) count++;
    return count;
  } catch {
    return 0;
  }
}

function expectContiguous(records: { seq: number }[]): void {
  expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
}

describe('JsonlAppender', () => {
  it('survives SIGKILL of a writer in a tight loop without a broken record', async () => {
    const path = join(dir, 'nested', 'crash.jsonl');
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path], {
      cwd: resolve(import.meta.dirname, '../..'),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((done) =>
      child.once('exit', (_code, signal) => done(signal)),
    );
    try {
      await vi.waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`writer exited early: ${stderr}`);
          expect(await countLines(path)).toBeGreaterThanOrEqual(200);
        },
        { timeout: 20_000, interval: 20 },
      );
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');

    const afterCrash = await readJsonl(path, Seq);
    expect(afterCrash.invalid).toEqual([]);
    expect(afterCrash.records.length).toBeGreaterThanOrEqual(200);
    expectContiguous(afterCrash.records);

    const appender = await JsonlAppender.open(path);
    const next = afterCrash.records.length + 1;
    await appender.append({ seq: next, pad: '' });
    await appender.close();

    const repaired = await readJsonl(path, Seq);
    expect(repaired.torn).toBe(false);
    expect(repaired.invalid).toEqual([]);
    expectContiguous(repaired.records);
    expect(repaired.records.at(-1)).toEqual({ seq: next, pad: '' });
  });

  it('cuts a torn tail on open', async () => {
    const path = join(dir, 'torn.jsonl');
    await writeFile(path, '{"a":1}\n{"a":');
    const appender = await JsonlAppender.open(path);
    await appender.append({ a: 2 });
    await appender.close();
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
  });

  it('cuts a file that is one torn line', async () => {
    const path = join(dir, 'only-torn.jsonl');
    await writeFile(path, '{"a":');
    const appender = await JsonlAppender.open(path);
    await appender.append({ a: 1 });
    await appender.close();
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n');
  });

  it('keeps concurrent appends on separate lines in call order', async () => {
    const path = join(dir, 'concurrent.jsonl');
    const appender = await JsonlAppender.open(path);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => appender.append({ seq: i + 1, pad: 'y'.repeat(i * 100) })),
    );
    await appender.sync();
    await appender.close();
    const { records, torn, invalid } = await readJsonl(path, Seq);
    expect({ torn, invalid }).toEqual({ torn: false, invalid: [] });
    expectContiguous(records);
  });

  it('rejects a value JSON cannot represent', async () => {
    const appender = await JsonlAppender.open(join(dir, 'undefined.jsonl'));
    await expect(appender.append(undefined)).rejects.toThrow(TypeError);
    await appender.close();
  });
});

describe('readJsonl', () => {
  it('reports bad lines by 1-based number and skips a torn tail', async () => {
    const path = join(dir, 'mixed.jsonl');
    await writeFile(path, '{"a":1}\nnot json\n{"a":"x"}\n{"a":4}\n{"a":5}');
    const result = await readJsonl(path, A);
    expect(result.records).toEqual([{ a: 1 }, { a: 4 }]);
    expect(result.torn).toBe(true);
    expect(result.invalid.map((i) => i.line)).toEqual([2, 3]);
    expect(result.invalid[1]?.error).toMatch(/^a: /);
  });

  it('reads an empty file as no records', async () => {
    const path = join(dir, 'empty.jsonl');
    await writeFile(path, '');
    expect(await readJsonl(path, A)).toEqual({ records: [], torn: false, invalid: [] });
  });
});
