/** `aoi guidance export|import`: sharing a library as a tarball (src/evolver/share.ts). */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-file.js';
import { AoiError } from '../../core/errors.js';
import type { CliIO } from '../io.js';
import type { GuidanceCliOptions } from './guidance-library.js';
import { load } from './guidance-library.js';

export async function guidanceExport(out: string, options: GuidanceCliOptions, io: CliIO): Promise<number> {
  const { dir } = await load(options, io);
  const { exportLibrary } = await import('../../evolver/share.js');
  const { archive, manifest } = await exportLibrary(dir, (options.now ?? (() => new Date()))());
  await mkdir(dirname(resolve(out)), { recursive: true });
  await writeFileAtomic(out, archive);
  io.stdout.write(`exported ${manifest.files.length} guidance file(s) from ${dir} to ${out}\n`);
  return 0;
}

/** Exit 1 when a file was left as it is because it was edited here (a conflict to resolve by hand). */
export async function guidanceImport(
  archive: string,
  options: GuidanceCliOptions,
  io: CliIO,
): Promise<number> {
  const { dir } = await load(options, io);
  const { importLibrary } = await import('../../evolver/share.js');
  const data = await readFile(archive).catch((error: NodeJS.ErrnoException) => {
    throw new AoiError(
      error.code === 'ENOENT' ? 'not-found' : 'io',
      `cannot read ${archive}: ${error.message}`,
      {
        hint: 'Give the path of an archive made by `aoi guidance export`.',
      },
    );
  });
  const report = await importLibrary(dir, data, archive);
  if (options.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else
    for (const f of report.files)
      io.stdout.write(`${f.outcome.padEnd(9)} ${f.file}${f.why ? ` (${f.why})` : ''}\n`);
  const conflicts = report.files.filter((f) => f.outcome === 'conflict');
  if (conflicts.length > 0)
    io.stderr.write(
      `aoi: ${conflicts.length} file(s) edited here were not overwritten; compare with \`aoi guidance show\` and merge by hand\n`,
    );
  return conflicts.length > 0 ? 1 : 0;
}
