/**
 * What the TUI needs from an incident run, as an injected backend: the CLI builds it over a real (or
 * simulated) cluster, tests build a fake. The approver handed to `run` is the TUI's own; the executor calls
 * it for every action the policy marks `approve`, exactly as it calls the prompt approver on the command line.
 */
import type { ActionProposal } from '../core/actions.js';
import type { AuditEntry } from '../core/audit.js';
import type { Evidence } from '../core/evidence.js';
import type { DryRunOutcome } from '../executor/actions/types.js';
import type { ApprovalAnswer, ApprovalRequest, Approver } from '../executor/approval.js';
import type { IncidentEvent, IncidentReport } from '../incident/run-incident.js';
import type { Reasoner, ReasonerResult } from '../reasoner/reasoner.js';

export interface TuiRunHooks {
  onEvent(event: IncidentEvent): void;
  onEvidence(evidence: Evidence[]): void;
  onDiagnosis(result: ReasonerResult): void;
  approver: Approver;
  signal: AbortSignal;
}

export interface TuiBackend {
  /** One line for the header: target, namespace, policy. */
  title: string;
  /** Whether actions run at all (false: diagnose only, verdicts still shown). */
  acting: boolean;
  run(hooks: TuiRunHooks): Promise<IncidentReport>;
  /** The policy's verdict on a proposal, as `aoi diagnose` shows it. */
  verdict(
    action: ActionProposal,
    index: number,
  ): { effect: 'allow' | 'approve' | 'deny'; rule: string | null; reason: string };
  /** The object the action would change, read now (its pre-image), for the local preview. */
  preview?(action: ActionProposal): Promise<Record<string, unknown>>;
  /**
   * The server-side dry run (dryRun=All) for the diff view; asked only for actions the policy does not deny.
   * Its `object` is what the API server says would result.
   */
  dryRun?(action: ActionProposal): Promise<DryRunOutcome>;
  /** The last entries of the audit log. */
  auditTail?(count: number): Promise<AuditEntry[]>;
}

/** Wraps a reasoner so the TUI sees the evidence it got and the diagnosis it gave as soon as they exist. */
export function observingReasoner(
  inner: Reasoner,
  hooks: Pick<TuiRunHooks, 'onEvidence' | 'onDiagnosis'>,
): Reasoner {
  return {
    name: inner.name,
    async diagnose(input, options) {
      hooks.onEvidence(input.evidence);
      const result = await inner.diagnose(input, options);
      hooks.onDiagnosis(result);
      return result;
    },
  };
}

/**
 * An approver answered by keys: each request waits until `answer` is called. Anything the policy did not
 * mark `approve` is rejected without asking, as the command-line prompt does.
 */
export class KeyApprover implements Approver {
  #waiting: ((answer: ApprovalAnswer) => void) | undefined;
  readonly #onRequest: (request: ApprovalRequest) => void;

  constructor(onRequest: (request: ApprovalRequest) => void) {
    this.#onRequest = onRequest;
  }

  approve(request: ApprovalRequest): Promise<ApprovalAnswer> {
    if (request.decision.effect !== 'approve') return Promise.resolve('rejected');
    this.#waiting?.('rejected');
    return new Promise((resolve) => {
      this.#waiting = resolve;
      this.#onRequest(request);
    });
  }

  get waiting(): boolean {
    return this.#waiting !== undefined;
  }

  /** Resolves the open request; false when none was open. */
  answer(answer: ApprovalAnswer): boolean {
    const resolve = this.#waiting;
    if (!resolve) return false;
    this.#waiting = undefined;
    resolve(answer);
    return true;
  }
}
