/**
 * A plan decided as a whole before any of it runs. Each action is decided against the cluster as it is now
 * (rules and content constraints, with the executor's own reads); then the plan's combinations: one workload
 * or Service changed twice in a plan (an env var, then a command that uses it; two scale-downs of one workload) is
 * refused, since each step may pass alone while the sum would not. A plan with any refusal runs nothing:
 * every refusal is audited and reported, so a hostile plan cannot spend its harmless actions first.
 */
import { targetObjectOf } from '../core/action-target.js';
import type { ActionProposal } from '../core/actions.js';
import type { Policy } from '../core/policy.js';
import type { ExecutorClients } from './actions/types.js';
import type { AuditLog } from './audit-log.js';
import type { FactClients } from './constraints/facts.js';
import { gatherContext } from './context.js';
import { typedActionFor } from './kubectl-to-action.js';
import type { Decision } from './policy-engine.js';
import { decide } from './policy-engine.js';

export interface PlanRefusal {
  index: number;
  action: ActionProposal;
  decision: Decision;
}

/** Workloads and Services: a ConfigMap's values are bounded one by one by the allow-list instead. */
const COMBINED = new Set(['deployments', 'statefulsets', 'services']);

function targetKey(action: ActionProposal): string | undefined {
  const typed = action.kind === 'kubectl' ? typedActionFor(action) : action;
  const target = typed ? targetObjectOf(typed) : undefined;
  return target && COMBINED.has(target.resource)
    ? `${target.resource}/${target.namespace ?? ''}/${target.name}`
    : undefined;
}

/** Every action's verdict now, and the plan's own refusals; empty when the plan may start. */
export async function refusalsOf(
  actions: readonly ActionProposal[],
  policy: Policy,
  clients: FactClients,
): Promise<PlanRefusal[]> {
  const refusals: PlanRefusal[] = [];
  const seen = new Map<string, number>();
  for (const [index, action] of actions.entries()) {
    const typed = action.kind === 'kubectl' ? (typedActionFor(action) ?? action) : action;
    // Counted as the executor would count them: the earlier actions that would run (a refused one never does).
    const context = await gatherContext(typed, clients, { actionsSoFar: index - refusals.length });
    let decision = decide(typed, policy, context);
    const key = targetKey(action);
    const first = key === undefined ? undefined : seen.get(key);
    if (decision.effect !== 'deny' && first !== undefined)
      decision = {
        effect: 'deny',
        ruleId: 'constraint:plan.repeated-target',
        reason: `action ${first + 1} of this plan already changes ${key ?? '?'}: one change per object per plan`,
        constraints: { checked: [...(decision.constraints?.checked ?? []), 'plan.repeated-target'] },
      };
    if (decision.effect === 'deny') refusals.push({ index, action, decision });
    else if (key !== undefined && first === undefined) seen.set(key, index);
  }
  return refusals;
}

/** Records each refusal in the audit log, as the executor records a denied action. */
export async function auditRefusals(
  refusals: readonly PlanRefusal[],
  audit: AuditLog,
  clients: ExecutorClients,
  runId: string,
  actor = 'aoi-executor',
): Promise<void> {
  for (const { action, decision } of refusals)
    await audit.append({
      actor,
      action: { step: 'policy', proposal: action, constraints: decision.constraints ?? { checked: [] } },
      policyRule: decision.ruleId,
      decision: 'deny',
      dryRun: null,
      result: { status: 'skipped', message: `plan refused before it ran: ${decision.reason}` },
      ...(clients.target === undefined ? {} : { target: clients.target }),
      runId,
    });
}
