/**
 * The `aoi` the process tests run: the sources transpiled file by file (esbuild, the transformer tsx itself
 * uses) into a package laid out as `npm pack` ships it, under node_modules/.cache so bare imports resolve to
 * the project's dependencies. A child then starts as the installed product does, without tsx compiling ~300
 * files in every one of several hundred processes, which was most of the suite's CPU. Types are checked by
 * `npm run typecheck`; the packed tarball itself by .ci/packed-smoke.sh.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

import { buildSync } from 'esbuild';

export const REPO_ROOT = resolve(import.meta.dirname, '..');
export const TEST_BUILD_CACHE = join(REPO_ROOT, 'node_modules', '.cache');
/**
 * Each test run builds its own copy (global-setup.ts names it in AOI_TEST_BUILD, which the workers inherit), so
 * two runs in one checkout never swap a build out from under the other's children.
 */
export const BUILT_ROOT = process.env['AOI_TEST_BUILD'] ?? join(TEST_BUILD_CACHE, 'aoi-test-build');
export const BUILT_AOI_BIN = join(BUILT_ROOT, 'bin', 'aoi.js');

const SOURCE_DIRS = ['src', 'aiopslab-harness/sim', 'aiopslab-harness/bench'];
const SHIPPED = ['policies', 'aiopslab-harness/problems', 'docs'];

function typescriptFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) typescriptFiles(path, out);
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** A day-old build belongs to a run that died before its teardown. */
const STALE_MS = 24 * 60 * 60 * 1000;

function removeStaleBuilds(): void {
  if (!existsSync(TEST_BUILD_CACHE)) return;
  for (const entry of readdirSync(TEST_BUILD_CACHE))
    if (entry.startsWith('aoi-test-build')) {
      const path = join(TEST_BUILD_CACHE, entry);
      if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
    }
}

/** Builds the package into a folder of this run's own, complete before any test sees it. */
export function buildAoiForTests(root: string): string {
  removeStaleBuilds();
  const staging = `${root}.staging`;
  mkdirSync(staging, { recursive: true });
  buildSync({
    entryPoints: SOURCE_DIRS.flatMap((dir) => typescriptFiles(join(REPO_ROOT, dir))),
    outdir: join(staging, 'dist'),
    outbase: REPO_ROOT,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    jsx: 'automatic',
    logLevel: 'error',
  });
  cpSync(join(REPO_ROOT, 'package.json'), join(staging, 'package.json'));
  cpSync(join(REPO_ROOT, 'bin'), join(staging, 'bin'), { recursive: true });
  for (const shipped of SHIPPED) {
    mkdirSync(join(staging, shipped, '..'), { recursive: true });
    symlinkSync(join(REPO_ROOT, shipped), join(staging, shipped));
  }
  if (existsSync(root)) rmSync(root, { recursive: true, force: true });
  renameSync(staging, root);
  return join(root, 'bin', 'aoi.js');
}
