/**
 * AIOpsLab's scoring, reproduced from its behaviour (see ../shared/aiopslab/README.md, "submit"): answers
 * are what the orchestrator stores from `submit(...)` (./submit-rule.ts); mitigation is scored on the
 * cluster (./mitigation.ts). `faithful` scores localization and analysis exactly as AIOpsLab's evals do
 * (./faithful-answers.ts); `strict` (the default) wants the documented forms: a list of names, a dict with
 * string fields (camelCase keys accepted, with a note).
 */
import type { TaskType } from '../../src/core/aiopslab.js';
import { AoiError } from '../../src/core/errors.js';
import { faithfulAnalysis, faithfulLocalization } from './faithful-answers.js';
import type { MitigationMode } from './mitigation.js';
import type { Problem, ProblemOf } from './problem.js';
import type { ScoreResult } from './score.js';

export type { ClusterKind, ClusterState, MitigationMode } from './mitigation.js';
export { scoreMitigation, simClusterState } from './mitigation.js';
export type { ScoreResult } from './score.js';

/** One scored episode, as the bench records it (AIOpsLab's per-run fields). */
export interface RunRecord {
  problemId: string;
  task: TaskType;
  success: boolean;
  accuracy?: number;
  steps: number;
  /** Time to answer: the session's wall time until submit (TTD / TTL / TTA / TTM). */
  ttaMs: number;
  inTokens: number;
  outTokens: number;
}

function expectTask<T extends TaskType>(problem: Problem, task: T): ProblemOf<T> {
  if (problem.task !== task)
    throw new AoiError('usage', `problem ${problem.id} is a ${problem.task} problem, not ${task}`);
  return problem as ProblemOf<T>;
}

function invalid(detail: string): ScoreResult {
  return { success: false, invalidFormat: true, detail: `invalid format: ${detail}` };
}

function shapeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const norm = (s: string): string => s.trim().toLowerCase();

/** `submit("Yes")` / `submit("No")`: a string, compared trimmed and case-insensitively. */
export function scoreDetection(problem: Problem, answer: unknown): ScoreResult {
  const { expect } = expectTask(problem, 'detection');
  if (typeof answer !== 'string') return invalid(`expected "Yes" or "No", got ${shapeOf(answer)}`);
  const success = norm(answer) === norm(expect.detection);
  return { success, detail: `answered ${JSON.stringify(answer.trim())}, expected ${expect.detection}` };
}

/**
 * `submit(["svc", ...])`: success when the list is exactly the faulty components or one element naming
 * one of them (accepted alternates count); accuracy = 100 / len(list) when it names one, else 0.
 * Names are compared case-sensitively, as AIOpsLab does.
 */
export function scoreLocalization(
  problem: Problem,
  answer: unknown,
  mode: MitigationMode = 'strict',
): ScoreResult {
  const localization = expectTask(problem, 'localization');
  if (mode === 'faithful') return faithfulLocalization(localization, answer);
  const { expect } = localization;
  if (!Array.isArray(answer)) return invalid(`expected a list of component names, got ${shapeOf(answer)}`);
  const names: string[] = [];
  for (const item of answer as unknown[]) {
    if (typeof item !== 'string') return invalid(`expected a list of names, found ${shapeOf(item)} in it`);
    names.push(item);
  }
  const targets = new Set([...expect.faultyComponents, ...(expect.accepted ?? [])]);
  const hit = names.some((name) => targets.has(name));
  const exact =
    names.length === expect.faultyComponents.length &&
    [...names].sort().every((name, i) => name === [...expect.faultyComponents].sort()[i]);
  const single = names.length === 1 && hit;
  const accuracy = hit ? 100 / names.length : 0;
  const wanted = expect.faultyComponents.join(', ');
  return {
    success: exact || single,
    accuracy,
    detail: `answered [${names.join(', ')}], expected [${wanted}]${hit ? '' : ' (not named)'}`,
  };
}

/** `submit({"system_level": ..., "fault_type": ...})`: both must match, trimmed and case-insensitively. */
export function scoreAnalysis(
  problem: Problem,
  answer: unknown,
  mode: MitigationMode = 'strict',
): ScoreResult {
  const analysis = expectTask(problem, 'analysis');
  if (mode === 'faithful') return faithfulAnalysis(analysis, answer);
  const { expect } = analysis;
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer))
    return invalid(`expected { system_level, fault_type }, got ${shapeOf(answer)}`);
  const record = answer as Record<string, unknown>;
  const camel = !('system_level' in record) && 'systemLevel' in record;
  const level = camel ? record['systemLevel'] : record['system_level'];
  const type = 'fault_type' in record ? record['fault_type'] : record['faultType'];
  if (typeof level !== 'string' || typeof type !== 'string')
    return invalid('expected string fields system_level and fault_type');
  const note =
    camel || !('fault_type' in record)
      ? ' (camelCase keys accepted in strict mode; AIOpsLab reads only system_level / fault_type)'
      : '';
  const levelOk = norm(level) === norm(expect.systemLevel);
  const typeOk = norm(type) === norm(expect.faultType);
  const mark = (ok: boolean): string => (ok ? 'right' : 'wrong');
  return {
    success: levelOk && typeOk,
    detail:
      `system_level ${JSON.stringify(level.trim())} ${mark(levelOk)}, fault_type ${JSON.stringify(type.trim())} ` +
      `${mark(typeOk)} (expected ${expect.systemLevel} / ${expect.faultType})${note}`,
  };
}

/** Scores an answer for a detection, localization or analysis problem. */
export function scoreAnswer(problem: Problem, answer: unknown, mode: MitigationMode = 'strict'): ScoreResult {
  switch (problem.task) {
    case 'detection':
      return scoreDetection(problem, answer);
    case 'localization':
      return scoreLocalization(problem, answer, mode);
    case 'analysis':
      return scoreAnalysis(problem, answer, mode);
    case 'mitigation':
      throw new AoiError('usage', `problem ${problem.id} is scored on the cluster (scoreMitigation)`);
  }
}
