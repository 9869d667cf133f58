/**
 * An unusable state dir (read-only, not a directory, full disk) as a clear error naming the path and what to
 * do, checked before a command writes there rather than found as a stack trace halfway through a run.
 */
import { mkdir, open, unlink } from 'node:fs/promises';
import type { Command } from 'commander';
import { join, relative, isAbsolute } from 'node:path';
import { AoiError } from '../core/errors.js';
import { resolveStateDir } from '../core/state-dir.js';

/** Errors the file system gives for a place that cannot be written (or read) whoever asks again. */
const UNUSABLE: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'not a directory (the path, or a part of it, is a file)',
  EISDIR: 'a directory stands where a file should be',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EEXIST: 'a file stands where a directory should be',
};

export function stateDirHint(canSkipRecording: boolean): string {
  return `choose a writable one with --state-dir DIR (or AOI_STATE_DIR)${canSkipRecording ? ', or run with --no-record to write nothing' : ''}`;
}

function reasonOf(error: unknown): { code: string; reason: string } | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !(code in UNUSABLE)) return undefined;
  return { code, reason: UNUSABLE[code]! };
}

/** Creates the state dir if needed and proves a file can be created in it; throws an AoiError if not. */
export async function ensureWritableStateDir(dir: string, canSkipRecording: boolean): Promise<void> {
  const probe = join(dir, `.aoi-write-check-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await (await open(probe, 'w')).close();
    await unlink(probe);
  } catch (error) {
    const known = reasonOf(error);
    if (!known) throw error;
    throw new AoiError('io', `cannot write the state dir ${dir}: ${known.reason} (${known.code})`, {
      hint: stateDirHint(canSkipRecording),
      cause: error,
    });
  }
}

function within(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The state dir the command line names (`--state-dir DIR` or `--state-dir=DIR`), else the environment's. */
export function stateDirOf(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  for (const [i, arg] of argv.entries()) {
    if (arg === '--state-dir' && argv[i + 1] !== undefined) return argv[i + 1]!;
    if (arg.startsWith('--state-dir=')) return arg.slice('--state-dir='.length);
  }
  return resolveStateDir(env);
}

/**
 * A file-system error that escaped a command, as an AoiError naming the path: the state dir's own hint when
 * the path is inside it. Undefined for anything else (a real internal error keeps its stack).
 */
export function fileSystemError(
  error: unknown,
  stateDir: string,
  canSkipRecording: boolean,
): AoiError | undefined {
  const known = reasonOf(error);
  const path = (error as NodeJS.ErrnoException | undefined)?.path;
  if (!known || typeof path !== 'string') return undefined;
  const inState = within(path, stateDir);
  return new AoiError(
    'io',
    `cannot use ${inState ? `the state dir ${stateDir} (at ${path})` : path}: ${known.reason} (${known.code})`,
    {
      hint: inState ? stateDirHint(canSkipRecording) : 'check that the path exists and that you may write it',
      cause: error,
    },
  );
}

interface StateOptions {
  stateDir?: string;
  record?: boolean;
  apply?: boolean;
  solver?: string;
}

/** Whether this command, with these options, is about to write into the state dir. */
function writesState(command: string, parent: string | undefined, o: StateOptions): boolean {
  switch (parent === 'aoi' || parent === undefined ? command : `${parent} ${command}`) {
    case 'diagnose':
    case 'tui':
      return o.record !== false || o.apply === true;
    case 'act':
    case 'rollback':
    case 'evolve':
      return true;
    case 'bench':
      return o.solver === undefined || o.solver === 'aoi';
    default:
      return false;
  }
}

/** Checks the state dir before any command that writes there runs (commander's preAction hook). */
export function checkStateDirBeforeWrites(program: Command, env: NodeJS.ProcessEnv): void {
  program.hook('preAction', async (_self, action) => {
    const options: StateOptions = action.opts();
    if (!writesState(action.name(), action.parent?.name(), options)) return;
    const canSkip = action.options.some((o) => o.long === '--no-record');
    await ensureWritableStateDir(options.stateDir ?? resolveStateDir(env), canSkip);
  });
}
