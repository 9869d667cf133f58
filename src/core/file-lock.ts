/**
 * A lock file shared by processes: created with O_EXCL, holding the owner's pid, host and time. A lock whose
 * owner died (same host, no such pid) or that is older than `staleMs` is taken over; a live one is waited
 * for, up to `waitMs`, then the caller gets an error naming the lock and its owner.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { AoiError } from './errors.js';

export const LockOwner = z.object({
  pid: z.int().min(1),
  host: z.string(),
  at: z.iso.datetime(),
  token: z.string().min(1),
});
export type LockOwner = z.infer<typeof LockOwner>;

export interface FileLockOptions {
  /** Longest wait for a live lock before giving up (default 45 s). */
  waitMs?: number;
  /** A lock older than this is taken over even if its pid looks alive (pid reuse); default 30 s. */
  staleMs?: number;
  /** First retry interval; it doubles up to 25 ms (a holder keeps the lock for one append). */
  pollMs?: number;
}

const DEFAULTS = { waitMs: 45_000, staleMs: 30_000, pollMs: 2 };

/** Runs `critical` while holding the lock at `lockPath`; the lock is released even when it throws. */
export async function withFileLock<T>(
  lockPath: string,
  critical: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const owner = await acquire(lockPath, { ...DEFAULTS, ...options });
  try {
    return await critical();
  } finally {
    await release(lockPath, owner);
  }
}

async function acquire(lockPath: string, options: Required<FileLockOptions>): Promise<LockOwner> {
  await mkdir(dirname(lockPath), { recursive: true });
  const deadline = Date.now() + options.waitMs;
  let delay = options.pollMs;
  for (;;) {
    const owner: LockOwner = {
      pid: process.pid,
      host: hostname(),
      at: new Date().toISOString(),
      token: randomBytes(8).toString('hex'),
    };
    if (await tryCreate(lockPath, owner)) return owner;
    const holder = await readOwner(lockPath);
    if (holder === 'gone') continue;
    if (await isStale(lockPath, holder, options.staleMs)) {
      await breakStale(lockPath, holder === 'unreadable' ? undefined : holder.token);
      continue;
    }
    if (Date.now() >= deadline)
      throw new AoiError(
        'io',
        `${lockPath}: still locked after ${options.waitMs} ms${holder === 'unreadable' ? '' : ` by pid ${holder.pid} on ${holder.host} since ${holder.at}`}`,
        { hint: `Another aoi process is writing there; if none is running, remove ${lockPath}.` },
      );
    await sleep(delay);
    delay = Math.min(delay * 2, 25);
  }
}

async function tryCreate(lockPath: string, owner: LockOwner): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockPath, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(JSON.stringify(owner));
  } finally {
    await handle.close();
  }
  return true;
}

/** The lock's owner; 'gone' when it was released meanwhile, 'unreadable' when half-written or garbage. */
async function readOwner(lockPath: string): Promise<LockOwner | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const parsed = LockOwner.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

async function isStale(
  lockPath: string,
  holder: LockOwner | 'unreadable',
  staleMs: number,
): Promise<boolean> {
  if (holder === 'unreadable') {
    // A lock being written right now reads as empty: only an old one (its owner died mid-write) is broken.
    const modified = await stat(lockPath).then(
      (s) => s.mtimeMs,
      () => Date.now(),
    );
    return Date.now() - modified > staleMs;
  }
  if (Date.now() - Date.parse(holder.at) > staleMs) return true;
  return holder.host === hostname() && !pidAlive(holder.pid);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the pid exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Moves the stale lock aside under a name of our own (only one contender wins the rename), then checks that
 * what was moved is the lock judged stale: if another process had meanwhile replaced it with a live lock,
 * that lock is put back (link fails if yet another one took its place) so its owner keeps it.
 */
async function breakStale(lockPath: string, staleToken: string | undefined): Promise<void> {
  const aside = `${lockPath}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readOwner(aside);
  if (moved !== 'gone' && moved !== 'unreadable' && moved.token !== staleToken)
    await link(aside, lockPath).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

/** Removes the lock only if it is still ours (a takeover after a long stall must not be undone). */
async function release(lockPath: string, owner: LockOwner): Promise<void> {
  const holder = await readOwner(lockPath);
  if (holder === 'gone' || holder === 'unreadable' || holder.token !== owner.token) return;
  await unlink(lockPath).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
