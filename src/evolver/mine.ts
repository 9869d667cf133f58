/**
 * Failure mining: what went wrong in each failed support run (compared with the evaluator's expected answer,
 * the supervision signal, and with successful runs of similar evidence), clustered by evidence signature.
 * Hints are built from evidence only (signals, log words); they never name a problem or a component.
 */
import type { FaultType, SystemLevel } from '../core/aiopslab.js';
import type { Evidence } from '../core/evidence.js';
import type { GuidanceHint } from '../core/guidance.js';
import type { LoadedRun } from './store.js';
import { isFailed } from './store.js';

/** The evaluator's expected answer for a support problem; never given for query problems. */
export interface Supervision {
  systemLevel?: SystemLevel;
  faultType?: FaultType;
  /** Components the evaluator accepts as the fault's location. */
  faultyComponents?: string[];
  detection?: 'Yes' | 'No';
}

export type FailureKind =
  'wrong-fault-type' | 'victim-blamed' | 'missed-signal' | 'ineffective-action' | 'irrelevant-reads';

export interface FailureCase {
  run: LoadedRun;
  kind: FailureKind;
  /** Signals of the blamed component's own evidence, sorted: the evidence signature. */
  signals: string[];
  expected?: { systemLevel: SystemLevel; faultType: FaultType };
  /** Text of the blamed component's own evidence, for log-word mining. */
  text: string;
  /** What the run did or concluded, for the guidance body. */
  concluded: string;
}

export interface FailureCluster {
  key: string;
  kind: FailureKind;
  signals: string[];
  cases: FailureCase[];
  hint: GuidanceHint;
}

const EDGE_SIGNALS = new Set(['CallerErrors', 'PeerErrorRate', 'PeerLatency']);
const severe = (ev: Evidence) => ev.severity === 'error' || ev.severity === 'critical';

function ownEvidence(evidence: readonly Evidence[], component: string): Evidence[] {
  return evidence.filter(
    (ev) =>
      (ev.component ?? ev.subject.name) === component &&
      !EDGE_SIGNALS.has(ev.signal) &&
      ev.severity !== 'info',
  );
}

const signalsOf = (evidence: readonly Evidence[]) => [...new Set(evidence.map((ev) => ev.signal))].sort();
const textOf = (evidence: readonly Evidence[]) =>
  evidence.map((ev) => `${ev.summary}\n${ev.excerpt ?? ''}`).join('\n');

/** Classifies one failed run; undefined when the failure has no mineable cause. */
export function analyseFailure(run: LoadedRun, expected: Supervision | undefined): FailureCase | undefined {
  const d = run.diagnosis;
  const task = run.summary.task;
  if (!d) return undefined;
  const root = d.faultyComponents[0];
  if (!d.detected || root === undefined) {
    const signals = signalsOf(run.evidence.filter(severe));
    if (signals.length === 0) return undefined;
    return { run, kind: 'missed-signal', signals, text: '', concluded: 'no fault found' };
  }
  const own = ownEvidence(run.evidence, root);
  const base = { run, signals: signalsOf(own), text: textOf(own) };
  const accepted = expected?.faultyComponents;
  if (accepted && accepted.length > 0 && !accepted.includes(root)) {
    const blamesExpected = own.some((ev) => (ev.blames ?? []).some((b) => accepted.includes(b)));
    if (blamesExpected) return { ...base, kind: 'victim-blamed', concluded: `blamed ${root}` };
  }
  if (
    expected?.faultType !== undefined &&
    expected.systemLevel !== undefined &&
    (d.rootCause?.faultType !== expected.faultType || d.rootCause.systemLevel !== expected.systemLevel)
  ) {
    return {
      ...base,
      kind: 'wrong-fault-type',
      expected: { systemLevel: expected.systemLevel, faultType: expected.faultType },
      concluded: d.rootCause ? `${d.rootCause.systemLevel} / ${d.rootCause.faultType}` : 'no root cause',
    };
  }
  if (task === 'mitigation') {
    const acted = d.proposals.map((p) => p.kind).join(', ') || 'no action';
    return { ...base, kind: 'ineffective-action', concluded: `${acted} did not mitigate` };
  }
  return undefined;
}

const WORD = /[A-Za-z][A-Za-z0-9_]{3,}/g;

