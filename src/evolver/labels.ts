/**
 * Labels: what a person found out after an incident (right, wrong or partial; the real cause; what fixed it).
 * A label is one more line at the end of the run's trajectory, appended under the trajectory's lock file so
 * several aoi processes sharing the state dir never interleave or lose a line, and earlier lines are never
 * rewritten. The latest label is the one that counts.
 */
import { open, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { withFileLock } from '../core/file-lock.js';
import type { TrajectoryLabel } from '../core/trajectory.js';
import { TrajectoryLabel as LabelSchema } from '../core/trajectory.js';
import { AoiError } from '../core/errors.js';
import { redactText } from '../core/redact.js';

export type LabelInput = Omit<TrajectoryLabel, 'type' | 'at' | 'by'>;

/** Who labels: $AOI_USER, else the OS user, else "unknown" (a container without a passwd entry). */
export function labeller(env: NodeJS.ProcessEnv): string {
  const named = env['AOI_USER']?.trim();
  if (named) return named.slice(0, 128);
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The label line for a run; free text is redacted, because a fix often quotes a command with a secret. */
export function labelLine(input: LabelInput, by: string, at: Date): TrajectoryLabel {
  return LabelSchema.parse({
    ...input,
    ...(input.fix === undefined ? {} : { fix: redactText(input.fix) }),
    ...(input.note === undefined ? {} : { note: redactText(input.note) }),
    type: 'label',
    at: at.toISOString(),
    by,
  });
}

/** Appends one label line to the trajectory at `path`, holding `<path>.lock` while it writes. */
export async function appendLabel(path: string, label: TrajectoryLabel): Promise<void> {
  await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new AoiError('not-found', `no trajectory at ${path}`, {
      cause: error,
      hint: 'List the runs with `aoi runs list`.',
    });
  });
  await withFileLock(`${path}.lock`, async () => {
    const handle = await open(path, 'a+');
    try {
      const { size } = await handle.stat();
      const last = Buffer.alloc(1);
      if (size > 0) await handle.read(last, 0, 1, size - 1);
      // A crash's torn last line is left as it is (never rewritten): the label starts on a fresh line.
      const lead = size > 0 && last[0] !== 0x0a ? '\n' : '';
      const line = Buffer.from(`${lead}${JSON.stringify(label)}\n`, 'utf8');
      let offset = 0;
      while (offset < line.length) offset += (await handle.write(line, offset)).bytesWritten;
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}
