import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { AoiError } from '../../core/errors.js';
import { resolveStateDir, statePaths } from '../../core/state-dir.js';
import type { LoadedRun, RunSummary } from '../../evolver/store.js';
import type { CliIO } from '../io.js';
import { textTable } from '../../core/text-table.js';

export interface RunsListOptions {
  stateDir?: string;
  failed?: boolean;
  problem?: RegExp;
  signal?: string;
  json?: boolean;
}

export interface RunsShowOptions {
  stateDir?: string;
  json?: boolean;
}

export interface RunsLabelOptions {
  stateDir?: string;
  verdict: 'right' | 'wrong' | 'partial';
  rootCause?: string;
  level?: string;
  type?: string;
  fix?: string;
  note?: string;
  json?: boolean;
  /** The label's time; the real clock unless a test drives it. */
  now?: () => Date;
}

function parseRegExp(value: string): RegExp {
  try {
    return new RegExp(value);
  } catch (error) {
    throw new InvalidArgumentError(`is not a valid regular expression: ${(error as Error).message}`);
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const verdictText = (s: RunSummary) => (s.verdict ? (s.verdict.success ? 'ok' : 'FAIL') : '-');
const labelText = (s: RunSummary) =>
  s.label ? `${s.label.verdict}${s.label.rootCause ? `:${s.label.rootCause}` : ''}` : '-';

export function renderRunList(runs: readonly RunSummary[]): string {
  const rows = [
    ['ID', 'PROBLEM', 'STATUS', 'EVAL', 'LABEL', 'SIGNALS', 'WARNINGS', 'STEPS', 'TIME', 'TOKENS'],
  ];
  const few = (list: readonly string[]) => list.slice(0, 4).join(',') + (list.length > 4 ? ',…' : '') || '-';
  for (const s of runs) {
    rows.push([
      s.id,
      s.problemId ?? '-',
      s.status ?? 'open',
      verdictText(s),
      labelText(s),
      few(s.signals),
      few(s.warnings),
      String(s.steps),
      seconds(s.durationMs),
      `${s.tokens.in}/${s.tokens.out}`,
    ]);
  }
  return textTable(rows);
}

function describeLabel(s: RunSummary): string {
  const l = s.label;
  if (!l) return 'none (aoi runs label)';
  const cause = [
    l.rootCause,
    l.systemLevel && l.faultType ? `${l.systemLevel} / ${l.faultType}` : (l.systemLevel ?? l.faultType),
  ].filter(Boolean);
  return (
    `${l.verdict}${cause.length > 0 ? ` (${cause.join('; ')})` : ''} by ${l.by} at ${l.at}` +
    `${l.fix ? `; fixed by: ${l.fix}` : ''}${l.note ? `; note: ${l.note}` : ''}`
  );
}

export function renderRun(run: LoadedRun): string {
  const s = run.summary;
  const lines = [
    `id:        ${s.id}`,
    `problem:   ${s.problemId ?? '-'}`,
    `started:   ${s.startedAt}`,
    `task:      ${s.task ?? '-'}`,
    `status:    ${s.status ?? 'open'}${s.summary ? ` (${s.summary})` : ''}`,
    `evaluator: ${s.verdict ? `${s.verdict.success ? 'success' : 'failure'}, score ${s.verdict.score}: ${s.verdict.detail}` : 'no verdict'}`,
    `label:     ${describeLabel(s)}`,
    `signals:   ${s.signals.join(', ') || '-'}`,
    `warnings:  ${s.warnings.join(', ') || '-'}`,
    `guidance:  ${s.guidanceUsed.join(', ') || '-'}`,
    `time:      ${seconds(s.durationMs)}, tokens ${s.tokens.in}/${s.tokens.out}`,
    'steps:',
    ...run.steps.map(
      (step) =>
        `  ${step.phase.padEnd(8)} ${step.agent.padEnd(10)} ${String(step.durationMs).padStart(6)} ms`,
    ),
  ];
  const root = run.diagnosis?.rootCause;
  if (run.diagnosis)
    lines.push(
      `diagnosis: ${run.diagnosis.faultyComponents.join(', ') || 'no fault'}${root ? ` — ${root.systemLevel} / ${root.faultType}: ${root.summary}` : ''}`,
    );
  return `${lines.join('\n')}\n`;
}

function trajectoriesDir(options: { stateDir?: string }, io: CliIO): string {
  return statePaths(options.stateDir ?? resolveStateDir(io.env)).trajectories;
}

export async function runsList(options: RunsListOptions, io: CliIO): Promise<number> {
  const { filterRuns, loadRuns } = await import('../../evolver/store.js');
  const runs = filterRuns(await loadRuns(trajectoriesDir(options, io)), {
    ...(options.failed ? { failed: true } : {}),
    ...(options.problem ? { problem: options.problem } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  }).map((r) => r.summary);
  if (options.json) io.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
  else io.stdout.write(runs.length === 0 ? 'no runs match\n' : `${renderRunList(runs)}\n`);
  return 0;
}

/** The run with this id, or the only one whose id starts with it. */
export async function findRun(id: string, dir: string): Promise<LoadedRun> {
  const { loadRuns } = await import('../../evolver/store.js');
  const runs = await loadRuns(dir);
  const matches = runs.filter((r) => r.summary.id === id || r.summary.id.startsWith(id));
  const exact = matches.find((r) => r.summary.id === id);
  const run = exact ?? (matches.length === 1 ? matches[0] : undefined);
  if (!run)
    throw new AoiError(
      'not-found',
      matches.length > 1
        ? `run id ${id} is ambiguous (${matches.length} runs start with it)`
        : `no run ${id}`,
      { hint: 'List the runs with `aoi runs list`.' },
    );
  return run;
}

export async function runsShow(id: string, options: RunsShowOptions, io: CliIO): Promise<number> {
  const run = await findRun(id, trajectoriesDir(options, io));
  if (options.json)
    io.stdout.write(
      `${JSON.stringify({ ...run.summary, steps: run.steps, diagnosis: run.diagnosis }, null, 2)}\n`,
    );
  else io.stdout.write(renderRun(run));
  return 0;
}

/** AIOpsLab's vocabulary, matched without regard to case ("network/storage issue" is fine). */
function vocabulary<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  const found = allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase());
  if (found) return found;
  throw new AoiError('usage', `${flag} "${value}" is not in AIOpsLab's vocabulary`, {
    hint: `Use one of: ${allowed.map((a) => `"${a}"`).join(', ')}.`,
  });
}

export async function runsLabel(id: string, options: RunsLabelOptions, io: CliIO): Promise<number> {
  const [{ FaultType, SystemLevel }, { appendLabel, labelLine, labeller }, { K8sName }] = await Promise.all([
    import('../../core/aiopslab.js'),
    import('../../evolver/labels.js'),
    import('../../core/k8s-names.js'),
  ]);
  if (options.rootCause !== undefined && !K8sName.safeParse(options.rootCause).success)
    throw new AoiError('usage', `--root-cause "${options.rootCause}" is not a component name`, {
      hint: 'Give the name of the Service or workload at fault, e.g. --root-cause mongodb-geo.',
    });
  const run = await findRun(id, trajectoriesDir(options, io));
  const label = labelLine(
    {
      verdict: options.verdict,
      ...(options.rootCause === undefined ? {} : { rootCause: options.rootCause }),
      ...(options.level === undefined
        ? {}
        : { systemLevel: vocabulary(options.level, SystemLevel.options, '--level') }),
      ...(options.type === undefined
        ? {}
        : { faultType: vocabulary(options.type, FaultType.options, '--type') }),
      ...(options.fix === undefined ? {} : { fix: options.fix }),
      ...(options.note === undefined ? {} : { note: options.note }),
    },
    labeller(io.env),
    (options.now ?? (() => new Date()))(),
  );
  await appendLabel(run.path, label);
  if (options.json) io.stdout.write(`${JSON.stringify({ run: run.summary.id, ...label }, null, 2)}\n`);
  else io.stdout.write(`labelled ${run.summary.id}: ${describeLabel({ ...run.summary, label })}\n`);
  return 0;
}

export function registerRuns(program: Command, io: CliIO): void {
  const runs = program.command('runs').description('Query the recorded trajectories');
  runs
    .command('list')
    .description(
      'One line per run: outcome, evaluator verdict, signals (error and worse), warnings, steps, time, tokens',
    )
    .option('--state-dir <dir>', 'where the trajectories are')
    .option('--failed', 'only runs the evaluator failed (or that failed on their own)')
    .option('--problem <regexp>', 'only runs of problems matching this regular expression', parseRegExp)
    .option('--signal <signal>', 'only runs whose evidence showed this signal (any severity from warning up)')
    .option('--json', 'print JSON')
    .action(async (options: RunsListOptions) => {
      process.exitCode = await runsList(options, io);
    });
  runs
    .command('show')
    .description('One run in detail')
    .argument('<id>', 'run id (a unique prefix is enough)')
    .option('--state-dir <dir>', 'where the trajectories are')
    .option('--json', 'print JSON')
    .action(async (id: string, options: RunsShowOptions) => {
      process.exitCode = await runsShow(id, options, io);
    });
  runs
    .command('label')
    .description('Record what really happened (right, wrong or partial; the real cause; the fix) on a run')
    .argument('<id>', 'run id (a unique prefix is enough)')
    .addOption(
      new Option('--verdict <verdict>', 'was the diagnosis right?')
        .choices(['right', 'wrong', 'partial'])
        .makeOptionMandatory(),
    )
    .option('--root-cause <component>', 'the component that really was at fault')
    .option(
      '--level <level>',
      'the real system level (AIOpsLab: Hardware, Operating System, Virtualization, Application)',
    )
    .option(
      '--type <type>',
      'the real fault type (AIOpsLab: Misconfiguration, Code Defect, Authentication Issue, …)',
    )
    .option('--fix <text>', 'what fixed it (secrets are redacted)')
    .option('--note <text>', 'anything else worth keeping')
    .option('--state-dir <dir>', 'where the trajectories are')
    .option('--json', 'print the label as JSON')
    .addHelpText(
      'after',
      "\nExample:\n  aoi runs label 2026-12-03T10-00-00Z-ab12 --verdict wrong --root-cause mongodb-geo --type 'Network/Storage Issue' --fix 'recreated the admin user'\n",
    )
    .action(async (id: string, options: RunsLabelOptions) => {
      process.exitCode = await runsLabel(id, options, io);
    });
}
