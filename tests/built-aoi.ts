/**
 * The `aoi` the process tests run: the sources transpiled file by file (esbuild, the transformer tsx itself
 * uses) into a package laid out as `npm pack` ships it, under node_modules/.cache so bare imports resolve to
 * the project's dependencies. A child then starts as the installed product does, without tsx compiling ~300
 * files in every one of several hundred processes, which was most of the suite's CPU. Types are checked by
 * `npm run typecheck`; the packed tarball itself by .ci/packed-smoke.sh.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

export const REPO_ROOT = resolve(import.meta.dirname, '..');
export const BUILT_ROOT = join(REPO_ROOT, 'node_modules', '.cache', 'aoi-test-build');
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

/** Builds the package into a fresh folder, then swaps it in, so a reader never sees half a build. */
export function buildAoiForTests(): string {
  const staging = `${BUILT_ROOT}.${process.pid}.${Date.now()}`;
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
  if (existsSync(BUILT_ROOT)) rmSync(BUILT_ROOT, { recursive: true, force: true });
  renameSync(staging, BUILT_ROOT);
  return BUILT_AOI_BIN;
}
