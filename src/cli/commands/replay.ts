import type { Command } from 'commander';
import { Option } from 'commander';
import { resolveStateDir, statePaths } from '../../core/state-dir.js';
import type { Diagnosis } from '../../core/diagnosis.js';
import type { ReasonerChoice } from '../../incident/choose-reasoner.js';
import type { RuleFamily } from '../../reasoner/rules/classify.js';
import { RULE_FAMILIES } from '../../reasoner/rules/classify.js';
import type { CliIO } from '../io.js';

export interface ReplayCliOptions {
  stateDir?: string;
  reasoner?: ReasonerChoice;
  model?: string;
  /** A guidance library to retrieve from; `false` (--no-guidance) for none. */
  guidance?: string | false;
  disableRules?: RuleFamily[];
  json?: boolean;
}

function describe(d: Diagnosis | undefined): string {
  if (!d) return 'none recorded';
  if (!d.detected) return 'no fault found';
  const root = d.rootCause;
  return `${d.faultyComponents.join(', ') || 'unknown'}${root ? ` — ${root.systemLevel} / ${root.faultType}` : ''}`;
}

/** Re-reasons a recorded run's observation with no cluster; exit 1 when the replay finds an incident, as diagnose. */
export async function replayCommand(id: string, options: ReplayCliOptions, io: CliIO): Promise<number> {
  const paths = statePaths(options.stateDir ?? resolveStateDir(io.env));
  const [{ findRun }, { replayRun, expectationOf, judge }, { chooseReasoner }, { loadConfig }, bench] =
    await Promise.all([
      import('./runs.js'),
      import('../../evolver/replay.js'),
      import('../../incident/choose-reasoner.js'),
      import('../../core/config.js'),
      import('./bench.js'),
    ]);
  const run = await findRun(id, paths.trajectories);
  const config = await loadConfig({ env: io.env });
  const chosen = await chooseReasoner({
    choice: options.reasoner ?? config.reasoner.backend,
    host: config.ollama.host,
    model: options.model ?? config.ollama.model,
    timeoutMs: config.ollama.timeoutMs,
    keepAlive: config.ollama.keepAlive,
    maxSteps: config.reasoner.maxSteps,
    rulesPrior: config.reasoner.rulesPrior,
    ...(options.disableRules?.length ? { rules: { disable: options.disableRules } } : {}),
    onNotice: (line) => io.stderr.write(`aoi: ${line}\n`),
  });
  if (chosen.notice) io.stderr.write(`aoi: ${chosen.notice}\n`);
  const library =
    options.guidance === false ? [] : await bench.loadGuidanceLibrary(options.guidance ?? paths.guidance, io);
  const { result, guidanceUsed } = await replayRun(run, chosen.reasoner, library);
  const expected = expectationOf(run);
  const matchesLabel = expected === undefined ? undefined : judge(result.diagnosis, expected);
  const recordedRight = expected === undefined || !run.diagnosis ? undefined : judge(run.diagnosis, expected);
  if (options.json) {
    io.stdout.write(
      `${JSON.stringify(
        {
          run: run.summary.id,
          reasoner: result.backend ?? chosen.reasoner.name,
          guidanceUsed: guidanceUsed.map((g) => ({ id: g.id, version: g.version, score: g.score })),
          diagnosis: result.diagnosis,
          rejected: result.rejected,
          ...(result.notes?.length ? { notes: result.notes } : {}),
          recorded: run.diagnosis ?? null,
          ...(run.summary.label ? { label: run.summary.label } : {}),
          ...(matchesLabel === undefined ? {} : { matchesLabel, recordedMatchedLabel: recordedRight }),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    const d = result.diagnosis;
    const lines = [
      `replayed ${run.summary.id} with ${result.backend ?? chosen.reasoner.name} (no cluster: the recorded observation)`,
      `guidance:  ${guidanceUsed.map((g) => `${g.id} v${g.version}`).join(', ') || '-'}`,
      `diagnosis: ${describe(d)}`,
      ...(d.rootCause ? [`summary:   ${d.rootCause.summary}`] : []),
      ...d.hypotheses.map((h) => `  - ${h.statement} (${h.confidence.toFixed(2)}; ${h.evidence.join(', ')})`),
      `recorded:  ${describe(run.diagnosis)}`,
      ...(result.notes ?? []).map((note) => `note:      ${note}`),
    ];
    if (matchesLabel !== undefined)
      lines.push(
        `label:     ${run.summary.label!.verdict}; the replay ${matchesLabel ? 'agrees with' : 'does not agree with'} what the label says (the recorded run ${recordedRight ? 'did' : 'did not'})`,
      );
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  return result.diagnosis.detected ? 1 : 0;
}

export function registerReplay(program: Command, io: CliIO): void {
  program
    .command('replay')
    .description("Re-reason a recorded run's observation with no cluster (try new guidance or a new model)")
    .argument('<id>', 'run id (a unique prefix is enough)')
    .addOption(
      new Option('--reasoner <backend>', 'reasoning backend (default: the config)').choices([
        'auto',
        'rules',
        'ollama',
      ]),
    )
    .option('--model <name>', 'Ollama model (default: the config)')
    .option('--guidance <dir>', 'guidance library to retrieve from (default: <state dir>/guidance)')
    .option('--no-guidance', 'replay without any guidance')
    .addOption(
      new Option('--disable-rules <family...>', 'switch off analyzer families of the rules backend').choices(
        RULE_FAMILIES,
      ),
    )
    .option('--state-dir <dir>', 'where trajectories and guidance live')
    .option('--json', 'print the replayed diagnosis as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  aoi replay 2026-12-03T10-00-00Z-ab12 --reasoner rules\n  aoi replay 2026-12-03T10-00-00Z-ab12 --guidance ./team-guidance -o json\n',
    )
    .action(async (id: string, options: ReplayCliOptions) => {
      process.exitCode = await replayCommand(id, options, io);
    });
}