/** Words of the text, leaving out any that is a component name or a part of one. */
function words(text: string, exclude: readonly string[]): Set<string> {
  const names = exclude.map((name) => name.toLowerCase());
  const parts = new Set(names.flatMap((name) => name.split(/[-_.]/)));
  return new Set(
    [...text.matchAll(WORD)]
      .map((m) => m[0])
      .filter((w) => {
        const lower = w.toLowerCase();
        return !parts.has(lower) && !names.some((name) => lower.includes(name.replace(/[-_.]/g, '')));
      }),
  );
}

/** Error codes look like `UserNotFound`: several capitalised words run together. */
function wordScore(word: string): number {
  if (/^[A-Z][a-z]+(?:[A-Z][a-z0-9]+)+$/.test(word)) return 3;
  if (/^[A-Z0-9_]+$/.test(word)) return 0.5;
  return 1;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A log word every failed case shows and no contrasting success (same signals, another verdict) shows:
 * what tells this fault apart from its look-alikes. Component names are never used.
 */
export function discriminatingPattern(
  cases: readonly FailureCase[],
  contrast: readonly string[],
): string | undefined {
  const names = cases.flatMap((c) => c.run.diagnosis?.faultyComponents ?? []);
  const sets = cases.map((c) => words(c.text, names));
  const [first, ...rest] = sets;
  if (!first) return undefined;
  const shared = [...first].filter((w) => rest.every((s) => s.has(w)));
  const seen = new Set(contrast.flatMap((t) => [...words(t, [])]));
  const best = shared
    .filter((w) => !seen.has(w))
    .map((w, i) => ({ w, score: wordScore(w), i }))
    .sort((a, b) => b.score - a.score || b.w.length - a.w.length || a.i - b.i)[0];
  return best ? `\\b${escape(best.w)}\\b` : undefined;
}

function hintFor(
  kind: FailureKind,
  signals: string[],
  cases: FailureCase[],
  contrast: string[],
): GuidanceHint {
  switch (kind) {
    case 'victim-blamed':
      return { kind: 'preferCallee', signals };
    case 'wrong-fault-type': {
      const expected = cases[0]!.expected!;
      const logPattern = discriminatingPattern(cases, contrast);
      return {
        kind: 'classify',
        signals,
        systemLevel: expected.systemLevel,
        faultType: expected.faultType,
        ...(logPattern === undefined ? {} : { logPattern }),
      };
    }
    case 'missed-signal':
      return {
        kind: 'check',
        text: `Do not dismiss ${signals.join(', ')}: these signals marked a real fault.`,
      };
    case 'irrelevant-reads':
    case 'ineffective-action':
      return {
        kind: 'check',
        text: `${cases[0]!.concluded} for evidence with ${signals.join(', ')}: check the root's own configuration before acting.`,
      };
  }
}

/**
 * Mines failed runs into clusters of one evidence signature and one lesson; what the answer should have been
 * comes from the evaluator (bench problems) or a person's label. `contrast` successes are runs the
 * evaluator accepted whose blamed component shows the same signals: their log words are not distinctive.
 */
export function mineFailures(
  runs: readonly LoadedRun[],
  supervision: ReadonlyMap<string, Supervision> | ((run: LoadedRun) => Supervision | undefined),
): FailureCluster[] {
  const expectedOf =
    typeof supervision === 'function'
      ? supervision
      : (r: LoadedRun) => supervision.get(r.summary.problemId ?? '');
  const cases = runs
    .filter((r) => isFailed(r.summary))
    .map((r) => analyseFailure(r, expectedOf(r)))
    .filter((c): c is FailureCase => c !== undefined && c.signals.length > 0);
  const groups = new Map<string, FailureCase[]>();
  for (const c of cases) {
    const target = c.expected ? `${c.expected.systemLevel}/${c.expected.faultType}` : '';
    const key = `${c.kind}|${c.signals.join('+')}|${target}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  // Accepted by the evaluator, or (with no verdict) labelled right by a person.
  const successes = runs.filter((r) => r.summary.verdict?.success ?? r.summary.label?.verdict === 'right');
  return [...groups].map(([key, members]) => {
    const { kind, signals } = members[0]!;
    const contrast = successes
      .map((r) => {
        const root = r.diagnosis?.faultyComponents[0];
        const own = root === undefined ? [] : ownEvidence(r.evidence, root);
        return { signals: signalsOf(own), text: textOf(own), rootCause: r.diagnosis?.rootCause };
      })
      .filter(
        (s) =>
          signals.every((sig) => s.signals.includes(sig)) &&
          s.rootCause?.faultType !== members[0]!.expected?.faultType,
      )
      .map((s) => s.text);
    return { key, kind, signals, cases: members, hint: hintFor(kind, signals, members, contrast) };
  });
}
