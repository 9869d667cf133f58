/**
 * Guidance files on disk: written atomically, with the hash of what aoi wrote kept in an index, so a file a
 * person edited is never overwritten (a new version goes into a new file instead).
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../core/atomic-file.js';
import { withFileLock } from '../core/file-lock.js';
import type { Guidance, GuidanceFrontMatter, GuidanceHint, GuidanceStatus } from '../core/guidance.js';
import { parseGuidance, renderGuidance } from '../core/guidance.js';
import type { FailureCluster } from './mine.js';

const INDEX = '.aoi-written.json';

/** File name → sha256 of the text aoi last wrote there. */
const WrittenIndex = z.strictObject({ version: z.literal(1), files: z.record(z.string(), z.string()) });
type WrittenIndex = z.infer<typeof WrittenIndex>;

export interface GuidanceFile {
  file: string;
  path: string;
  guidance: Guidance;
  /** The text differs from what aoi wrote (or aoi never wrote it). */
  edited: boolean;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function readIndex(dir: string): Promise<WrittenIndex> {
  try {
    const parsed = WrittenIndex.safeParse(JSON.parse(await readFile(join(dir, INDEX), 'utf8')));
    return parsed.success ? parsed.data : { version: 1, files: {} };
  } catch {
    return { version: 1, files: {} };
  }
}

/**
 * No library there: nothing at the path, or a file where one of its parents should be (a state dir that is
 * unusable, which `--no-record` runs read past). A file at the path itself is an error, not an empty library.
 */
async function absent(dir: string, error: unknown): Promise<boolean> {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return true;
  if (code !== 'ENOTDIR') return false;
  try {
    await stat(dir);
    return false;
  } catch {
    return true;
  }
}

/** Every valid guidance file; invalid ones are listed with their error, never silently dropped. */
export async function loadGuidanceDir(
  dir: string,
): Promise<{ files: GuidanceFile[]; invalid: { file: string; error: string }[] }> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.md')).sort();
  } catch (error) {
    if (await absent(dir, error)) return { files: [], invalid: [] };
    throw error;
  }
  const index = await readIndex(dir);
  const files: GuidanceFile[] = [];
  const invalid: { file: string; error: string }[] = [];
  for (const file of names) {
    const path = join(dir, file);
    const text = await readFile(path, 'utf8');
    try {
      files.push({
        file,
        path,
        guidance: parseGuidance(text, path),
        edited: index.files[file] !== sha256(text),
      });
    } catch (error) {
      invalid.push({ file, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { files, invalid };
}

/**
 * Records the hash of what aoi wrote. The index is read, changed and replaced under a lock: two aoi processes
 * writing different files at once would otherwise each drop the other's hash, and a file whose hash is lost
 * reads as a person's edit that aoi then never updates again.
 */
async function recordWritten(dir: string, file: string, text: string): Promise<void> {
  await withFileLock(join(dir, `${INDEX}.lock`), async () => {
    const index = await readIndex(dir);
    index.files[file] = sha256(text);
    await writeFileAtomic(join(dir, INDEX), `${JSON.stringify(index, null, 2)}\n`);
  });
}

/** Writes a file aoi owns and records its hash; the index itself is replaced atomically too. */
async function writeOwned(dir: string, file: string, guidance: Guidance): Promise<GuidanceFile> {
  await mkdir(dir, { recursive: true });
  const text = renderGuidance(guidance);
  const path = join(dir, file);
  await writeFileAtomic(path, text);
  await recordWritten(dir, file, text);
  return { file, path, guidance, edited: false };
}

/**
 * A change a person asked for (retire, restore): written atomically; a file aoi owns stays owned, a file a
 * person edited stays theirs (its hash is not recorded, so aoi still never overwrites it).
 */
export async function writeRequested(
  dir: string,
  file: GuidanceFile,
  guidance: Guidance,
): Promise<GuidanceFile> {
  if (!file.edited) return writeOwned(dir, file.file, guidance);
  await writeFileAtomic(file.path, renderGuidance(guidance));
  return { ...file, guidance };
}

/** A file from a shared library, written as aoi's own (so a later local edit is detected and kept). */
export async function writeImported(dir: string, file: string, text: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, file), text);
  await recordWritten(dir, file, text);
}

const sameAdvice = (a: GuidanceFrontMatter, b: GuidanceFrontMatter) =>
  JSON.stringify(a.hints ?? []) === JSON.stringify(b.hints ?? []) &&
  JSON.stringify(a.signals) === JSON.stringify(b.signals);

/**
 * Saves a draft under its id. An existing file aoi wrote is replaced (its version bumped when the advice
 * changed); an edited one stays as it is and the draft goes to `<id>-v<N>.md` with the next version.
 */
export async function saveDraft(
  dir: string,
  draft: Guidance,
  existing: readonly GuidanceFile[],
): Promise<GuidanceFile> {
  const base = draft.frontMatter.id;
  const family = existing.filter(
    (f) => f.guidance.frontMatter.id === base || f.guidance.frontMatter.id.startsWith(`${base}-v`),
  );
  const latest = family.sort((a, b) => b.guidance.frontMatter.version - a.guidance.frontMatter.version)[0];
  if (!latest) return writeOwned(dir, `${base}.md`, draft);
  const prior = latest.guidance.frontMatter;
  if (!latest.edited) {
    const version = sameAdvice(prior, draft.frontMatter) ? prior.version : prior.version + 1;
    const createdFrom = [...new Set([...prior.createdFrom, ...draft.frontMatter.createdFrom])];
    return writeOwned(dir, latest.file, {
      ...draft,
      frontMatter: { ...draft.frontMatter, id: prior.id, version, createdFrom },
    });
  }
  const version = prior.version + 1;
  const id = `${base}-v${version}`;
  return writeOwned(dir, `${id}.md`, { ...draft, frontMatter: { ...draft.frontMatter, id, version } });
}

/** Updates status and figures of a file aoi owns; an edited file is left alone (returns false). */
export async function updateStatus(
  dir: string,
  file: GuidanceFile,
  patch: Partial<Omit<GuidanceFrontMatter, 'id' | 'version'>> & { status: GuidanceStatus },
): Promise<GuidanceFile | undefined> {
  if (file.edited) return undefined;
  return writeOwned(dir, file.file, {
    ...file.guidance,
    frontMatter: { ...file.guidance.frontMatter, ...patch },
  });
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}

function describeHint(hint: GuidanceHint): string {
  switch (hint.kind) {
    case 'classify':
      return `When the root component shows ${hint.signals.join(' + ')}${hint.logPattern ? ` and its logs match /${hint.logPattern}/` : ''}, the fault is ${hint.systemLevel} / ${hint.faultType}.`;
    case 'preferCallee':
      return `When a component shows ${hint.signals.join(' + ')} and blames a callee, the callee is the root; the caller is a victim.`;
    case 'preferCaller':
      return `When a caller shows ${hint.signals.join(' + ')}, the caller is the root, not the component it calls.`;
    case 'check':
      return hint.text;
  }
}

/** One candidate guidance draft per failure cluster. */
export function draftFromCluster(
  cluster: FailureCluster,
  supportProblems: number,
  supportSolved: number,
): Guidance {
  const hint = cluster.hint;
  const target = hint.kind === 'classify' ? hint.faultType : undefined;
  const id = slug(`${cluster.kind}-${cluster.signals.join('-')}${target ? `-${target}` : ''}`);
  const title =
    hint.kind === 'classify'
      ? `${cluster.signals.join(' + ')}${hint.logPattern ? ' with a distinctive log word' : ''} means ${hint.faultType}`
      : `${cluster.kind.replace(/-/g, ' ')} on ${cluster.signals.join(' + ')}`;
  const concluded = [...new Set(cluster.cases.map((c) => c.concluded))];
  const body = [
    '',
    `# ${title}`,
    '',
    '## What to check',
    '',
    `- ${describeHint(hint)}`,
    `- Read the root component's own logs before settling on a fault type: the signal alone is shared by look-alike faults.`,
    '',
    '## Pitfalls',
    '',
    ...concluded.map((c) => `- Failed runs concluded: ${c}.`),
    '',
    `Mined from ${cluster.cases.length} failed support run(s) with the evidence signature ${cluster.signals.join(' + ')}.`,
    '',
  ].join('\n');
  return {
    frontMatter: {
      id: id || 'guidance',
      title,
      signals: cluster.signals,
      faultTypes: target ? [target] : [],
      createdFrom: cluster.cases.map((c) => c.run.summary.id),
      version: 1,
      status: 'candidate',
      support: { problems: supportProblems, before: supportSolved },
      hints: [hint],
    },
    body,
  };
}
