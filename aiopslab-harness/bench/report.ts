/** Bench summaries: per task type, avg@1 (mean success over all attempts) and best@N (any attempt succeeded). */
import type { TaskType } from '../../src/core/aiopslab.js';
import type { AttemptRecord } from './runner.js';
import { textTable } from '../../src/core/text-table.js';

export interface TaskSummary {
  task: TaskType | 'all';
  problems: number;
  attempts: number;
  avgAt1: number;
  bestAtN: number;
  /** Localization only: mean accuracy (0–100) over attempts. */
  accuracy?: number;
  meanSteps: number;
  meanTtaMs: number;
  inTokens: number;
  outTokens: number;
}

const TASKS: readonly TaskType[] = ['detection', 'localization', 'analysis', 'mitigation'];

function summarise(task: TaskSummary['task'], records: readonly AttemptRecord[]): TaskSummary {
  const byProblem = new Map<string, AttemptRecord[]>();
  for (const r of records) byProblem.set(r.problemId, [...(byProblem.get(r.problemId) ?? []), r]);
  const n = Math.max(1, records.length);
  const mean = (f: (r: AttemptRecord) => number) => records.reduce((sum, r) => sum + f(r), 0) / n;
  const summary: TaskSummary = {
    task,
    problems: byProblem.size,
    attempts: records.length,
    avgAt1: mean((r) => (r.success ? 1 : 0)),
    bestAtN:
      [...byProblem.values()].filter((rs) => rs.some((r) => r.success)).length / Math.max(1, byProblem.size),
    meanSteps: mean((r) => r.steps),
    meanTtaMs: mean((r) => r.ttaMs),
    inTokens: records.reduce((sum, r) => sum + r.inTokens, 0),
    outTokens: records.reduce((sum, r) => sum + r.outTokens, 0),
  };
  if (task === 'localization') summary.accuracy = mean((r) => r.accuracy ?? 0);
  return summary;
}

export function summariseBench(records: readonly AttemptRecord[]): TaskSummary[] {
  const rows = TASKS.map((task) =>
    summarise(
      task,
      records.filter((r) => r.task === task),
    ),
  ).filter((s) => s.attempts > 0);
  return [...rows, summarise('all', records)];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** One line per problem: successes out of attempts, and the last attempt's detail (or error). */
export function renderProblemTable(records: readonly AttemptRecord[]): string {
  const byProblem = new Map<string, AttemptRecord[]>();
  for (const r of records) byProblem.set(r.problemId, [...(byProblem.get(r.problemId) ?? []), r]);
  const rows = [['PROBLEM', 'TASK', 'OK', 'DETAIL']];
  for (const [id, rs] of byProblem) {
    const last = rs.at(-1)!;
    const ok = rs.filter((r) => r.success).length;
    rows.push([id, last.task, `${ok}/${rs.length}`, last.error ? `error: ${last.error}` : last.detail]);
  }
  return textTable(rows);
}

export function renderSummary(summaries: readonly TaskSummary[], attempts: number): string {
  const rows = [
    ['TASK', 'PROBLEMS', 'AVG@1', `BEST@${attempts}`, 'ACCURACY', 'STEPS', 'TTA', 'TOKENS IN/OUT'],
  ];
  for (const s of summaries) {
    rows.push([
      s.task,
      String(s.problems),
      pct(s.avgAt1),
      pct(s.bestAtN),
      s.accuracy === undefined ? '' : s.accuracy.toFixed(1),
      s.meanSteps.toFixed(1),
      `${Math.round(s.meanTtaMs)} ms`,
      `${s.inTokens}/${s.outTokens}`,
    ]);
  }
  return textTable(rows);
}

/**
 * One row per fault kind: problems, avg@1 and best@N over all its attempts, then successes out of attempts
 * per task type ("" where the kind has no problem of that task).
 */
export function renderKindTable(records: readonly AttemptRecord[], attempts: number): string {
  const byKind = new Map<string, AttemptRecord[]>();
  for (const r of records) {
    const kind = r.faultKind ?? '?';
    byKind.set(kind, [...(byKind.get(kind) ?? []), r]);
  }
  const rows = [['KIND', 'PROBLEMS', 'AVG@1', `BEST@${attempts}`, ...TASKS.map((t) => t.toUpperCase())]];
  for (const [kind, rs] of [...byKind].sort(([a], [b]) => a.localeCompare(b))) {
    const s = summarise('all', rs);
    const perTask = TASKS.map((task) => {
      const mine = rs.filter((r) => r.task === task);
      return mine.length === 0 ? '' : `${mine.filter((r) => r.success).length}/${mine.length}`;
    });
    rows.push([kind, String(s.problems), pct(s.avgAt1), pct(s.bestAtN), ...perTask]);
  }
  return textTable(rows);
}
