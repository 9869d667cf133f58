/**
 * The only code that changes a cluster. One action: policy → dry run → approval (when the policy says
 * approve) → pre-image → apply → verify → rollback from the pre-image when verification fails. Every step
 * is audited; any error stops the run and is reported as a value (fail closed).
 */
import type { ActionProposal } from '../core/actions.js';
import type { AuditDecision } from '../core/audit.js';
import type { Policy } from '../core/policy.js';
import { handlerFor } from './actions/index.js';
import { typedActionFor } from './kubectl-to-action.js';
import { describeError } from './actions/errors.js';
import type { BlastRadius, DryRunOutcome, ExecutorClients, PreImage } from './actions/types.js';
import type { Approver } from './approval.js';
import type { AuditFields, AuditLog } from './audit-log.js';
import type { IncidentCounters } from './context.js';
import { gatherContext } from './context.js';
import { imageDigest } from './image-digest.js';
import type { Decision } from './policy-engine.js';
import { decide } from './policy-engine.js';
import type { Verifier, VerifyResult } from './verifier.js';
import { readBackVerifier } from './verifier.js';

export interface ExecuteOptions {
  policy: Policy;
  approver: Approver;
  audit: AuditLog;
  clients: ExecutorClients;
  verifier?: Verifier;
  /** Stop after the dry run (and say what would happen). */
  dryRunOnly?: boolean;
  incident?: IncidentCounters;
  actor?: string;
  /** The run (incident, act, rollback) the entries belong to. */
  runId?: string;
  /**
   * Ctrl-C or SIGTERM: a step in flight is finished and recorded, nothing new starts. Aborted before the
   * apply, nothing is written; after it, verification is skipped and the result says how to roll back.
   */
  signal?: AbortSignal;
}

export type ExecutionStatus =
  | 'denied'
  | 'rejected'
  | 'notAsked'
  | 'aborted'
  | 'dryRunFailed'
  | 'dryRunOnly'
  | 'verified'
  | 'rolledBack'
  | 'rollbackFailed'
  | 'failed';

export interface ExecutionResult {
  status: ExecutionStatus;
  decision: Decision;
  dryRun: DryRunOutcome | null;
  blastRadius?: BlastRadius;
  preImage?: PreImage;
  verification?: VerifyResult;
  /** Audit seq of the apply entry, when the action was applied: the id `aoi rollback` takes. */
  auditId?: number;
  message: string;
}

/**
 * The handler's server-side dry run as a value: ok with the server's answer, or not ok with the reason. No
 * policy check and no audit entry: callers other than `execute` (the TUI's diff view) must check the policy first.
 */
export async function dryRunAction(clients: ExecutorClients, action: ActionProposal): Promise<DryRunOutcome> {
  try {
    const result = await handlerFor(action).dryRun(clients, action);
    return {
      ok: true,
      message: result.message,
      ...(result.current ? { current: result.current } : {}),
      ...(result.object ? { object: result.object } : {}),
    };
  } catch (error) {
    return { ok: false, message: describeError(error) };
  }
}

/** What the audit log and the result keep of a dry run: ok and the note, never whole objects (ConfigMap data). */
function summary(dryRun: DryRunOutcome | null): DryRunOutcome | null {
  if (dryRun === null) return null;
  return { ok: dryRun.ok, ...(dryRun.message === undefined ? {} : { message: dryRun.message }) };
}

type Step = 'policy' | 'dryRun' | 'approval' | 'apply' | 'verify' | 'rollback' | 'error';

/** The decision recorded when the policy wants approval and nobody can be asked. */
export const NOT_ASKED_MESSAGE =
  'not asked (no terminal): approval needed, no terminal to ask and no --approve';

