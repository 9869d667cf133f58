/**
 * The TUI's state as a pure reducer: incident events, captured evidence and diagnosis, approval requests and
 * audit entries go in; the screen is a function of the result. Keeping it pure lets tests drive it without ink.
 */
import type { AuditEntry } from '../core/audit.js';
import type { Diagnosis } from '../core/diagnosis.js';
import type { Evidence, Severity } from '../core/evidence.js';
import type { ApprovalRequest } from '../executor/approval.js';
import type { ExecutionStatus } from '../executor/executor.js';
import type { IncidentEvent, IncidentPhase } from '../incident/run-incident.js';

export const PHASES: readonly IncidentPhase[] = ['observe', 'reason', 'act', 'verify'];

export type PhaseStatus = 'pending' | 'running' | 'done' | 'failed';

export interface PhaseState {
  status: PhaseStatus;
  startedAt?: number;
  durationMs?: number;
  summary?: string;
}

export interface Verdict {
  effect: 'allow' | 'approve' | 'deny';
  rule: string | null;
  reason: string;
}

export interface ActionOutcomeView {
  status: ExecutionStatus;
  message: string;
  /** The executor's own decision, made with what it read from the cluster (replicas, labels). */
  decision: Verdict;
}

export interface RunEnd {
  resolved: boolean | null;
  rounds: number | null;
  remaining: number;
  detected: boolean;
  /** What the first look could not read: with nothing detected, the run is incomplete, not healthy. */
  unread?: string[];
}

export type SortMode = 'severity' | 'id';

export interface TuiState {
  run: number;
  runStatus: 'running' | 'done' | 'failed';
  phases: Record<IncidentPhase, PhaseState>;
  evidence: Evidence[];
  diagnosis?: Diagnosis;
  reasonSteps: number;
  verdicts: Verdict[];
  outcomes: (ActionOutcomeView | undefined)[];
  pending?: { index: number; request: ApprovalRequest };
  end?: RunEnd;
  error?: string;
  audit: AuditEntry[];
  /** The last thing the user did or was told, for the status line. */
  notice?: string;
}

export type TuiEvent =
  | { type: 'run-start'; at: number }
  | { type: 'incident'; event: IncidentEvent; at: number }
  | { type: 'observed'; evidence: Evidence[] }
  | { type: 'diagnosed'; diagnosis: Diagnosis; steps: number; verdicts: Verdict[] }
  | { type: 'approval-requested'; request: ApprovalRequest }
  | { type: 'approval-answered'; answer: 'approved' | 'rejected' }
  | { type: 'run-end'; end: RunEnd }
  | { type: 'run-failed'; message: string }
  | { type: 'audit'; entries: AuditEntry[] }
  | { type: 'notice'; text: string };

const PHASE_NOTICE: Record<IncidentPhase, string> = {
  observe: 'observing the cluster…',
  reason: 'reasoning over the evidence…',
  act: 'acting: policy, dry run, approval…',
  verify: 'verifying: watching for the incident to clear…',
};

const pendingPhases = (): Record<IncidentPhase, PhaseState> => ({
  observe: { status: 'pending' },
  reason: { status: 'pending' },
  act: { status: 'pending' },
  verify: { status: 'pending' },
});

export function initialState(): TuiState {
  return {
    run: 0,
    runStatus: 'running',
    phases: pendingPhases(),
    evidence: [],
    reasonSteps: 0,
    verdicts: [],
    outcomes: [],
    audit: [],
  };
}

function withPhase(state: TuiState, phase: IncidentPhase, next: PhaseState): TuiState {
  return { ...state, phases: { ...state.phases, [phase]: next } };
}

