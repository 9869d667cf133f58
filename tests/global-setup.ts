import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_BUILD_CACHE, buildAoiForTests } from './built-aoi.js';

/**
 * Runs once before any test file: the process tests spawn this build of `aoi` (see built-aoi.ts). The build is
 * this run's own, named for the workers in AOI_TEST_BUILD, and removed when the run ends.
 */
export default function setup(): () => void {
  const root = join(TEST_BUILD_CACHE, `aoi-test-build-${process.pid}-${Date.now()}`);
  buildAoiForTests(root);
  process.env['AOI_TEST_BUILD'] = root;
  return () => rmSync(root, { recursive: true, force: true });
}