/** Settles with `work`, or with 'aborted' as soon as `signal` fires (the work is left to finish unobserved). */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | 'aborted'> {
  if (!signal) return work;
  if (signal.aborted) return Promise.resolve('aborted');
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

const interruption = (signal: AbortSignal | undefined): string =>
  `interrupted${typeof signal?.reason === 'string' ? ` by ${signal.reason}` : ''}`;

export async function execute(action: ActionProposal, options: ExecuteOptions): Promise<ExecutionResult> {
  // A kubectl write that is a typed action in disguise runs as that action, under its rules.
  const typed = action.kind === 'kubectl' ? typedActionFor(action) : undefined;
  if (typed) return execute(typed, options);
  const actor = options.actor ?? 'aoi-executor';
  const handler = handlerFor(action);
  const { clients, audit } = options;
  let decision: Decision = { effect: 'deny', ruleId: null, reason: 'not decided yet' };
  let dryRun: DryRunOutcome | null = null;
  let final: AuditDecision = 'deny';
  let applied = false;
  const record = (step: Step, result: AuditFields['result'], extra: Record<string, unknown> = {}) =>
    audit.append({
      actor,
      action: { step, proposal: action, ...extra },
      policyRule: decision.ruleId,
      decision: final,
      dryRun: summary(dryRun),
      result,
      ...(clients.target === undefined ? {} : { target: clients.target }),
      ...(options.runId === undefined ? {} : { runId: options.runId }),
    });
  const done = (
    status: ExecutionStatus,
    message: string,
    more: Partial<ExecutionResult> = {},
  ): ExecutionResult => ({
    status,
    decision,
    dryRun: summary(dryRun),
    message,
    ...more,
  });

  try {
    const context = await gatherContext(action, clients, options.incident ?? { actionsSoFar: 0 });
    decision = decide(action, options.policy, context);
    final = decision.effect;
    // The audit entry names the constraints checked; the facts they were checked on stay out (they are large).
    const { facts: _facts, ...audited } = context;
    const constraints = decision.constraints ?? { checked: [] };
    if (decision.effect === 'deny') {
      await record('policy', { status: 'skipped', message: decision.reason }, { constraints });
      return done('denied', decision.reason);
    }
    await record('policy', null, { context: audited, constraints });

    dryRun = await dryRunAction(clients, action);
    const blastRadius = await handler.blastRadius(clients, action);
    if (!dryRun.ok || options.dryRunOnly) {
      const status = dryRun.ok ? 'dryRunOnly' : 'dryRunFailed';
      const message = dryRun.ok
        ? `dry run only: ${dryRun.message ?? 'ok'}`
        : `dry run failed: ${dryRun.message ?? ''}`;
      await record('dryRun', { status: 'skipped', message }, { blastRadius });
      return done(status, message, { blastRadius });
    }
    await record('dryRun', null, { blastRadius });

    const { signal } = options;
    const stopBeforeApply = async () => {
      const message = `${interruption(signal)} before the apply; nothing was changed`;
      await record('apply', { status: 'skipped', message });
      return done('aborted', message, { blastRadius });
    };
    if (signal?.aborted) return await stopBeforeApply();
    if (decision.effect === 'approve') {
      const answer = await unlessAborted(
        options.approver.approve({ action, decision, dryRun, blastRadius }),
        signal,
      );
      if (answer === 'aborted') return await stopBeforeApply();
      if (answer === 'not-asked') {
        final = 'not-asked';
        await record('approval', { status: 'skipped', message: NOT_ASKED_MESSAGE });
        return done('notAsked', NOT_ASKED_MESSAGE, { blastRadius });
      }
      final = answer === 'approved' ? 'approved' : 'rejected';
      if (final === 'rejected') {
        await record('approval', { status: 'skipped', message: 'approval rejected' });
        return done('rejected', 'approval rejected', { blastRadius });
      }
      await record('approval', null);
    }

    const preImage = await handler.preImage(clients, action);
    let applyMessage: string;
    try {
      applied = true;
      applyMessage = await handler.apply(clients, action, preImage);
    } catch (error) {
      const message = `apply failed: ${describeError(error)}`;
      await record('apply', { status: 'failed', message }, { preImage });
      return done('failed', message, { blastRadius, preImage });
    }
    // The state right after the apply, as a digest: a later `aoi rollback` refuses if the object moved on.
    const postImageDigest = await handler
      .preImage(clients, action)
      .then(imageDigest)
      .catch(() => null);
    const applyEntry = await record(
      'apply',
      { status: 'applied', message: applyMessage },
      { preImage, postImageDigest },
    );
    const applySeq = applyEntry.seq;
    const stopAfterApply = async () => {
      const message = `${interruption(signal)} after the apply, before verification; undo it with \`aoi rollback ${applySeq}\``;
      await record('verify', { status: 'skipped', message }, { applySeq });
      return done('aborted', message, { blastRadius, preImage, auditId: applySeq });
    };
    if (signal?.aborted) return await stopAfterApply();

    const verifier = options.verifier ?? readBackVerifier();
    const verification = await unlessAborted(
      verifier.verify({
        action,
        preImage,
        check: () => handler.check(clients, action, preImage),
        ...(signal === undefined ? {} : { signal }),
      }),
      signal,
    );
    if (verification === 'aborted') return await stopAfterApply();
    const after = { blastRadius, preImage, verification, auditId: applySeq };
    if (verification.ok) {
      await record(
        'verify',
        { status: 'applied', message: `verified: ${verification.message}` },
        { applySeq },
      );
      return done('verified', verification.message, after);
    }
    await record(
      'verify',
      { status: 'failed', message: `verification failed: ${verification.message}` },
      { applySeq },
    );
    if (!handler.rollback) {
      const message = `verification failed and ${action.kind} cannot be rolled back: ${verification.message}`;
      await record('rollback', { status: 'failed', message }, { applySeq });
      return done('rollbackFailed', message, after);
    }
    try {
      const note = await handler.rollback(clients, action, preImage);
      await record('rollback', { status: 'rolledBack', message: note }, { applySeq });
      return done('rolledBack', `verification failed (${verification.message}); ${note}`, after);
    } catch (error) {
      const message = `rollback failed: ${describeError(error)}`;
      await record('rollback', { status: 'failed', message }, { applySeq });
      return done('rollbackFailed', message, after);
    }
  } catch (error) {
    const message = `${applied ? 'after apply' : 'before apply'}: ${describeError(error)}`;
    try {
      await record('error', { status: 'failed', message });
    } catch {
      // The audit log itself failed; the result still says so.
    }
    return done('failed', message);
  }
}
