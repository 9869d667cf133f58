import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withFileLock } from '../../src/core/file-lock.js';

let dir: string;
let lock: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-lock-'));
  lock = join(dir, 'sub', 'audit.jsonl.lock');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const owner = (pid: number, at: Date, token = 'other') =>
  JSON.stringify({ pid, host: hostname(), at: at.toISOString(), token });

/** A pid that surely is not running: a child that has already exited. */
function deadPid(): number {
  return Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']));
}

describe('withFileLock', () => {
  it('lets one holder in at a time and removes the lock afterwards', async () => {
    let inside = 0;
    let most = 0;
    const counter = join(dir, 'counter');
    await writeFile(counter, '0');
    await Promise.all(
      Array.from({ length: 20 }, () =>
        withFileLock(lock, async () => {
          most = Math.max(most, ++inside);
          const n = Number(await readFile(counter, 'utf8'));
          await new Promise((resolve) => setImmediate(resolve));
          await writeFile(counter, String(n + 1));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(await readFile(counter, 'utf8')).toBe('20');
    await expect(readFile(lock)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('takes over a lock whose owner died, and one older than the stale bound', async () => {
    await writeFile(join(dir, 'dead.lock'), owner(deadPid(), new Date()));
    expect(await withFileLock(join(dir, 'dead.lock'), () => Promise.resolve('ran'), { waitMs: 0 })).toBe(
      'ran',
    );
    await writeFile(join(dir, 'old.lock'), owner(process.pid, new Date(Date.now() - 120_000)));
    expect(
      await withFileLock(join(dir, 'old.lock'), () => Promise.resolve('ran'), { waitMs: 0, staleMs: 60_000 }),
    ).toBe('ran');
  });

  it('takes over an empty lock only once it is older than the stale bound', async () => {
    const empty = join(dir, 'empty.lock');
    await writeFile(empty, '');
    await expect(
      withFileLock(empty, () => Promise.resolve('ran'), { waitMs: 0, staleMs: 60_000 }),
    ).rejects.toThrow(/still locked after 0 ms$/);
    const past = new Date(Date.now() - 120_000);
    await utimes(empty, past, past);
    expect(await withFileLock(empty, () => Promise.resolve('ran'), { waitMs: 0, staleMs: 60_000 })).toBe(
      'ran',
    );
  });

  it('gives up on a live lock after the bounded wait, naming its owner and how to clear it', async () => {
    const held = join(dir, 'held.lock');
    const since = new Date();
    await writeFile(held, owner(process.pid, since));
    const error = await withFileLock(held, () => Promise.resolve(), { waitMs: 30 }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'io',
      message: `${held}: still locked after 30 ms by pid ${process.pid} on ${hostname()} since ${since.toISOString()}`,
      hint: `Another aoi process is writing there; if none is running, remove ${held}.`,
    });
    expect(await readFile(held, 'utf8')).toBe(owner(process.pid, since));
  });

  it('releases on error, and never removes a lock another holder took over', async () => {
    await expect(withFileLock(lock, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(readFile(lock)).rejects.toMatchObject({ code: 'ENOENT' });
    const theirs = owner(process.pid, new Date(), 'theirs');
    await withFileLock(lock, () => writeFile(lock, theirs));
    expect(await readFile(lock, 'utf8')).toBe(theirs);
  });
});
