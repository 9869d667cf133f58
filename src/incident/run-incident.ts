/**
 * One incident through observe → reason → act → verify, every phase recorded as a trajectory step. The same
 * runner serves `aoi diagnose`, `aoi bench` and the TUI: callers choose the reasoner, whether to act, and
 * where the trajectory goes; nothing here knows which of them is calling.
 */
import { randomBytes } from 'node:crypto';
import type { ActionProposal } from '../core/actions.js';
import type { TaskType } from '../core/aiopslab.js';
import { AoiError } from '../core/errors.js';
import { observationError } from './observation-error.js';
import type { Evidence } from '../core/evidence.js';
import type { TrajectoryStatus } from '../core/trajectory.js';
import { TrajectoryRecorder } from '../core/trajectory-recorder.js';
import type { ExecuteOptions, ExecutionResult } from '../executor/executor.js';
import type { MetricsSource } from '../observer/analyzers/telemetry.js';
import type { TraceSource } from '../observer/analyzers/traces.js';
import type { ClusterReader } from '../observer/cluster-reader.js';
import type { ObservationReport, ObserveOptions } from '../observer/observe.js';
import { observe } from '../observer/observe.js';
import { observerVerifier } from './observer-verifier.js';
import type { GuidanceNote, Reasoner, ReasonerResult } from '../reasoner/reasoner.js';
import { reasoningExtras } from '../reasoner/reasoner.js';

export type IncidentPhase = 'observe' | 'reason' | 'act' | 'verify';

export type IncidentEvent =
  | { type: 'phase-start'; phase: IncidentPhase }
  | { type: 'phase-end'; phase: IncidentPhase; durationMs: number; summary: string }
  | { type: 'action'; proposal: ActionProposal; result: ExecutionResult };

export interface IncidentOptions {
  reader: ClusterReader;
  metrics?: MetricsSource;
  /**
   * Jaeger, read at the first look only: traces cover a lookback window, so after a fix they would keep
   * showing the failures from before it.
   */
  traces?: TraceSource;
  /** Where the metrics and trace URLs came from, for the observation's coverage. */
  telemetryVia?: ObserveOptions['telemetryVia'];
  /** Undefined: all namespaces. */
  namespace?: string;
  task?: TaskType;
  reasoner: Reasoner;
  guidance?: GuidanceNote[];
  /** Retrieves guidance for the observed evidence (scored, bounded); added to `guidance`. */
  selectGuidance?: (evidence: Evidence[]) => GuidanceNote[];
  maxEvidenceTokens?: number;
  /** Set to act on the proposals; absent means diagnose only. */
  act?: Omit<ExecuteOptions, 'incident'>;
  /** How long to watch the cluster after acting for the incident to clear. */
  verify?: { timeoutMs: number; pollMs: number };
  /** Components an alert or a scoped question names: their evidence ranks first (observer/focus.ts). */
  focus?: readonly string[];
  /** What started the run (the alert as quoted, or the scoped question), recorded in the observe step. */
  trigger?: unknown;
  /** Where to record the trajectory; absent means not recorded. */
  record?: { dir: string; id?: string; problemId?: string; cluster?: string };
  /** The run id (also the audit entries' runId); generated when absent. */
  id?: string;
  onEvent?: (event: IncidentEvent) => void;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface ActionOutcome {
  proposal: ActionProposal;
  result: ExecutionResult;
}

export interface Verification {
  resolved: boolean;
  rounds: number;
  /** Error or critical evidence still seen at the last look. */
  remaining: Evidence[];
  /** What the last look could not read; a look that could not read everything is never clear. */
  unread: string[];
}

export interface IncidentReport {
  id: string;
  observation: ObservationReport;
  reasoning: ReasonerResult;
  actions: ActionOutcome[];
  verification?: Verification;
  status: TrajectoryStatus;
  durationMs: number;
  trajectoryPath?: string;
}

export function newIncidentId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

const severe = (ev: Evidence) => ev.severity === 'error' || ev.severity === 'critical';

async function observeOnce(options: IncidentOptions, logsSinceSeconds?: number): Promise<ObservationReport> {
  const result = await observe(options.reader, {
    ...(logsSinceSeconds === undefined ? {} : { logsSinceSeconds }),
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    ...(options.traces === undefined || logsSinceSeconds !== undefined ? {} : { traces: options.traces }),
    ...(options.telemetryVia === undefined ? {} : { telemetryVia: options.telemetryVia }),
    ...(options.maxEvidenceTokens === undefined ? {} : { maxEvidenceTokens: options.maxEvidenceTokens }),
    ...(options.focus === undefined ? {} : { focus: options.focus }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  if (!result.ok) throw observationError(result.error);
  return result.value;
}

function stopIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new AoiError(
      'aborted',
      `the incident run was ${typeof signal.reason === 'string' ? `interrupted by ${signal.reason}` : 'cancelled'}`,
    );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AoiError('aborted', 'the incident run was cancelled'));
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new AoiError('aborted', 'the incident run was cancelled'));
      },
      { once: true },
    );
  });
}

