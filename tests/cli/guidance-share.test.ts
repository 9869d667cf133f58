/**
 * `aoi guidance export|import`: a library shared as a gzipped ustar archive with a manifest of sha256 hashes.
 * The archive is checked against GNU tar (the real counterpart: it must list and extract ours, and ours must
 * read what it writes), a changed file is refused by its hash, a hostile name never escapes the library, and
 * an import never overwrites a file edited here.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guidanceExport, guidanceImport } from '../../src/cli/commands/guidance-share.js';
import type { Guidance } from '../../src/core/guidance.js';
import { saveDraft } from '../../src/evolver/guidance-files.js';
import { BUILT_AOI_BIN } from '../built-aoi.js';
import { captureIO } from './cli-harness.js';

let dir: string;

const bufferedIO = () => captureIO({ HOME: dir });

const note = (id: string, body: string): Guidance => ({
  frontMatter: {
    id,
    title: `About ${id}`,
    signals: ['AuthErrors'],
    faultTypes: [],
    createdFrom: [],
    version: 1,
    status: 'promoted',
    hints: [{ kind: 'check', text: `check ${id}` }],
  },
  body: `\n${body}\n`,
});

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
let archive: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-guidance-share-'));
  const lib = join(dir, 'team', 'guidance');
  await saveDraft(lib, note('alpha', 'First.'), []);
  await saveDraft(lib, note('beta', 'Second, with a longer body.\n'.repeat(40)), []);
  archive = join(dir, 'out', 'team.tar.gz');
  const { io, out } = bufferedIO();
  expect(await guidanceExport(archive, { dir: lib, now: () => new Date('2026-12-01T00:00:00Z') }, io)).toBe(
    0,
  );
  expect(out()).toBe(`exported 2 guidance file(s) from ${lib} to ${archive}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aoi guidance export', () => {
  it('writes an archive GNU tar lists and extracts byte for byte, with a manifest of hashes', async () => {
    const list = await execa('tar', ['-tvzf', archive]);
    expect(list.stdout.split('\n').map((l) => l.split(/\s+/).at(-1))).toEqual([
      'manifest.json',
      'alpha.md',
      'beta.md',
    ]);
    const into = join(dir, 'extracted');
    await mkdir(into);
    await execa('tar', ['-xzf', archive, '-C', into]);
    const manifest = JSON.parse(await readFile(join(into, 'manifest.json'), 'utf8')) as {
      files: { file: string; sha256: string; status: string }[];
    };
    for (const f of manifest.files) {
      const extracted = await readFile(join(into, f.file));
      expect(extracted).toEqual(await readFile(join(dir, 'team', 'guidance', f.file)));
      expect(sha(extracted)).toBe(f.sha256);
      expect(f.status).toBe('promoted');
    }
  });
});

describe('aoi guidance import', () => {
  it('adds, updates what aoi wrote, keeps what was edited here (exit 1), and reads archives GNU tar made', async () => {
    const lib = join(dir, 'other', 'guidance');
    const first = bufferedIO();
    expect(await guidanceImport(archive, { dir: lib }, first.io)).toBe(0);
    expect(first.out()).toBe('added     alpha.md\nadded     beta.md\n');
    const again = bufferedIO();
    expect(await guidanceImport(archive, { dir: lib }, again.io)).toBe(0);
    expect(again.out()).toBe('unchanged alpha.md\nunchanged beta.md\n');

    // Edited here: a newer team archive leaves it alone and says so.
    await writeFile(
      join(lib, 'alpha.md'),
      (await readFile(join(lib, 'alpha.md'), 'utf8')).replace('First.', 'Ours.'),
    );
    const team = join(dir, 'team', 'guidance');
    await saveDraft(team, note('alpha', 'First, revised.'), []).catch(() => undefined);
    await saveDraft(team, note('beta', 'Second, revised.'), []);
    const newer = join(dir, 'out', 'newer.tar.gz');
    await guidanceExport(newer, { dir: team }, bufferedIO().io);
    const conflict = bufferedIO();
    expect(await guidanceImport(newer, { dir: lib }, conflict.io)).toBe(1);
    expect(conflict.out()).toBe('conflict  alpha.md (edited here; left as it is)\nupdated   beta.md\n');
    expect(conflict.err()).toContain('1 file(s) edited here were not overwritten');
    expect(await readFile(join(lib, 'alpha.md'), 'utf8')).toContain('Ours.');
    expect(await readFile(join(lib, 'beta.md'), 'utf8')).toContain('Second, revised.');

    // An archive made by GNU tar from the extracted files reads the same.
    const src = join(dir, 'gnu-src');
    await mkdir(src);
    await execa('tar', ['-xzf', newer, '-C', src]);
    const gnu = join(dir, 'out', 'gnu.tar.gz');
    await execa('tar', ['--format=ustar', '-czf', gnu, '-C', src, 'manifest.json', 'alpha.md', 'beta.md']);
    const fresh = join(dir, 'fresh', 'guidance');
    expect(await guidanceImport(gnu, { dir: fresh }, bufferedIO().io)).toBe(0);
    expect((await readdir(fresh)).filter((n) => n.endsWith('.md')).sort()).toEqual(['alpha.md', 'beta.md']);
  });

  it('refuses a changed file by its hash, a name outside the library, and a non-archive, writing nothing', async () => {
    const src = join(dir, 'tamper');
    await mkdir(src);
    await execa('tar', ['-xzf', archive, '-C', src]);
    await writeFile(
      join(src, 'beta.md'),
      (await readFile(join(src, 'beta.md'), 'utf8')).replace('Second', 'Evil'),
    );
    const tampered = join(dir, 'out', 'tampered.tar.gz');
    await execa('tar', [
      '--format=ustar',
      '-czf',
      tampered,
      '-C',
      src,
      'manifest.json',
      'alpha.md',
      'beta.md',
    ]);
    const target = join(dir, 'victim', 'guidance');
    await expect(guidanceImport(tampered, { dir: target }, bufferedIO().io)).rejects.toThrow(
      'beta.md does not match its sha256 in the manifest',
    );
    await expect(readdir(target)).rejects.toThrow(/ENOENT/);

    const escape = join(dir, 'escape');
    await mkdir(join(escape, 'sub'), { recursive: true });
    await writeFile(join(escape, 'evil.md'), 'x');
    const hostile = join(dir, 'out', 'hostile.tar.gz');
    await execa('tar', ['--format=ustar', '-P', '-czf', hostile, '-C', join(escape, 'sub'), '../evil.md']);
    await expect(guidanceImport(hostile, { dir: target }, bufferedIO().io)).rejects.toThrow(
      /entry name "\.\.\/evil\.md" is not a plain file name/,
    );

    const notArchive = join(dir, 'out', 'notes.txt');
    await writeFile(notArchive, 'hello');
    await expect(guidanceImport(notArchive, { dir: target }, bufferedIO().io)).rejects.toThrow(
      /not a guidance archive \(gzip/,
    );
    await expect(readdir(target)).rejects.toThrow(/ENOENT/);
  });

  it('runs as commands: export then import with a missing archive named in the error', async () => {
    const env = { HOME: dir, AOI_STATE_DIR: join(dir, 'cli-state') };
    const imported = await execa(process.execPath, [BUILT_AOI_BIN, 'guidance', 'import', archive], {
      env,
      extendEnv: false,
      reject: false,
    });
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('added     alpha.md');
    const missing = await execa(
      process.execPath,
      [BUILT_AOI_BIN, 'guidance', 'import', join(dir, 'none.tar.gz')],
      {
        env,
        extendEnv: false,
        reject: false,
      },
    );
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('aoi guidance export');
  }, 60_000);
});
