import { join } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { AoiError } from '../../core/errors.js';
import type { Guidance } from '../../core/guidance.js';
import { resolveStateDir, statePaths } from '../../core/state-dir.js';
import type { EvolveReport, SplitAttempt } from '../../evolver/evolve.js';
import type { Supervision } from '../../evolver/mine.js';
import type { ReasonerChoice } from '../../incident/choose-reasoner.js';
import type { RuleFamily } from '../../reasoner/rules/classify.js';
import { RULE_FAMILIES } from '../../reasoner/rules/classify.js';
import type { Problem } from '../../../aiopslab-harness/bench/problem.js';
import type { CliIO } from '../io.js';
import { guidanceSelector } from './bench.js';

export interface EvolveCliOptions {
  /** Both set: the bench path (support/query splits of problems); neither: learn from labelled runs. */
  support?: RegExp;
  query?: RegExp;
  holdout?: number;
  retireAfter?: number;
  stateDir?: string;
  problems?: string[];
  disableRules?: RuleFamily[];
  reasoner?: ReasonerChoice;
  concurrency: number;
  json?: boolean;
}

function parseRegExp(value: string): RegExp {
  try {
    return new RegExp(value);
  } catch (error) {
    throw new InvalidArgumentError(`is not a valid regular expression: ${(error as Error).message}`);
  }
}

function parseShare(value: string): number {
  const share = /^\d+(\.\d+)?%$/.test(value) ? Number(value.slice(0, -1)) / 100 : Number(value);
  if (!Number.isFinite(share) || share <= 0 || share >= 1)
    throw new InvalidArgumentError('must be a share between 0 and 1, e.g. 0.5 or 50%.');
  return share;
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('must be a whole number of at least 1.');
  return Number(value);
}

/** The evaluator's expected answer, the supervision signal; built for support problems only. */
function supervisionOf(problem: Problem): Supervision {
  switch (problem.task) {
    case 'analysis':
      return { systemLevel: problem.expect.systemLevel, faultType: problem.expect.faultType };
    case 'localization':
      return { faultyComponents: [...problem.expect.faultyComponents, ...(problem.expect.accepted ?? [])] };
    case 'detection':
      return { detection: problem.expect.detection };
    case 'mitigation':
      return {};
  }
}

const pct = (n: number, of: number) => (of === 0 ? '0.0%' : `${((n / of) * 100).toFixed(1)}%`);

export function renderEvolveReport(report: EvolveReport): string {
  const { support, query } = report;
  const lines = [
    `support: ${support.solved}/${support.problems} solved, ${report.clusters.length} failure cluster(s) mined`,
    `query before: ${query.before}/${query.problems} (${pct(query.before, query.problems)})`,
    `query after:  ${query.after}/${query.problems} (${pct(query.after, query.problems)})`,
  ];
  for (const c of report.candidates) {
    const why =
      c.regressions.length > 0
        ? `regresses ${c.regressions.join(', ')}`
        : `query ${query.before} -> ${c.queryAfter}`;
    lines.push(
      `${c.status.padEnd(9)} ${c.file} (${why})${c.edited ? ' [edited by hand: left as it is]' : ''}`,
    );
  }
  if (report.candidates.length === 0)
    lines.push('no candidate guidance: nothing to learn from the support split');
  return `${lines.join('\n')}\n`;
}

