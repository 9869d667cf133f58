/**
 * Localization and analysis scored as AIOpsLab's evals do it, to the letter (microsoft/AIOpsLab ddf7e406,
 * the problems' `*Localization.eval` / `*Analysis.eval` with `evaluators/quantitative.py`; facts in
 * ../shared/aiopslab/README.md and issue 17). Python's behaviour is modelled where it decides a verdict:
 * `is_exact_match` compares `soln` (a non-list wrapped in a list) with `[target]`; `is_subset` builds
 * `set(soln)` (a string's characters, a dict's keys; an unhashable item or a non-iterable raises);
 * `len(soln)` counts characters, items or keys. An eval that raises records no result, which AIOpsLab's
 * runners count as a failure: that is `evaluatorError`.
 */
import type { ProblemOf } from './problem.js';
import type { ScoreResult } from './score.js';

/** What a Python eval would raise (TypeError, AttributeError), with its message. */
export class EvalRaises extends Error {}

function pyType(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return 'dict';
}

const unhashable = (v: unknown): boolean => typeof v === 'object' && v !== null;

/** The members of `set(value)`. */
function pySet(value: unknown): unknown[] {
  if (typeof value === 'string') return [...value];
  if (Array.isArray(value)) {
    const bad: unknown = (value as unknown[]).find(unhashable);
    if (bad !== undefined) throw new EvalRaises(`TypeError: unhashable type: '${pyType(bad)}'`);
    return value;
  }
  if (typeof value === 'object' && value !== null) return Object.keys(value);
  throw new EvalRaises(`TypeError: '${pyType(value)}' object is not iterable`);
}

function pyLen(value: unknown): number {
  if (typeof value === 'string') return [...value].length;
  if (Array.isArray(value)) return value.length;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length;
  throw new EvalRaises(`TypeError: object of type '${pyType(value)}' has no len()`);
}

const normalize = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
const sameList = (a: unknown[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((item, i) => item === b[i]);

export function evaluatorError(check: string, error: unknown): ScoreResult {
  const why = error instanceof Error ? error.message : String(error);
  return {
    success: false,
    evaluatorError: true,
    detail: `${check}: AIOpsLab's eval raises (${why}); its runner records no result, a failure`,
  };
}

export function faithfulLocalization(problem: ProblemOf<'localization'>, soln: unknown): ScoreResult {
  const { faultyComponents, accepted = [] } = problem.expect;
  const wanted = faultyComponents.join(', ');
  if (soln === null || soln === undefined)
    return { success: false, accuracy: 0, detail: `answered None, expected [${wanted}]` };
  // Each accepted name stands in for the whole target, as revoke_auth's eval tries both spellings.
  const targets: (readonly string[])[] = [faultyComponents, ...accepted.map((a) => [a])];
  try {
    const exact = targets.some((t) => sameList(normalize(soln), t));
    const members = pySet(soln);
    const subset = targets.some((t) => t.every((name) => members.includes(name)));
    const length = pyLen(soln);
    const accuracy = exact ? 100 : subset ? (faultyComponents.length / length) * 100 : 0;
    return {
      success: exact || (subset && length === 1),
      accuracy,
      detail: `answered ${JSON.stringify(soln)}, expected [${wanted}]${exact || subset ? '' : ' (not named)'}`,
    };
  } catch (error) {
    if (error instanceof EvalRaises) return evaluatorError('localization', error);
    throw error;
  }
}

/** `soln.get(key, "").strip().lower()`: a missing key reads as "", a non-string raises. */
function pyField(soln: Record<string, unknown>, key: string): string {
  const value = key in soln ? soln[key] : '';
  if (typeof value !== 'string')
    throw new EvalRaises(`AttributeError: '${pyType(value)}' object has no attribute 'strip'`);
  return value.trim().toLowerCase();
}

export function faithfulAnalysis(problem: ProblemOf<'analysis'>, soln: unknown): ScoreResult {
  const { systemLevel, faultType } = problem.expect;
  const expected = `(expected ${systemLevel} / ${faultType})`;
  if (typeof soln !== 'object' || soln === null || Array.isArray(soln))
    return { success: false, invalidFormat: true, detail: `invalid format: not a dict ${expected}` };
  try {
    const record = soln as Record<string, unknown>;
    const levelOk = pyField(record, 'system_level') === systemLevel.toLowerCase();
    const typeOk = pyField(record, 'fault_type') === faultType.toLowerCase();
    const mark = (ok: boolean): string => (ok ? 'right' : 'wrong');
    return {
      success: levelOk && typeOk,
      detail: `system_level ${mark(levelOk)}, fault_type ${mark(typeOk)} ${expected}`,
    };
  } catch (error) {
    if (error instanceof EvalRaises) return evaluatorError('analysis', error);
    throw error;
  }
}
