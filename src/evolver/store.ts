/**
 * The trajectory store as the evolver reads it: one summary per recorded run (outcome, the evaluator's verdict
 * when a bench appended one, signals seen, steps, time, tokens), plus the parsed evidence and diagnosis.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { TaskType } from '../core/aiopslab.js';
import type { TaskType as Task } from '../core/aiopslab.js';
import { Diagnosis } from '../core/diagnosis.js';
import { Evidence } from '../core/evidence.js';
import { readJsonl } from '../core/jsonl.js';
import type {
  TrajectoryHeader,
  TrajectoryLabel,
  TrajectoryOutcome,
  TrajectoryStatus,
  TrajectoryStep,
} from '../core/trajectory.js';
import { TrajectoryLine } from '../core/trajectory.js';

export interface Verdict {
  success: boolean;
  score: number;
  detail: string;
}

export interface RunSummary {
  id: string;
  problemId?: string;
  startedAt: string;
  task?: Task;
  /** The agent's own outcome; absent while a run is in progress or after a crash. */
  status?: TrajectoryStatus;
  summary?: string;
  /** The evaluator's verdict: the last outcome line that carries a score. */
  verdict?: Verdict;
  /** Distinct signals of error or critical evidence, most frequent first. */
  signals: string[];
  /** Distinct signals seen only at warning level, most frequent first. */
  warnings: string[];
  steps: number;
  durationMs: number;
  tokens: { in: number; out: number };
  guidanceUsed: string[];
  /** The latest label a person gave the run (`aoi runs label`); earlier ones stay in the file. */
  label?: TrajectoryLabel;
}

export interface LoadedRun {
  /** The trajectory file. */
  path: string;
  summary: RunSummary;
  header: TrajectoryHeader;
  steps: TrajectoryStep[];
  evidence: Evidence[];
  diagnosis?: Diagnosis;
}

const ObserveOutput = z.object({ evidence: z.array(Evidence) });
const ReasonInput = z.object({ task: TaskType.nullable().optional() });
const ReasonOutput = z.object({
  diagnosis: Diagnosis,
  guidanceUsed: z.array(z.object({ id: z.string() })).optional(),
});

const EVALUATOR = /^evaluator: /;

function verdictOf(outcomes: TrajectoryOutcome[]): Verdict | undefined {
  const scored = outcomes.filter((o) => o.score !== undefined).at(-1);
  if (!scored || scored.score === undefined) return undefined;
  return {
    success: scored.score >= 1,
    score: scored.score,
    detail: (scored.summary ?? '').replace(EVALUATOR, ''),
  };
}

function signalsOf(evidence: readonly Evidence[], severities: readonly Evidence['severity'][]): string[] {
  const counts = new Map<string, number>();
  for (const ev of evidence)
    if (severities.includes(ev.severity)) counts.set(ev.signal, (counts.get(ev.signal) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([s]) => s);
}

/** Reads one trajectory file; undefined when it is not a trajectory (no header line). */
export async function loadRun(path: string): Promise<LoadedRun | undefined> {
  const { records } = await readJsonl(path, TrajectoryLine);
  const [header] = records;
  if (header?.type !== 'header') return undefined;
  const steps = records.filter((r): r is TrajectoryStep => r.type === 'step');
  const outcomes = records.filter((r): r is TrajectoryOutcome => r.type === 'outcome');
  const label = records.filter((r): r is TrajectoryLabel => r.type === 'label').at(-1);
  const observe = steps.find((s) => s.phase === 'observe');
  const reason = steps.find((s) => s.phase === 'reason');
  const evidence = ObserveOutput.safeParse(observe?.output);
  const reasonOut = ReasonOutput.safeParse(reason?.output);
  const reasonIn = ReasonInput.safeParse(reason?.input);
  const own = outcomes.find((o) => o.score === undefined) ?? outcomes[0];
  const verdict = verdictOf(outcomes);
  const task = reasonIn.success ? reasonIn.data.task : undefined;
  const observed = evidence.success ? evidence.data.evidence : [];
  const severe = signalsOf(observed, ['error', 'critical']);
  const summary: RunSummary = {
    id: header.id,
    startedAt: header.startedAt,
    signals: severe,
    warnings: signalsOf(observed, ['warning']).filter((signal) => !severe.includes(signal)),
    steps: steps.length,
    durationMs: steps.reduce((sum, s) => sum + s.durationMs, 0),
    tokens: steps.reduce(
      (sum, s) => ({ in: sum.in + (s.tokens?.in ?? 0), out: sum.out + (s.tokens?.out ?? 0) }),
      { in: 0, out: 0 },
    ),
    guidanceUsed: reasonOut.success ? (reasonOut.data.guidanceUsed ?? []).map((g) => g.id) : [],
    ...(header.problemId === undefined ? {} : { problemId: header.problemId }),
    ...(task ? { task } : {}),
    ...(own ? { status: own.status } : {}),
    ...(own?.summary === undefined ? {} : { summary: own.summary }),
    ...(verdict ? { verdict } : {}),
    ...(label ? { label } : {}),
  };
  return {
    path,
    summary,
    header,
    steps,
    evidence: evidence.success ? evidence.data.evidence : [],
    ...(reasonOut.success ? { diagnosis: reasonOut.data.diagnosis } : {}),
  };
}

/** Every trajectory in the directory, oldest first; unreadable files are skipped. */
export async function loadRuns(dir: string): Promise<LoadedRun[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.jsonl')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const runs: LoadedRun[] = [];
  for (const name of names) {
    const run = await loadRun(join(dir, name)).catch(() => undefined);
    if (run) runs.push(run);
  }
  return runs.sort((a, b) => a.summary.startedAt.localeCompare(b.summary.startedAt));
}

/**
 * Failed: the evaluator said so, or (without a verdict) a person labelled it wrong or partly wrong, or the run
 * itself failed or was aborted.
 */
export function isFailed(run: RunSummary): boolean {
  if (run.verdict) return !run.verdict.success;
  if (run.label) return run.label.verdict !== 'right';
  return run.status === 'failed' || run.status === 'aborted';
}

export interface RunFilter {
  failed?: boolean;
  problem?: RegExp;
  signal?: string;
}

export function filterRuns<T extends { summary: RunSummary }>(runs: readonly T[], filter: RunFilter): T[] {
  return runs.filter(
    ({ summary: s }) =>
      (!filter.failed || isFailed(s)) &&
      (!filter.problem || filter.problem.test(s.problemId ?? '')) &&
      (!filter.signal || s.signals.includes(filter.signal) || s.warnings.includes(filter.signal)),
  );
}
