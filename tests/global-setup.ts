import { buildAoiForTests } from './built-aoi.js';

/** Runs once before any test file: the process tests spawn this build of `aoi` (see built-aoi.ts). */
export default function setup(): void {
  buildAoiForTests();
}
