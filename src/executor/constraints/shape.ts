/**
 * The checks on a workload's shape: who may be changed at all (protected), how far it may scale down, where
 * its pods may be scheduled, where a Service may send traffic, and which revision a rollback may return to.
 */
import type { ActionProposal } from '../../core/actions.js';
import type {
  ProtectedSelector,
  RollbackConstraints,
  ScaleConstraints,
} from '../../core/policy-constraints.js';
import type { ConstraintFacts } from './facts.js';
import { selects } from './facts.js';
import type { Refusal } from './types.js';
import { unreadable } from './content.js';

type Of<K extends ActionProposal['kind']> = Extract<ActionProposal, { kind: K }>;

export function checkProtected(selector: ProtectedSelector, facts: ConstraintFacts): Refusal | undefined {
  if (!facts.markers) return unreadable('protected', facts);
  for (const { labels, annotations } of facts.markers) {
    const label = Object.entries(selector.labels ?? {}).find(([k, v]) => labels[k] === v);
    const note = Object.entries(selector.annotations ?? {}).find(([k, v]) => annotations[k] === v);
    const hit = label ?? note;
    if (hit)
      return {
        constraint: 'protected',
        reason: `the target (or its workload) carries ${label ? 'label' : 'annotation'} ${hit[0]}=${hit[1]}: never changed`,
      };
  }
  return undefined;
}

export const DEFAULT_SCALE_DOWN_FRACTION = 0.5;

export function checkScale(
  action: Of<'scaleDeployment'>,
  policy: ScaleConstraints | undefined,
  facts: ConstraintFacts,
): Refusal | undefined {
  if (!facts.workload) return unreadable('scale', facts);
  const current = facts.workload.replicas;
  if (action.replicas >= current) return undefined;
  if (action.replicas === 0) {
    if (!facts.serviceSelectors) return unreadable('scale.service-backend', facts);
    const served = facts.serviceSelectors.filter((s) =>
      selects(s.selector, facts.workload?.templateLabels ?? {}),
    );
    if (served.length > 0)
      return {
        constraint: 'scale.service-backend',
        reason: `Service ${served.map((s) => s.name).join(', ')} selects ${action.name}'s pods: scaling it to 0 takes the Service down`,
      };
    return scaleEffect('scale.to-zero', `scale ${action.name} ${current} → 0`, policy?.toZero);
  }
  const fraction = (current - action.replicas) / current;
  const most = policy?.maxScaleDownFraction ?? DEFAULT_SCALE_DOWN_FRACTION;
  if (fraction > most)
    return scaleEffect(
      'scale.down-fraction',
      `scale ${action.name} ${current} → ${action.replicas} removes ${Math.round(fraction * 100)}% of its replicas (most ${Math.round(most * 100)}%)`,
      policy?.overFraction,
    );
  return undefined;
}

function scaleEffect(constraint: string, what: string, effect: 'approve' | 'deny' | undefined): Refusal {
  return effect === 'approve'
    ? { constraint, reason: `${what}: needs approval`, effect: 'approve' }
    : { constraint, reason: `${what}: refused by the policy` };
}

export function checkNodeSelector(
  action: Of<'patchNodeSelector'>,
  facts: ConstraintFacts,
): Refusal | undefined {
  const changed = Object.entries(action.nodeSelector).filter(
    (e): e is [string, string] => e[1] !== null && facts.workload?.nodeSelector[e[0]] !== e[1],
  );
  if (changed.length === 0) return undefined;
  if (!facts.workload || !facts.schedulableNodeLabels) return unreadable('node-selector', facts);
  const result: Record<string, string> = { ...facts.workload.nodeSelector };
  for (const [key, value] of Object.entries(action.nodeSelector))
    if (value === null) delete result[key];
    else result[key] = value;
  const fits = facts.schedulableNodeLabels.some((labels) =>
    Object.entries(result).every(([k, v]) => labels[k] === v),
  );
  if (fits) return undefined;
  return {
    constraint: 'node-selector.unsatisfiable',
    reason: `no schedulable node carries ${Object.entries(result)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
  };
}

export function checkServicePorts(action: Of<'patchService'>, facts: ConstraintFacts): Refusal | undefined {
  const service = facts.service;
  if (!service) return unreadable('service-ports', facts);
  for (const want of action.ports) {
    const existing = service.ports.find((p) =>
      want.name !== undefined ? p.name === want.name : p.port === want.port,
    );
    if (existing && existing.port !== want.port)
      return {
        constraint: 'service-ports.port',
        reason: `port ${existing.name ?? existing.port} would move from ${existing.port} to ${want.port}: only targetPort may change`,
      };
    const declared = service.backendPorts.some((p) =>
      typeof want.targetPort === 'number' ? p.number === want.targetPort : p.name === want.targetPort,
    );
    if (!declared)
      return {
        constraint: 'service-ports.target',
        reason: service.hasSelector
          ? `no container behind service/${action.name} declares port ${want.targetPort}`
          : `service/${action.name} has no selector: no container to check targetPort ${want.targetPort} against`,
      };
  }
  return undefined;
}

export function checkRollback(
  action: Of<'rollbackDeployment'>,
  policy: RollbackConstraints | undefined,
  facts: ConstraintFacts,
): Refusal | undefined {
  if (!facts.workload || !facts.history) return unreadable('rollback.revision', facts);
  const current = facts.workload.revision ?? Math.max(0, ...facts.history.map((r) => r.revision));
  const target =
    action.toRevision !== undefined
      ? facts.history.find((r) => r.revision === action.toRevision)
      : facts.history.filter((r) => r.revision < current).sort((a, b) => b.revision - a.revision)[0];
  const which = action.toRevision === undefined ? 'the previous revision' : `revision ${action.toRevision}`;
  if (!target) return { constraint: 'rollback.revision', reason: `${which} does not exist` };
  if (target.revision === current)
    return { constraint: 'rollback.revision', reason: `${which} is the current one` };
  if (!target.available && policy?.requireAvailablePod !== false)
    return {
      constraint: 'rollback.revision',
      reason: `${which} (${target.revision}) has no available pod: nothing shows it ever worked`,
    };
  return undefined;
}

/**
 * A probe may dial only a port its container declares: a probe moved to a port nothing serves kills (liveness)
 * or unreadies (readiness) every pod. Read loosely, so this module does not depend on the probe action's type.
 */
export function checkProbePort(action: ActionProposal, facts: ConstraintFacts): Refusal | undefined {
  const { port, container } = action as { port?: unknown; container?: unknown };
  if (typeof port !== 'number') return undefined;
  if (!facts.workload) return unreadable('probe-port', facts);
  const declared = facts.workload.containers
    .filter((c) => c.name === container)
    .some((c) => c.ports.some((p) => p.number === port));
  return declared
    ? undefined
    : { constraint: 'probe-port', reason: `container ${String(container)} declares no port ${port}` };
}