/** The components an incident is about: the faulty ones and those the cited evidence concerns. */
function incidentComponents(observation: ObservationReport, reasoning: ReasonerResult): Set<string> {
  const d = reasoning.diagnosis;
  const cited = new Set([
    ...d.hypotheses.flatMap((h) => h.evidence),
    ...d.proposals.flatMap((p) => p.evidence),
  ]);
  const names = new Set(d.faultyComponents);
  for (const ev of observation.evidence) {
    if (!cited.has(ev.id)) continue;
    if (ev.component) names.add(ev.component);
    for (const b of ev.blames ?? []) names.add(b);
  }
  return names;
}

/** One look after the fix; a look that failed or read only part of the cluster says what it could not read. */
async function lookAgain(
  options: IncidentOptions,
  logsSinceSeconds: number,
): Promise<{ evidence: Evidence[]; unread: string[] }> {
  try {
    const report = await observeOnce(options, logsSinceSeconds);
    return { evidence: report.evidence, unread: report.coverage.gaps.map((g) => g.what) };
  } catch (error) {
    if (error instanceof AoiError && error.code === 'aborted') throw error;
    return {
      evidence: [],
      unread: [`the cluster (${error instanceof Error ? error.message : String(error)})`],
    };
  }
}

/**
 * Re-observes until the incident's components show no error or critical evidence, or the time is up. Logs
 * are read only from after the last action, so errors logged before the fix do not count against it.
 */
async function watchUntilClear(
  options: IncidentOptions,
  concerned: ReadonlySet<string>,
  actedAt: number,
  timeoutMs: number,
  pollMs: number,
): Promise<Verification> {
  const deadline = Date.now() + timeoutMs;
  let rounds = 0;
  for (;;) {
    rounds++;
    const since = Math.max(1, Math.ceil((Date.now() - actedAt) / 1000));
    const look = await lookAgain(options, since);
    const remaining = look.evidence.filter(
      (ev) =>
        severe(ev) && (concerned.size === 0 || ev.component === undefined || concerned.has(ev.component)),
    );
    if (remaining.length === 0 && look.unread.length === 0)
      return { resolved: true, rounds, remaining, unread: [] };
    if (Date.now() + pollMs > deadline) return { resolved: false, rounds, remaining, unread: look.unread };
    await sleep(pollMs, options.signal);
  }
}

