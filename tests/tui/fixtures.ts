/** A scripted backend for the TUI tests: one incident whose single fix waits for approval. */
import type { ActionProposal } from '../../src/core/actions.js';
import type { AuditEntry } from '../../src/core/audit.js';
import type { Evidence } from '../../src/core/evidence.js';
import type { DryRunOutcome } from '../../src/executor/actions/types.js';
import type { ApprovalAnswer } from '../../src/executor/approval.js';
import type { IncidentReport } from '../../src/incident/run-incident.js';
import type { ReasonerResult } from '../../src/reasoner/reasoner.js';
import type { TuiBackend, TuiRunHooks } from '../../src/tui/session.js';

const at = '2026-11-25T04:00:00.000Z';

export const EVIDENCE: Evidence[] = [
  {
    id: 'ev-1',
    source: 'logs',
    subject: { kind: 'Pod', namespace: 'shop', name: 'web-1' },
    signal: 'ErrorLogs',
    severity: 'warning',
    summary: 'web-1 logs connection refused',
    excerpt: 'dial tcp 10.0.0.7:9999: connect: connection refused',
    observedAt: at,
  },
  {
    id: 'ev-2',
    source: 'kubernetes',
    subject: { kind: 'Service', namespace: 'shop', name: 'user' },
    signal: 'TargetPortMismatch',
    severity: 'critical',
    summary: 'Service user targets 9999 but its pods listen on 9090',
    excerpt: 'ports 9090->9999; container port 9090',
    observedAt: at,
  },
  {
    id: 'ev-3',
    source: 'events',
    subject: { kind: 'Pod', namespace: 'shop', name: 'cart-1' },
    signal: 'Pulled',
    severity: 'info',
    summary: 'image pulled',
    observedAt: at,
  },
];

export const FIX: ActionProposal = {
  kind: 'patchService',
  namespace: 'shop',
  name: 'user',
  ports: [{ port: 9090, targetPort: 9090 }],
  rationale: 'point the Service at the port its pods listen on',
  evidence: ['ev-2'],
};

export const REASONING: ReasonerResult = {
  diagnosis: {
    detected: true,
    faultyComponents: ['user'],
    rootCause: { systemLevel: 'Virtualization', faultType: 'Misconfiguration', summary: 'user misrouted' },
    hypotheses: [
      { statement: 'Service user targets the wrong port', confidence: 0.9, evidence: ['ev-2', 'ev-1'] },
    ],
    proposals: [FIX],
  },
  steps: [{ kind: 'model', durationMs: 1, tokens: { in: 0, out: 0 }, summary: 'rules' }],
  tokens: { in: 0, out: 0 },
  rejected: [],
};

function auditEntry(seq: number, step: string, decision: AuditEntry['decision']): AuditEntry {
  return {
    seq,
    at,
    actor: 'aoi-executor',
    action: { step, proposal: FIX },
    policyRule: 'needs-approval',
    decision,
    dryRun: { ok: true },
    result: { status: 'applied' },
    prevHash: 'genesis',
    hash: 'f'.repeat(64),
  };
}

export interface Scripted {
  backend: TuiBackend;
  runs: number;
  answers: ApprovalAnswer[];
  audit: AuditEntry[];
  /** Resolves a run that waits on a gate (to check re-run refusal while running). */
  release?: (() => void) | undefined;
}

/** Drives the hooks as runIncident and the executor do: events, evidence, diagnosis, one approval. */
export function scriptedBackend(
  options: { gate?: boolean; fix?: ActionProposal; requestDryRun?: DryRunOutcome } = {},
): Scripted {
  const reasoning: ReasonerResult = options.fix
    ? { ...REASONING, diagnosis: { ...REASONING.diagnosis, proposals: [options.fix] } }
    : REASONING;
  const scripted: Scripted = { runs: 0, answers: [], audit: [], backend: undefined as unknown as TuiBackend };
  const run = async (hooks: TuiRunHooks): Promise<IncidentReport> => {
    scripted.runs++;
    hooks.onEvent({ type: 'phase-start', phase: 'observe' });
    if (options.gate) await new Promise<void>((resolve) => (scripted.release = resolve));
    hooks.onEvent({ type: 'phase-end', phase: 'observe', durationMs: 1200, summary: '3 evidence item(s)' });
    hooks.onEvent({ type: 'phase-start', phase: 'reason' });
    hooks.onEvidence(EVIDENCE);
    hooks.onDiagnosis(reasoning);
    hooks.onEvent({ type: 'phase-end', phase: 'reason', durationMs: 3, summary: 'root cause user' });
    hooks.onEvent({ type: 'phase-start', phase: 'act' });
    scripted.audit.push(auditEntry(scripted.audit.length + 1, 'policy', 'approve'));
    const decision = {
      effect: 'approve' as const,
      ruleId: 'needs-approval',
      reason: 'approve by rule needs-approval',
    };
    const answer = await hooks.approver.approve({
      action: reasoning.diagnosis.proposals[0]!,
      decision,
      dryRun: options.requestDryRun ?? { ok: true, message: 'service/user ports would change' },
      blastRadius: { objects: ['service/shop/user'], pods: [] },
    });
    scripted.answers.push(answer);
    const status = answer === 'approved' ? 'verified' : 'rejected';
    scripted.audit.push(
      auditEntry(scripted.audit.length + 1, answer === 'approved' ? 'apply' : 'approval', answer),
    );
    hooks.onEvent({
      type: 'action',
      proposal: reasoning.diagnosis.proposals[0]!,
      result: {
        status,
        decision,
        dryRun: { ok: true },
        message: answer === 'approved' ? 'ports as requested' : 'approval rejected',
      },
    });
    hooks.onEvent({ type: 'phase-end', phase: 'act', durationMs: 40, summary: `patchService: ${status}` });
    let verification: IncidentReport['verification'];
    if (answer === 'approved') {
      hooks.onEvent({ type: 'phase-start', phase: 'verify' });
      verification = { resolved: true, rounds: 3, remaining: [], unread: [] };
      hooks.onEvent({
        type: 'phase-end',
        phase: 'verify',
        durationMs: 5000,
        summary: 'clear after 3 look(s)',
      });
    }
    return {
      reasoning,
      ...(verification ? { verification } : {}),
    } as unknown as IncidentReport;
  };
  scripted.backend = {
    title: 'sim:test · ns shop · policy test',
    acting: true,
    run,
    verdict: () => ({ effect: 'approve', rule: 'needs-approval', reason: 'approve by rule needs-approval' }),
    preview: () =>
      Promise.resolve({ kind: 'Service', ports: [{ port: 9090, targetPort: 9999, protocol: 'TCP' }] }),
    auditTail: (count) => Promise.resolve(scripted.audit.slice(-count)),
  };
  return scripted;
}