export async function evolveCommand(options: EvolveCliOptions, io: CliIO): Promise<number> {
  if (options.support === undefined && options.query === undefined) {
    const { evolveLabelled } = await import('./evolve-labelled.js');
    return evolveLabelled(options, io);
  }
  if (options.support === undefined || options.query === undefined)
    throw new AoiError(
      'usage',
      `--${options.support === undefined ? 'query' : 'support'} needs --${options.support === undefined ? 'support' : 'query'} too`,
      {
        hint: 'Give both splits to evolve on bench problems, or neither to learn from the runs labelled with `aoi runs label`.',
      },
    );
  const splits = { support: options.support, query: options.query };
  const [{ DEFAULT_PROBLEMS_DIR, loadProblems, filterProblems }, { runBench }, { aoiSolver }] =
    await Promise.all([
      import('../../../aiopslab-harness/bench/load-problems.js'),
      import('../../../aiopslab-harness/bench/runner.js'),
      import('../../../aiopslab-harness/bench/solvers/aoi.js'),
    ]);
  const all = await loadProblems(options.problems ?? [DEFAULT_PROBLEMS_DIR]);
  const support = filterProblems(all, { filter: splits.support });
  const query = filterProblems(all, { filter: splits.query });
  if (support.length === 0 || query.length === 0)
    throw new AoiError('usage', `the ${support.length === 0 ? 'support' : 'query'} split matches no problem`);
  const overlap = support.filter((p) => query.some((q) => q.id === p.id)).map((p) => p.id);
  if (overlap.length > 0)
    throw new AoiError('usage', `support and query splits must be disjoint; both hold ${overlap.join(', ')}`);

  const stateDir = options.stateDir ?? resolveStateDir(io.env);
  const paths = statePaths(stateDir);
  const [{ loadConfig }, { evolve }] = await Promise.all([
    import('../../core/config.js'),
    import('../../evolver/evolve.js'),
  ]);
  const config = await loadConfig({ env: io.env });
  const reasoner = options.reasoner ?? 'rules';
  const runSplit = async (
    split: 'support' | 'query',
    library: readonly Guidance[],
  ): Promise<SplitAttempt[]> => {
    const select = guidanceSelector(library);
    const factory = aoiSolver({
      reasoner,
      ollama: {
        host: config.ollama.host,
        model: config.ollama.model,
        timeoutMs: config.ollama.timeoutMs,
      },
      maxSteps: config.reasoner.maxSteps,
      policy: 'bench',
      stateDir,
      ...(options.disableRules?.length ? { rules: { disable: options.disableRules } } : {}),
      ...(select ? { selectGuidance: select } : {}),
    });
    const records = await runBench(split === 'support' ? support : query, factory, {
      attempts: 1,
      concurrency: options.concurrency,
      mode: 'strict',
    });
    return records.map((r) => ({
      problemId: r.problemId,
      success: r.success,
      ...(r.trajectoryId === undefined ? {} : { trajectoryId: r.trajectoryId }),
    }));
  };
  io.stderr.write(
    `aoi evolve: support ${support.length} problem(s), query ${query.length} problem(s), reasoner ${reasoner}` +
      `${options.disableRules?.length ? `, rules off: ${options.disableRules.join(', ')}` : ''}\n`,
  );
  const report = await evolve({
    guidanceDir: paths.guidance,
    trajectoriesDir: paths.trajectories,
    runSplit,
    supervision: new Map(support.map((p) => [p.id, supervisionOf(p)])),
    onProgress: (line) => io.stderr.write(`  ${line}\n`),
  });
  if (options.json) {
    const { clusters, ...rest } = report;
    const summary = {
      ...rest,
      clusters: clusters.map((c) => ({
        key: c.key,
        kind: c.kind,
        signals: c.signals,
        hint: c.hint,
        runs: c.cases.map((x) => x.run.summary.id),
      })),
    };
    io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    io.stdout.write(renderEvolveReport(report));
    io.stdout.write(`guidance: ${join(paths.guidance)}\n`);
  }
  return 0;
}

export function registerEvolve(program: Command, io: CliIO): void {
  program
    .command('evolve')
    .description(
      'Learn guidance from runs labelled wrong (aoi runs label), judged by replaying newer labelled runs; or, with --support/--query, from bench splits',
    )
    .option('--support <regexp>', 'bench: problem ids the guidance is learned from', parseRegExp)
    .option('--query <regexp>', 'bench: disjoint problem ids the guidance is judged on', parseRegExp)
    .option('--holdout <share>', 'labelled runs: newest share held out for judging (default 0.5)', parseShare)
    .option(
      '--retire-after <n>',
      'labelled runs: retire promoted guidance used in this many runs later labelled wrong (default 2)',
      parseCount,
    )
    .option('--state-dir <dir>', 'where trajectories and guidance live')
    .option('--problems <paths...>', 'problem files or directories (default: the shipped catalog)')
    .addOption(
      new Option('--disable-rules <family...>', 'switch off analyzer families of the rules backend').choices(
        RULE_FAMILIES,
      ),
    )
    .addOption(
      new Option('--reasoner <backend>', "the agent's reasoner (default: rules)").choices([
        'auto',
        'rules',
        'ollama',
      ]),
    )
    .option('--concurrency <n>', 'problems run at once', parseCount, 4)
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      "\nExamples:\n  aoi evolve\n  aoi evolve --holdout 30% --retire-after 3\n  aoi evolve --support 'mongodb-analysis-1$' --query 'mongodb-analysis-2$' --disable-rules log-classification\n",
    )
    .action(async (options: EvolveCliOptions) => {
      process.exitCode = await evolveCommand(options, io);
    });
}
