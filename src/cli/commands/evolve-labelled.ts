/** `aoi evolve` with no splits: learning from the runs people labelled (src/evolver/evolve-labels.ts). */
import { resolveStateDir, statePaths } from '../../core/state-dir.js';
import type { LabelEvolveReport } from '../../evolver/evolve-labels.js';
import type { ReasonerChoice } from '../../incident/choose-reasoner.js';
import type { RuleFamily } from '../../reasoner/rules/classify.js';
import type { CliIO } from '../io.js';

export interface EvolveLabelledOptions {
  stateDir?: string;
  holdout?: number;
  retireAfter?: number;
  disableRules?: RuleFamily[];
  reasoner?: ReasonerChoice;
  json?: boolean;
  now?: () => Date;
}

const pct = (n: number, of: number) => (of === 0 ? '0.0%' : `${((n / of) * 100).toFixed(1)}%`);

export function renderLabelReport(report: LabelEvolveReport): string {
  const { learn, judge } = report;
  const lines = [
    `labelled runs: ${report.labelled} (learn from the older ${learn.runs}, ${learn.wrong} of them wrong; judge on the newer ${judge.runs})`,
    ...report.retired.map(
      (r) =>
        `${r.edited ? 'flagged  ' : 'retired  '} ${r.file} (${r.reason})${r.edited ? ' [edited by hand: left as it is]' : ''}`,
    ),
    `${report.clusters.length} failure cluster(s) mined`,
    `held-out before: ${judge.before}/${judge.runs} (${pct(judge.before, judge.runs)})`,
    `held-out after:  ${judge.after}/${judge.runs} (${pct(judge.after, judge.runs)})`,
  ];
  for (const c of report.candidates) {
    const why =
      c.regressions.length > 0
        ? `breaks ${c.regressions.join(', ')}`
        : c.fixed.length > 0
          ? `fixes ${c.fixed.join(', ')}`
          : 'fixes no held-out run';
    lines.push(
      `${c.status.padEnd(9)} ${c.file} (${why})${c.edited ? ' [edited by hand: left as it is]' : ''}`,
    );
  }
  if (report.labelled === 0)
    lines.push(
      'nothing to learn from: label runs first, e.g. aoi runs label RUN --verdict wrong --root-cause NAME',
    );
  else if (report.candidates.length === 0) lines.push('no new candidate guidance');
  return `${lines.join('\n')}\n`;
}

export async function evolveLabelled(options: EvolveLabelledOptions, io: CliIO): Promise<number> {
  const paths = statePaths(options.stateDir ?? resolveStateDir(io.env));
  const [{ evolveFromLabels }, { chooseReasoner }, { loadConfig }] = await Promise.all([
    import('../../evolver/evolve-labels.js'),
    import('../../incident/choose-reasoner.js'),
    import('../../core/config.js'),
  ]);
  const config = await loadConfig({ env: io.env });
  // Replays must be repeatable to judge by: rules unless a backend is asked for.
  const chosen = await chooseReasoner({
    choice: options.reasoner ?? 'rules',
    host: config.ollama.host,
    model: config.ollama.model,
    timeoutMs: config.ollama.timeoutMs,
    keepAlive: config.ollama.keepAlive,
    maxSteps: config.reasoner.maxSteps,
    rulesPrior: config.reasoner.rulesPrior,
    ...(options.disableRules?.length ? { rules: { disable: options.disableRules } } : {}),
  });
  io.stderr.write(
    `aoi evolve: labelled runs under ${paths.trajectories}, replayed with ${chosen.reasoner.name}` +
      `${options.disableRules?.length ? `, rules off: ${options.disableRules.join(', ')}` : ''}\n`,
  );
  const report = await evolveFromLabels({
    guidanceDir: paths.guidance,
    trajectoriesDir: paths.trajectories,
    reasoner: chosen.reasoner,
    ...(options.holdout === undefined ? {} : { holdout: options.holdout }),
    ...(options.retireAfter === undefined ? {} : { retireAfter: options.retireAfter }),
    ...(options.now === undefined ? {} : { now: options.now }),
    onProgress: (line) => io.stderr.write(`  ${line}\n`),
  });
  if (options.json) {
    const { clusters, ...rest } = report;
    io.stdout.write(
      `${JSON.stringify(
        {
          ...rest,
          clusters: clusters.map((c) => ({
            key: c.key,
            kind: c.kind,
            signals: c.signals,
            hint: c.hint,
            runs: c.cases.map((x) => x.run.summary.id),
          })),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    io.stdout.write(renderLabelReport(report));
    io.stdout.write(`guidance: ${paths.guidance}\n`);
  }
  return 0;
}
