import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { writeFileAtomic } from '../../core/atomic-file.js';
import { resolveStateDir, statePaths } from '../../core/state-dir.js';
import type { ExportFormat } from '../../evolver/export.js';
import type { CliIO } from '../io.js';

export interface ExportOptions {
  format: ExportFormat;
  out?: string;
  stateDir?: string;
}

export async function exportCommand(options: ExportOptions, io: CliIO): Promise<number> {
  const dir = statePaths(options.stateDir ?? resolveStateDir(io.env)).trajectories;
  const [{ exportRuns }, { loadRuns }] = await Promise.all([
    import('../../evolver/export.js'),
    import('../../evolver/store.js'),
  ]);
  const runs = await loadRuns(dir);
  const records = exportRuns(runs, options.format);
  // Rewards come from the evaluator: without a verdict a run has nothing to train on, which must be said.
  if (runs.length === 0) io.stderr.write(`aoi export: no runs under ${dir}\n`);
  else if (!runs.some((r) => r.summary.verdict))
    io.stderr.write(
      `aoi export: none of the ${runs.length} run(s) carries an evaluator verdict, so there is nothing to export\n` +
        '  runs get a verdict from `aoi bench`; `aoi diagnose` runs are not scored\n',
    );
  const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');
  if (options.out) {
    await mkdir(dirname(options.out), { recursive: true });
    await writeFileAtomic(options.out, text);
  } else io.stdout.write(text);
  io.stderr.write(`aoi export: ${records.length} ${options.format} record(s) from ${runs.length} run(s)\n`);
  return 0;
}

export function registerExport(program: Command, io: CliIO): void {
  program
    .command('export')
    .description('Trajectories as JSONL training data (prompt, response, reward from the evaluator)')
    .addOption(
      new Option('--format <format>', 'sft: accepted runs as chat messages; grpo: every scored run')
        .choices(['sft', 'grpo'])
        .makeOptionMandatory(),
    )
    .option('--out <file>', 'write to this file (default: stdout)')
    .option('--state-dir <dir>', 'where the trajectories are')
    .action(async (options: ExportOptions) => {
      process.exitCode = await exportCommand(options, io);
    });
}
