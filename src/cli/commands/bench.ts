import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { writeFileAtomic } from '../../core/atomic-file.js';
import { AoiError } from '../../core/errors.js';
import type { TaskType } from '../../core/aiopslab.js';
import { TASK_TYPES } from '../../core/task-types.js';
import type { MitigationMode } from '../../../aiopslab-harness/bench/evaluate.js';
import type { SolverName } from '../../../aiopslab-harness/bench/solvers/names.js';
import { SOLVER_NAMES } from '../../../aiopslab-harness/bench/solvers/names.js';
import type { CliIO } from '../io.js';
import type { ReasonerChoice } from '../../incident/choose-reasoner.js';
import { ollamaSettings, parseKeepAlive, parseWhole } from '../incident-setup.js';
import { resolveStateDir } from '../../core/state-dir.js';
import type { Guidance } from '../../core/guidance.js';
import type { Evidence } from '../../core/evidence.js';
import { retrieveGuidance } from '../../evolver/retrieve.js';
import type { RuleFamily } from '../../reasoner/rules/classify.js';
import { RULE_FAMILIES } from '../../reasoner/rules/classify.js';
import { registerBenchGenerate } from './bench-generate.js';

/** The agent's retrieval over a guidance library: promoted notes matching each incident's evidence. */
export function guidanceSelector(
  library: readonly Guidance[],
): ((evidence: Evidence[]) => ReturnType<typeof retrieveGuidance>) | undefined {
  if (library.length === 0) return undefined;
  return (evidence) => retrieveGuidance(library, evidence);
}

export async function loadGuidanceLibrary(dir: string, io: CliIO): Promise<Guidance[]> {
  const { loadGuidanceDir } = await import('../../evolver/guidance-files.js');
  const { files, invalid } = await loadGuidanceDir(dir);
  for (const bad of invalid) io.stderr.write(`aoi: skipping guidance ${bad.error}\n`);
  return files.map((f) => f.guidance);
}

interface BenchOptions {
  shard?: string;
  problems?: string[];
  filter?: RegExp;
  task?: TaskType;
  attempts: number;
  concurrency: number;
  json?: string;
  minSuccess?: number;
  solver: SolverName;
  mode: MitigationMode;
  reasoner?: ReasonerChoice;
  model?: string;
  ollamaHost?: string;
  numCtx?: number;
  keepAlive?: string;
  rulesPrior?: boolean;
  policy: string;
  stateDir?: string;
  disableRules?: RuleFamily[];
  guidance?: string;
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('must be a whole number of at least 1.');
  return Number(value);
}

function parseRegExp(value: string): RegExp {
  try {
    return new RegExp(value);
  } catch (error) {
    throw new InvalidArgumentError(`is not a valid regular expression: ${(error as Error).message}`);
  }
}

/** A success rate as a fraction (0.8) or a percentage (80%). */
function parseRate(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  const rate = match ? Number(match[1]) / (match[2] ? 100 : 1) : NaN;
  if (!(rate >= 0 && rate <= 1))
    throw new InvalidArgumentError('must be a fraction from 0 to 1 or a percentage such as 80%.');
  return rate;
}

/** The bench's modules (and the Kubernetes client under them) load only when a bench runs. */
async function loadBench() {
  const [problems, report, runner, solvers] = await Promise.all([
    import('../../../aiopslab-harness/bench/load-problems.js'),
    import('../../../aiopslab-harness/bench/report.js'),
    import('../../../aiopslab-harness/bench/runner.js'),
    import('../../../aiopslab-harness/bench/solvers/index.js'),
  ]);
  return { ...problems, ...report, ...runner, ...solvers };
}

export async function bench(options: BenchOptions, io: CliIO): Promise<number> {
  const {
    DEFAULT_PROBLEMS_DIR,
    SOLVERS,
    aoiSolver,
    filterProblems,
    loadProblems,
    renderKindTable,
    renderProblemTable,
    renderSummary,
    runBench,
    summariseBench,
  } = await loadBench();
  let factory;
  let label: string = options.solver;
  if (options.solver === 'aoi') {
    const { loadConfig } = await import('../../core/config.js');
    const config = await loadConfig({ env: io.env });
    const reasoner = options.reasoner ?? config.reasoner.backend;
    label = `aoi (reasoner ${reasoner}, policy ${options.policy}${options.disableRules?.length ? `, rules off: ${options.disableRules.join(', ')}` : ''})`;
    const select = options.guidance
      ? guidanceSelector(await loadGuidanceLibrary(options.guidance, io))
      : undefined;
    factory = aoiSolver({
      ...(options.disableRules?.length ? { rules: { disable: options.disableRules } } : {}),
      ...(select ? { selectGuidance: select } : {}),
      reasoner,
      ollama: ollamaSettings(options, config),
      maxSteps: config.reasoner.maxSteps,
      policy: options.policy,
      stateDir: options.stateDir ?? resolveStateDir(io.env),
    });
  } else {
    if (
      options.reasoner !== undefined ||
      options.disableRules !== undefined ||
      options.guidance !== undefined
    )
      throw new AoiError(
        'usage',
        `--reasoner, --disable-rules and --guidance apply to the aoi solver, not ${options.solver}`,
      );
    factory = SOLVERS[options.solver];
  }
  const all = await loadProblems(options.problems ?? [DEFAULT_PROBLEMS_DIR]);
  const filtered = filterProblems(all, {
    ...(options.filter ? { filter: options.filter } : {}),
    ...(options.task ? { task: options.task } : {}),
  });
  const { parseShard, shardProblems } = await import('../../../aiopslab-harness/bench/shard.js');
  let shard;
  try {
    shard = options.shard === undefined ? undefined : parseShard(options.shard);
  } catch (error) {
    throw new AoiError('usage', (error as Error).message);
  }
  const problems = shard ? shardProblems(filtered, shard) : filtered;
  if (problems.length === 0)
    throw new AoiError('usage', `no problem matches (${all.length} loaded)`, {
      hint: 'Loosen --filter or --task.',
    });
  io.stderr.write(
    `aoi bench: ${problems.length} problems × ${options.attempts} attempts, solver ${label}, ${options.mode} mitigation checks\n`,
  );
  let done = 0;
  const total = problems.length * options.attempts;
  const records = await runBench(problems, factory, {
    attempts: options.attempts,
    concurrency: options.concurrency,
    mode: options.mode,
    onRecord: (r) =>
      io.stderr.write(
        `  [${++done}/${total}] ${r.success ? 'ok  ' : 'FAIL'} ${r.problemId}${r.error ? ` (${r.error})` : ''}\n`,
      ),
  });
  const summaries = summariseBench(records);
  io.stdout.write(
    `${renderProblemTable(records)}\n\n${renderSummary(summaries, options.attempts)}\n\n` +
      `${renderKindTable(records, options.attempts)}\n`,
  );
  if (options.json) {
    const report = {
      solver: options.solver,
      mode: options.mode,
      attempts: options.attempts,
      ...(shard ? { shard } : {}),
      summary: summaries,
      records,
    };
    await writeFileAtomic(options.json, `${JSON.stringify(report, null, 2)}\n`);
  }
  const overall = summaries.at(-1)!;
  if (options.minSuccess !== undefined && overall.avgAt1 < options.minSuccess) {
    io.stderr.write(
      `aoi bench: avg@1 ${(overall.avgAt1 * 100).toFixed(1)}% is below --min-success ${(options.minSuccess * 100).toFixed(1)}%\n`,
    );
    return 1;
  }
  return 0;
}

