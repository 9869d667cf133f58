/**
 * Undo an applied action by the audit id of its apply step: the pre-image recorded there is restored through
 * the action's own rollback (the code path `execute` uses after a failed verification), after the policy
 * allows the original action as a write and only if the object still is as the apply left it.
 */
import { ActionProposal } from '../core/actions.js';
import type { AuditDecision, AuditEntry } from '../core/audit.js';
import type { Policy } from '../core/policy.js';
import { describeError } from './actions/errors.js';
import { handlerFor } from './actions/index.js';
import type { ExecutorClients, PreImage } from './actions/types.js';
import type { Approver } from './approval.js';
import type { AuditFields, AuditLog } from './audit-log.js';
import { readAuditEntries } from './audit-log.js';
import { sameServer } from './cluster-identity.js';
import { gatherContext } from './context.js';
import { imageDigest } from './image-digest.js';
import type { Decision } from './policy-engine.js';
import { decide } from './policy-engine.js';

export interface RollbackOptions {
  policy: Policy;
  approver: Approver;
  audit: AuditLog;
  clients: ExecutorClients;
  actor?: string;
  /** The rollback run the entry belongs to. */
  runId?: string;
}

export type RollbackStatus = 'rolledBack' | 'refused' | 'denied' | 'rejected' | 'notAsked' | 'failed';

export interface RollbackResult {
  status: RollbackStatus;
  /** The apply entry's seq that was asked for. */
  id: number;
  action?: ActionProposal;
  decision?: Decision;
  /** Seq of the audit entry this rollback wrote, if it wrote one. */
  auditId?: number;
  message: string;
}

interface ApplyRecord {
  step?: unknown;
  proposal?: unknown;
  preImage?: unknown;
  postImageDigest?: unknown;
  rollbackOf?: unknown;
  applySeq?: unknown;
}

const recordOf = (entry: AuditEntry): ApplyRecord =>
  entry.action !== null && typeof entry.action === 'object' ? entry.action : {};

/** The rollback entry that already undid apply `id`: by `aoi rollback`, or by execute after a failed verify. */
function undoneBy(entries: readonly AuditEntry[], id: number): AuditEntry | undefined {
  return entries.find((e) => {
    const r = recordOf(e);
    return (
      e.seq > id &&
      r.step === 'rollback' &&
      e.result?.status === 'rolledBack' &&
      (r.rollbackOf === id || r.applySeq === id)
    );
  });
}

export async function rollbackApplied(id: number, options: RollbackOptions): Promise<RollbackResult> {
  const { clients, audit, policy } = options;
  const refused = (message: string, more: Partial<RollbackResult> = {}): RollbackResult => ({
    status: 'refused',
    id,
    message,
    ...more,
  });
  const entries = await readAuditEntries(audit.path);
  const entry = entries.find((e) => e.seq === id);
  if (!entry) return refused(`audit #${id} does not exist in ${audit.path}`);
  const applied = recordOf(entry);
  if (applied.step !== 'apply' || entry.result?.status !== 'applied')
    return refused(
      `audit #${id} is not an applied action (it records step ${typeof applied.step === 'string' ? applied.step : '?'}, ` +
        `result ${entry.result?.status ?? 'none'}); only the apply entry of an action can be rolled back`,
    );
  // Entries from before the cluster was recorded carry no target; those are let through as before.
  const then = entry.target;
  const now = clients.target;
  if (then !== undefined && now !== undefined && !sameServer(then.server, now.server))
    return refused(
      `audit #${id} was applied to another cluster: ${then.server} (context ${then.context}), ` +
        `but the current target is ${now.server} (context ${now.context}); ` +
        `pass the --kubeconfig and --context of ${then.server}`,
    );
  const parsed = ActionProposal.safeParse(applied.proposal);
  if (!parsed.success) return refused(`audit #${id}: the recorded proposal is not a valid action`);
  const action = parsed.data;
  const handler = handlerFor(action);
  if (!handler.rollback) return refused(`audit #${id}: ${action.kind} cannot be rolled back`, { action });
  const preImage = applied.preImage;
  if (preImage === null || typeof preImage !== 'object' || Array.isArray(preImage))
    return refused(`audit #${id} carries no pre-image`, { action });
  const undone = undoneBy(entries, id);
  if (undone) return refused(`audit #${id} was already rolled back (audit #${undone.seq})`, { action });

  const context = await gatherContext(action, clients, { actionsSoFar: 0 });
  const decision = decide(action, policy, context);
  let final: AuditDecision = decision.effect;
  const record = async (result: AuditFields['result']) =>
    (
      await audit.append({
        actor: options.actor ?? 'aoi-executor',
        action: { step: 'rollback', proposal: action, rollbackOf: id },
        policyRule: decision.ruleId,
        decision: final,
        dryRun: null,
        result,
        ...(clients.target === undefined ? {} : { target: clients.target }),
        ...(options.runId === undefined ? {} : { runId: options.runId }),
      })
    ).seq;
  const base = { id, action, decision };
  if (decision.effect === 'deny') {
    const message = `rollback of audit #${id} denied by the policy: ${decision.reason}`;
    const auditId = await record({ status: 'skipped', message });
    return { status: 'denied', ...base, auditId, message };
  }

  if (typeof applied.postImageDigest !== 'string')
    return refused(
      `audit #${id} does not record the state after the apply; cannot tell whether it changed since`,
      {
        action,
        decision,
      },
    );
  let digestNow: string;
  let harm: string | undefined;
  try {
    digestNow = imageDigest(await handler.preImage(clients, action));
    harm = await handler.rollbackRefusal?.(clients, action, preImage as PreImage);
  } catch (error) {
    return refused(`cannot read the object of audit #${id}: ${describeError(error)}`, { action, decision });
  }
  if (digestNow !== applied.postImageDigest || harm !== undefined) {
    const message =
      harm !== undefined
        ? `refusing to roll back audit #${id}: ${harm}`
        : `the object of audit #${id} has changed since it was applied; refusing to overwrite it`;
    const auditId = await record({ status: 'skipped', message });
    return refused(message, { action, decision, auditId });
  }

  if (decision.effect === 'approve') {
    const answer = await options.approver.approve({
      action,
      decision,
      dryRun: { ok: true, message: `rollback of audit #${id} (restores the recorded pre-image)` },
      blastRadius: await handler.blastRadius(clients, action),
    });
    final = answer;
    if (answer === 'not-asked') {
      const message = `rollback of audit #${id}: not asked (no terminal): approval needed; pass --approve or run on a terminal`;
      const auditId = await record({ status: 'skipped', message });
      return { status: 'notAsked', ...base, auditId, message };
    }
    if (answer === 'rejected') {
      const message = `rollback of audit #${id}: approval rejected`;
      const auditId = await record({ status: 'skipped', message });
      return { status: 'rejected', ...base, auditId, message };
    }
  }

  const pre = preImage as PreImage;
  let note: string;
  try {
    note = await handler.rollback(clients, action, pre);
  } catch (error) {
    const message = `rollback of audit #${id} failed: ${describeError(error)}`;
    const auditId = await record({ status: 'failed', message });
    return { status: 'failed', ...base, auditId, message };
  }
  const restored = await handler
    .preImage(clients, action)
    .then((image) => imageDigest(image) === imageDigest(pre))
    .catch(() => false);
  const message = restored
    ? `audit #${id} rolled back: ${note}`
    : `audit #${id}: ${note}, but the object read back differs from the pre-image`;
  const auditId = await record({ status: restored ? 'rolledBack' : 'failed', message });
  return { status: restored ? 'rolledBack' : 'failed', ...base, auditId, message };
}
