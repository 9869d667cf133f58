import { resolveStateDir, statePaths } from '../../core/state-dir.js';
import type { CliIO } from '../io.js';

export interface GuidanceCliOptions {
  stateDir?: string;
  /** The library (default: <state dir>/guidance). */
  dir?: string;
  json?: boolean;
  reason?: string;
  now?: () => Date;
}

/** The guidance library with what the recorded runs say of each file. */
export async function load(options: GuidanceCliOptions, io: CliIO) {
  const paths = statePaths(options.stateDir ?? resolveStateDir(io.env));
  const dir = options.dir ?? paths.guidance;
  const [{ loadGuidanceDir }, { loadRuns }, { usageOf }] = await Promise.all([
    import('../../evolver/guidance-files.js'),
    import('../../evolver/store.js'),
    import('../../evolver/usage.js'),
  ]);
  const { files, invalid } = await loadGuidanceDir(dir);
  for (const bad of invalid) io.stderr.write(`aoi: skipping guidance ${bad.file}: ${bad.error}\n`);
  const runs = await loadRuns(paths.trajectories);
  return { dir, files, reviewed: files.map((file) => ({ file, usage: usageOf(file, runs) })) };
}
