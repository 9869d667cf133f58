/** `aoi sim problems`: the ids `--sim` and `aoi sim start --problem` accept, from the shipped catalog. */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { TaskType } from '../../core/aiopslab.js';
import { TASK_TYPES } from '../../core/task-types.js';
import { AoiError } from '../../core/errors.js';
import type { CliIO } from '../io.js';

export interface SimProblemsOptions {
  app?: string;
  task?: TaskType;
  output: 'text' | 'json';
}

export async function simProblems(options: SimProblemsOptions, io: CliIO): Promise<number> {
  const { loadProblems } = await import('../../../aiopslab-harness/bench/load-problems.js');
  const all = await loadProblems();
  const apps: string[] = [...new Set(all.map((p) => p.app))].sort();
  if (options.app !== undefined && !apps.includes(options.app))
    throw new AoiError('usage', `no app "${options.app}" in the catalog`, {
      hint: `apps: ${apps.join(', ')}`,
    });
  const rows = all
    .filter(
      (p) =>
        (options.app === undefined || p.app === options.app) && (!options.task || p.task === options.task),
    )
    .map((p) => ({ id: p.id, app: p.app, namespace: p.namespace, task: p.task }));
  if (options.output === 'json') {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(2, ...rows.map((r) => r.id.length));
  const appWidth = Math.max(3, ...rows.map((r) => r.app.length));
  io.stdout.write(
    [
      `${'ID'.padEnd(width)}  ${'APP'.padEnd(appWidth)}  TASK`,
      ...rows.map((r) => `${r.id.padEnd(width)}  ${r.app.padEnd(appWidth)}  ${r.task}`),
    ].join('\n') + '\n',
  );
  io.stderr.write(`aoi sim problems: ${rows.length} of ${all.length} problem(s)\n`);
  return 0;
}

/** Added under `aoi sim` (looked up by name, so this file stays the only one to change for it). */
export function registerSimProblems(program: Command, io: CliIO): void {
  const sim = program.commands.find((c) => c.name() === 'sim');
  if (!sim) throw new Error('aoi sim is not registered');
  sim
    .command('problems')
    .description('List the problem ids that --sim and `aoi sim start --problem` accept')
    .option('--app <name>', 'only this application')
    .addOption(new Option('--task <task>', 'only this task type').choices(TASK_TYPES))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      '\nExamples:\n  aoi sim problems --task mitigation\n  aoi sim problems --app social-network -o json\n',
    )
    .action(async (options: SimProblemsOptions) => {
      process.exitCode = await simProblems(options, io);
    });
}