export function registerBench(program: Command, io: CliIO): void {
  const command = program
    .command('bench')
    .description('Run AIOpsLab problems on fresh simulated clusters and score them as AIOpsLab does')
    .option('--problems <paths...>', 'problem files or directories (default: the shipped catalog)')
    .option('--filter <regexp>', 'only problem ids matching this regular expression', parseRegExp)
    .addOption(new Option('--task <type>', 'only this task type').choices(TASK_TYPES))
    .option('--attempts <n>', 'attempts per problem (best@N counts any success)', parseCount, 1)
    .option('--concurrency <n>', 'problems run at once', parseCount, 4)
    .option('--json <file>', 'also write every record and the summary as JSON')
    .option(
      '--min-success <rate>',
      'exit 1 when avg@1 over all problems is below this rate (a CI gate)',
      parseRate,
    )
    .addOption(
      new Option('--solver <name>', 'who solves the problems: the agent or a reference solver')
        .choices(SOLVER_NAMES)
        .default('aoi'),
    )
    .addOption(
      new Option('--reasoner <backend>', "the agent's reasoner (default: auto)").choices([
        'auto',
        'rules',
        'ollama',
      ]),
    )
    .option('--model <name>', 'Ollama model for the agent')
    .option('--ollama-host <url>', 'Ollama server for the agent')
    .option('--num-ctx <tokens>', 'Ollama context window for every request (default: sized)', parseWhole(256))
    .option(
      '--keep-alive <duration>',
      'how long Ollama keeps the model loaded (default: 30m)',
      parseKeepAlive,
    )
    .option('--no-rules-prior', "do not give the model the rules backend's diagnosis as a hypothesis")
    .option('--policy <name|file>', "the agent's policy for mitigation tasks", 'bench')
    .option('--state-dir <dir>', "where the agent's trajectories and audit logs go")
    .addOption(
      new Option(
        '--disable-rules <family...>',
        'switch off analyzer families of the rules backend (weakens the agent on purpose)',
      ).choices(RULE_FAMILIES),
    )
    .option('--shard <I/N>', 'run only shard I of N (0-based; problems sorted by id, dealt round-robin)')
    .option('--guidance <dir>', 'guidance directory the agent retrieves promoted notes from')
    .addOption(
      new Option('--mode <mode>', 'mitigation checks: strict also requires the fault undone')
        .choices(['strict', 'faithful'])
        .default('strict'),
    )
    .addHelpText(
      'after',
      '\nExamples:\n  aoi bench --reasoner rules --min-success 90%\n  aoi bench --solver oracle --min-success 100%\n  aoi bench --solver nothing --task detection --json nothing.json\n',
    )
    .action(async (options: BenchOptions) => {
      process.exitCode = await bench(options, io);
    });
  registerBenchGenerate(command, io);
  command
    .command('merge')
    .description('Merge the --json reports of aoi bench --shard runs into one')
    .argument('<reports...>')
    .option('--json <file>', 'write the merged report')
    .action(async (files: string[], o: { json?: string }) => {
      const [{ mergeReportFiles }, { renderKindTable, renderProblemTable, renderSummary }] =
        await Promise.all([
          import('../../../aiopslab-harness/bench/shard.js'),
          import('../../../aiopslab-harness/bench/report.js'),
        ]);
      let merged;
      try {
        merged = await mergeReportFiles(files);
      } catch (error) {
        throw new AoiError('usage', (error as Error).message);
      }
      io.stdout.write(
        `${renderProblemTable(merged.records)}\n\n${renderSummary(merged.summary, merged.attempts)}\n\n` +
          `${renderKindTable(merged.records, merged.attempts)}\n`,
      );
      if (o.json) await writeFileAtomic(o.json, `${JSON.stringify(merged, null, 2)}\n`);
      process.exitCode = 0;
    });
}
