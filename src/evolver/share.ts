/**
 * Sharing a guidance library across clusters: `export` packs the guidance files and a manifest of their
 * sha256 hashes into a tarball; `import` checks every hash and front matter before writing anything, adds
 * new files, updates files aoi wrote, and never overwrites a file a person edited here (a conflict).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AoiError } from '../core/errors.js';
import { parseGuidance } from '../core/guidance.js';
import type { GuidanceFile } from './guidance-files.js';
import { loadGuidanceDir, writeImported } from './guidance-files.js';
import type { TarEntry } from './tar.js';
import { readTarGz, SAFE_NAME, writeTarGz } from './tar.js';

const MANIFEST = 'manifest.json';

export const GuidanceManifest = z.strictObject({
  kind: z.literal('aoi-guidance'),
  version: z.literal(1),
  createdAt: z.iso.datetime(),
  files: z.array(
    z.strictObject({
      file: z.string().regex(SAFE_NAME).endsWith('.md'),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      id: z.string(),
      version: z.int().min(1),
      status: z.string(),
    }),
  ),
});
export type GuidanceManifest = z.infer<typeof GuidanceManifest>;

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

export async function exportLibrary(
  dir: string,
  now: Date,
): Promise<{ archive: Buffer; manifest: GuidanceManifest }> {
  const { files } = await loadGuidanceDir(dir);
  const entries: TarEntry[] = [];
  const listed: GuidanceManifest['files'] = [];
  for (const f of files) {
    const data = await readFile(f.path);
    entries.push({ name: f.file, data });
    listed.push({
      file: f.file,
      sha256: sha256(data),
      id: f.guidance.frontMatter.id,
      version: f.guidance.frontMatter.version,
      status: f.guidance.frontMatter.status ?? 'promoted',
    });
  }
  const manifest = GuidanceManifest.parse({
    kind: 'aoi-guidance',
    version: 1,
    createdAt: now.toISOString(),
    files: listed,
  });
  const archive = writeTarGz(
    [{ name: MANIFEST, data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) }, ...entries],
    now,
  );
  return { archive, manifest };
}

export type ImportOutcome = 'added' | 'updated' | 'unchanged' | 'conflict';

export interface ImportReport {
  files: { file: string; outcome: ImportOutcome; why?: string }[];
}

/** Everything is checked before anything is written: a bad archive changes nothing. */
export async function importLibrary(dir: string, gz: Buffer, archive: string): Promise<ImportReport> {
  const entries = readTarGz(gz, archive);
  const manifestEntry = entries.find((e) => e.name === MANIFEST);
  if (!manifestEntry)
    throw new AoiError('config', `${archive}: no ${MANIFEST}`, {
      hint: 'Import only archives made by `aoi guidance export`.',
    });
  let manifest: GuidanceManifest;
  try {
    manifest = GuidanceManifest.parse(JSON.parse(manifestEntry.data.toString('utf8')));
  } catch (error) {
    throw new AoiError('config', `${archive}: ${MANIFEST} is not valid: ${(error as Error).message}`);
  }
  const byName = new Map(entries.map((e) => [e.name, e]));
  const extra = entries.filter((e) => e.name !== MANIFEST && !manifest.files.some((m) => m.file === e.name));
  if (extra.length > 0)
    throw new AoiError('config', `${archive}: ${extra.map((e) => e.name).join(', ')} not in the manifest`);
  const incoming = manifest.files.map((m) => {
    const entry = byName.get(m.file);
    if (!entry)
      throw new AoiError('config', `${archive}: ${m.file} is in the manifest but not in the archive`);
    if (sha256(entry.data) !== m.sha256)
      throw new AoiError('config', `${archive}: ${m.file} does not match its sha256 in the manifest`, {
        hint: 'The archive was changed or damaged after export; nothing was imported.',
      });
    const text = entry.data.toString('utf8');
    parseGuidance(text, `${archive}:${m.file}`);
    return { file: m.file, text };
  });
  const { files: local } = await loadGuidanceDir(dir);
  const report: ImportReport = { files: [] };
  for (const { file, text } of incoming) {
    const here: GuidanceFile | undefined = local.find((f) => f.file === file);
    if (!here) {
      await writeImported(dir, file, text);
      report.files.push({ file, outcome: 'added' });
      continue;
    }
    const current = await readFile(here.path, 'utf8');
    if (current === text) report.files.push({ file, outcome: 'unchanged' });
    else if (here.edited) report.files.push({ file, outcome: 'conflict', why: 'edited here; left as it is' });
    else {
      await writeImported(dir, file, text);
      report.files.push({ file, outcome: 'updated' });
    }
  }
  return report;
}
