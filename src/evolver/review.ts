/** Guidance review: find a file, compare two versions line by line, retire or restore one by hand. */
import { AoiError } from '../core/errors.js';
import type { GuidanceFile } from './guidance-files.js';
import { writeRequested } from './guidance-files.js';

/** By id or file name (with or without `.md`). */
export function findGuidance(files: readonly GuidanceFile[], id: string): GuidanceFile {
  const found = files.find((f) => f.guidance.frontMatter.id === id || f.file === id || f.file === `${id}.md`);
  if (!found)
    throw new AoiError('not-found', `no guidance ${id}`, {
      hint: 'List the library with `aoi guidance list`.',
    });
  return found;
}

/** The version before this one: the same family (`<id>` and `<id>-v<N>`), the highest lower version. */
export function priorVersion(files: readonly GuidanceFile[], file: GuidanceFile): GuidanceFile | undefined {
  const base = file.guidance.frontMatter.id.replace(/-v\d+$/, '');
  const version = file.guidance.frontMatter.version;
  return files
    .filter((f) => f !== file)
    .filter((f) => {
      const id = f.guidance.frontMatter.id;
      return id === base || (id.startsWith(`${base}-v`) && /^\d+$/.test(id.slice(base.length + 2)));
    })
    .filter((f) => f.guidance.frontMatter.version < version)
    .sort((a, b) => b.guidance.frontMatter.version - a.guidance.frontMatter.version)[0];
}

/** A unified-style line diff (longest common subsequence; guidance files are short). */
export function lineDiff(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push(`- ${a[i++]}`);
    else out.push(`+ ${b[j++]}`);
  }
  while (i < a.length) out.push(`- ${a[i++]}`);
  while (j < b.length) out.push(`+ ${b[j++]}`);
  return out;
}

export async function retireByHand(
  dir: string,
  file: GuidanceFile,
  reason: string,
  now: Date,
): Promise<GuidanceFile> {
  if (file.guidance.frontMatter.status === 'retired')
    throw new AoiError('usage', `guidance ${file.guidance.frontMatter.id} is already retired`, {
      hint: `Bring it back with \`aoi guidance restore ${file.guidance.frontMatter.id}\`.`,
    });
  return writeRequested(dir, file, {
    ...file.guidance,
    frontMatter: {
      ...file.guidance.frontMatter,
      status: 'retired',
      retiredAt: now.toISOString(),
      retiredReason: reason,
    },
  });
}

/** Promoted again; the count of contradicting runs starts afresh from now. */
export async function restoreByHand(dir: string, file: GuidanceFile, now: Date): Promise<GuidanceFile> {
  const { retiredAt: _at, retiredReason: _reason, ...rest } = file.guidance.frontMatter;
  if (rest.status !== 'retired' && rest.status !== 'candidate')
    throw new AoiError('usage', `guidance ${rest.id} is already in use (${rest.status ?? 'hand-written'})`, {
      hint: 'Only retired or candidate guidance can be restored.',
    });
  return writeRequested(dir, file, {
    ...file.guidance,
    frontMatter: { ...rest, status: 'promoted', promotedAt: now.toISOString() },
  });
}
