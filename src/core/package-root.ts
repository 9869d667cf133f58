/**
 * Where the files aoi ships beside its code lie (the problem catalog, the policies, the docs): under the
 * package root, which is two directories above this module in the sources (src/core, run through tsx) and
 * three in the build (dist/src/core). Every path to a shipped file is made here, so `npm run build`, the
 * packed tarball and a development checkout all find the same files.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

let root: string | undefined;

/** The directory holding aoi's package.json. tsc emits no package.json into dist/, so the nearer one wins. */
export function packageRoot(): string {
  root ??= [resolve(HERE, '../..'), resolve(HERE, '../../..')].find((dir) =>
    existsSync(join(dir, 'package.json')),
  );
  if (root === undefined)
    throw new Error(`aoi: no package.json above ${HERE}; the installation is incomplete`);
  return root;
}

/** A shipped file or folder, e.g. `shippedPath('policies')`. */
export function shippedPath(...segments: string[]): string {
  return join(packageRoot(), ...segments);
}

/** The shipped AIOpsLab problem catalog. */
export const shippedProblemsDir = (): string => shippedPath('aiopslab-harness', 'problems');

/** The shipped policies (default, standard, bench). */
export const shippedPoliciesDir = (): string => shippedPath('policies');
