import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/core/atomic-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('replaces the content and leaves no temp file', async () => {
    const path = join(dir, 'kubeconfig');
    await writeFile(path, 'old');
    await writeFileAtomic(path, 'new');
    await writeFileAtomic(join(dir, 'bytes'), new Uint8Array([104, 105]));
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readFile(join(dir, 'bytes'), 'utf8')).toBe('hi');
    expect((await readdir(dir)).sort()).toEqual(['bytes', 'kubeconfig']);
  });

  it.each([0o600, 0o644, 0o640])('honours mode %o', async (mode) => {
    const path = join(dir, 'secret');
    await writeFileAtomic(path, 'token', { mode });
    expect((await stat(path)).mode & 0o777).toBe(mode);
  });

  it('fails into a missing directory without creating anything', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'file'), 'x')).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes the temp file when the rename fails', async () => {
    await mkdir(join(dir, 'target'));
    await mkdir(join(dir, 'target', 'child'));
    await expect(writeFileAtomic(join(dir, 'target'), 'x')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['target']);
  });
});