export function reduce(state: TuiState, event: TuiEvent): TuiState {
  switch (event.type) {
    case 'run-start':
      return { ...initialState(), run: state.run + 1, audit: state.audit, notice: 'running…' };
    case 'incident': {
      const e = event.event;
      switch (e.type) {
        case 'phase-start':
          return {
            ...withPhase(state, e.phase, { status: 'running', startedAt: event.at }),
            notice: PHASE_NOTICE[e.phase],
          };
        case 'phase-end':
          return withPhase(state, e.phase, {
            ...state.phases[e.phase],
            status: e.summary.startsWith('failed:') ? 'failed' : 'done',
            durationMs: e.durationMs,
            summary: e.summary,
          });
        case 'action': {
          const index = proposalIndex(state, e.proposal, state.outcomes.length);
          const outcomes = [...state.outcomes];
          const d = e.result.decision;
          outcomes[index] = {
            status: e.result.status,
            message: e.result.message,
            decision: { effect: d.effect, rule: d.ruleId, reason: d.reason },
          };
          return { ...state, outcomes, notice: `${e.proposal.kind}: ${e.result.status}` };
        }
      }
      return state;
    }
    case 'observed':
      return { ...state, evidence: event.evidence };
    case 'diagnosed':
      return {
        ...state,
        diagnosis: event.diagnosis,
        reasonSteps: event.steps,
        verdicts: event.verdicts,
      };
    case 'approval-requested':
      return {
        ...state,
        pending: {
          index: proposalIndex(state, event.request.action, state.outcomes.length),
          request: event.request,
        },
        notice: 'approval needed',
      };
    case 'approval-answered': {
      const { pending: _pending, ...rest } = state;
      return { ...rest, notice: event.answer === 'approved' ? 'approved: applying…' : 'rejected' };
    }
    case 'run-end': {
      const { pending: _pending, ...rest } = state;
      return { ...rest, runStatus: 'done', end: event.end, notice: endNotice(event.end) };
    }
    case 'run-failed': {
      const { pending: _pending, ...rest } = state;
      return { ...rest, runStatus: 'failed', error: event.message, notice: `failed: ${event.message}` };
    }
    case 'audit':
      return { ...state, audit: event.entries };
    case 'notice':
      return { ...state, notice: event.text };
  }
}

function proposalIndex(state: TuiState, action: unknown, fallback: number): number {
  const proposals = state.diagnosis?.proposals ?? [];
  const byRef = proposals.findIndex((p) => p === action);
  if (byRef >= 0) return byRef;
  const json = JSON.stringify(action);
  const byValue = proposals.findIndex((p) => JSON.stringify(p) === json);
  return byValue >= 0 ? byValue : fallback;
}

export function endNotice(end: RunEnd): string {
  if (!end.detected && (end.unread ?? []).length > 0)
    return `INCOMPLETE: no fault found in what was read; could not read ${(end.unread ?? []).join(', ')}`;
  if (!end.detected) return 'healthy: no fault found';
  if (end.resolved === true) return `RESOLVED: verified, incident cleared after ${end.rounds ?? 0} look(s)`;
  if (end.resolved === false) return `NOT RESOLVED: ${end.remaining} severe item(s) remain`;
  return 'incident found; nothing applied';
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, error: 1, warning: 2, info: 3 };

const idNumber = (ev: Evidence) => Number(ev.id.slice(3));

export function sortEvidence(evidence: readonly Evidence[], mode: SortMode): Evidence[] {
  return [...evidence].sort((a, b) =>
    mode === 'severity'
      ? SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || idNumber(a) - idNumber(b)
      : idNumber(a) - idNumber(b),
  );
}

/** Evidence ids the diagnosis cites (hypotheses and proposals). */
export function citedIds(diagnosis: Diagnosis | undefined): Set<string> {
  if (!diagnosis) return new Set();
  return new Set([
    ...diagnosis.hypotheses.flatMap((h) => h.evidence),
    ...diagnosis.proposals.flatMap((p) => p.evidence),
  ]);
}

/** A count for the timeline: what each phase went through. */
export function phaseSteps(state: TuiState, phase: IncidentPhase): string | undefined {
  switch (phase) {
    case 'observe':
      return state.phases.observe.status === 'done' ? `${state.evidence.length} ev` : undefined;
    case 'reason':
      return state.diagnosis ? `${state.reasonSteps} step${state.reasonSteps === 1 ? '' : 's'}` : undefined;
    case 'act': {
      const total = state.diagnosis?.proposals.length ?? 0;
      if (state.phases.act.status === 'pending') return undefined;
      return `${state.outcomes.filter(Boolean).length}/${total}`;
    }
    case 'verify': {
      const rounds = state.end?.rounds;
      return rounds === null || rounds === undefined ? undefined : `${rounds} look${rounds === 1 ? '' : 's'}`;
    }
  }
}

/** The verdict to show: the executor's when it decided (or is asking), else the static one. */
export function shownVerdict(state: TuiState, index: number): Verdict | undefined {
  const outcome = state.outcomes[index];
  if (outcome) return outcome.decision;
  const pending = state.pending?.index === index ? state.pending.request.decision : undefined;
  if (pending) return { effect: pending.effect, rule: pending.ruleId, reason: pending.reason };
  return state.verdicts[index];
}