/** Runs one incident; errors in observe or reason are thrown (after the trajectory records them). */
export async function runIncident(options: IncidentOptions): Promise<IncidentReport> {
  const started = performance.now();
  const clock = options.now ?? (() => new Date());
  const id = options.id ?? options.record?.id ?? newIncidentId(clock());
  const recorder = options.record
    ? await TrajectoryRecorder.start(options.record.dir, {
        id,
        ...(options.record.problemId === undefined ? {} : { problemId: options.record.problemId }),
        target: {
          ...(options.record.cluster === undefined ? {} : { cluster: options.record.cluster }),
          ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
        },
      })
    : undefined;
  const emit = options.onEvent ?? (() => undefined);

  async function phase<T>(
    name: IncidentPhase,
    agent: string,
    input: unknown,
    run: () => Promise<T>,
    describe: (value: T) => { summary: string; output: unknown; tokens?: { in: number; out: number } },
  ): Promise<T> {
    emit({ type: 'phase-start', phase: name });
    const at = clock().toISOString();
    const t0 = performance.now();
    let value: T;
    try {
      value = await run();
    } catch (error) {
      const durationMs = Math.round(performance.now() - t0);
      const message = error instanceof Error ? error.message : String(error);
      await recorder?.record({ phase: name, agent, at, durationMs, input, output: { error: message } });
      emit({ type: 'phase-end', phase: name, durationMs, summary: `failed: ${message}` });
      throw error;
    }
    const durationMs = Math.round(performance.now() - t0);
    const d = describe(value);
    await recorder?.record({
      phase: name,
      agent,
      at,
      durationMs,
      input,
      output: d.output,
      ...(d.tokens === undefined ? {} : { tokens: d.tokens }),
    });
    emit({ type: 'phase-end', phase: name, durationMs, summary: d.summary });
    return value;
  }

  try {
    const observation = await phase(
      'observe',
      'observer',
      {
        namespace: options.namespace ?? null,
        transport: options.reader.transport,
        ...(options.trigger === undefined ? {} : { trigger: options.trigger }),
      },
      () => observeOnce(options),
      (r) => ({
        summary: `${r.evidence.length} evidence item(s), ${r.incident ? 'incident signs' : 'no incident signs'}`,
        output: {
          evidence: r.evidence,
          dropped: r.dropped,
          gaps: r.gaps,
          incident: r.incident,
          coverage: r.coverage,
          stats: r.stats,
        },
      }),
    );

    const guidance = [...(options.guidance ?? []), ...(options.selectGuidance?.(observation.evidence) ?? [])];
    const guidanceUsed = guidance.map((g) => ({
      id: g.id,
      ...(g.version === undefined ? {} : { version: g.version }),
      ...(g.score === undefined ? {} : { score: g.score }),
    }));
    const reasoning = await phase(
      'reason',
      options.reasoner.name,
      {
        evidence: observation.evidence.map((ev) => ev.id),
        task: options.task ?? null,
        guidance: guidance.map((g) => g.id),
      },
      () =>
        options.reasoner.diagnose(
          {
            evidence: observation.evidence,
            ...(options.task === undefined ? {} : { task: options.task }),
            ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
            ...(guidance.length === 0 ? {} : { guidance }),
          },
          options.signal ? { signal: options.signal } : {},
        ),
      (r) => ({
        summary: r.diagnosis.detected
          ? `root cause ${r.diagnosis.faultyComponents.join(', ') || 'unknown'}; ${r.diagnosis.proposals.length} proposal(s)`
          : 'no fault found',
        output: {
          diagnosis: r.diagnosis,
          rejected: r.rejected,
          steps: r.steps,
          guidanceUsed,
          ...reasoningExtras(r),
        },
        tokens: r.tokens,
      }),
    );

    const actions: ActionOutcome[] = [];
    let actedAt = Date.now();
    const act = options.act;
    // Interrupted while reasoning: nothing is applied after Ctrl-C.
    stopIfAborted(options.signal);
    if (act && reasoning.diagnosis.proposals.length > 0) {
      await phase(
        'act',
        'executor',
        { proposals: reasoning.diagnosis.proposals },
        async () => {
          // The executor (client-node's API classes, execa) loads only when there is something to apply.
          const { execute } = await import('../executor/executor.js');
          const counters = { actionsSoFar: 0 };
          // Verification looks through the observer unless the caller brought its own verifier.
          const defaultVerifier = observerVerifier({
            reader: options.reader,
            ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
          });
          // The whole plan is decided first, as `aoi act` does: a refusal (alone or in combination) runs nothing,
          // so a plan cannot spend its harmless actions before the one the policy refuses.
          const { refusalsOf, auditRefusals } = await import('../executor/plan-check.js');
          const refusals = await refusalsOf(reasoning.diagnosis.proposals, act.policy, act.clients);
          if (refusals.length > 0) {
            await auditRefusals(refusals, act.audit, act.clients, id, act.actor);
            for (const { action, decision } of refusals) {
              const result = { status: 'denied' as const, decision, dryRun: null, message: decision.reason };
              actions.push({ proposal: action, result });
              emit({ type: 'action', proposal: action, result });
            }
            return actions;
          }
          for (const proposal of reasoning.diagnosis.proposals) {
            const result = await execute(proposal, {
              verifier: defaultVerifier,
              ...act,
              runId: id,
              ...(options.signal === undefined ? {} : { signal: options.signal }),
              incident: counters,
            });
            counters.actionsSoFar++;
            actions.push({ proposal, result });
            actedAt = Date.now();
            emit({ type: 'action', proposal, result });
            if (result.status !== 'verified' && result.status !== 'dryRunOnly') break;
          }
          return actions;
        },
        (done) => ({
          summary: done.map((a) => `${a.proposal.kind}: ${a.result.status}`).join('; '),
          output: done.map((a) => ({
            proposal: a.proposal,
            status: a.result.status,
            message: a.result.message,
            rule: a.result.decision.ruleId,
          })),
        }),
      );
    }

    // Interrupted while acting: the act step above holds what was applied; no watching starts.
    stopIfAborted(options.signal);
    let verification: Verification | undefined;
    const applied = actions.some((a) => a.result.status === 'verified');
    if (applied) {
      const { timeoutMs, pollMs } = options.verify ?? { timeoutMs: 120_000, pollMs: 2000 };
      verification = await phase(
        'verify',
        'observer',
        { timeoutMs, pollMs },
        () =>
          watchUntilClear(options, incidentComponents(observation, reasoning), actedAt, timeoutMs, pollMs),
        (v) => ({
          summary: v.resolved
            ? `clear after ${v.rounds} look(s)`
            : v.unread.length > 0
              ? `not verified: could not read ${v.unread.join(', ')}`
              : `${v.remaining.length} severe item(s) remain`,
          output: { resolved: v.resolved, rounds: v.rounds, remaining: v.remaining, unread: v.unread },
        }),
      );
    }

    // A look that could not read everything and found nothing has not shown the cluster healthy.
    const status: TrajectoryStatus = !reasoning.diagnosis.detected
      ? observation.coverage.complete
        ? 'resolved'
        : 'incomplete'
      : verification
        ? verification.resolved
          ? 'resolved'
          : 'unresolved'
        : 'unresolved';
    const summary = reasoning.diagnosis.detected
      ? `${reasoning.diagnosis.rootCause?.summary ?? reasoning.diagnosis.faultyComponents.join(', ')}${verification ? (verification.resolved ? '; mitigated' : '; not mitigated') : ''}`
      : observation.coverage.complete
        ? 'no fault found'
        : `no fault found in what was read; could not read ${observation.coverage.gaps.map((g) => g.what).join(', ')}`;
    await recorder?.finish({ status, summary });
    return {
      id,
      observation,
      reasoning,
      actions,
      ...(verification === undefined ? {} : { verification }),
      status,
      durationMs: Math.round(performance.now() - started),
      ...(recorder ? { trajectoryPath: recorder.path } : {}),
    };
  } catch (error) {
    const aborted = error instanceof AoiError && error.code === 'aborted';
    await recorder?.finish({
      status: aborted ? 'aborted' : 'failed',
      summary: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
}
