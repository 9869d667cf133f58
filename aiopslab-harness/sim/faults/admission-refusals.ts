/**
 * The on-call catalog's admission refusals (docs/oncall-catalog.md): a namespace's ResourceQuota or LimitRange
 * no longer admits a workload's pods. Neither touches a running pod (both act only at admission), so each
 * fault changes the policy object and then does what makes pods be created again:
 *
 * - `trigger: delete` (default): the target's pods are deleted (`kubectl delete pod`, a drain, an eviction);
 *   its ReplicaSet cannot replace them: the workload is down (FailedCreate on the ReplicaSet, ReplicaFailure
 *   on the Deployment). Fix: a person raises the quota or the range, frees capacity, or lowers the workload's
 *   resources; nothing aoi may do on its own.
 * - `trigger: rollout`: a rollout raises the target's limits past what the policy admits: the new
 *   ReplicaSet's pods are refused, the rollout stalls with the old pods still serving (no outage yet). Fix:
 *   `kubectl rollout undo` (the previous template was admitted).
 */
import { formatQuantity, parseQuantity } from '../admission/quantity.js';
import type { QuotaView } from '../admission/resource-quota.js';
import { namespaceUsage, podUsage } from '../admission/resource-quota.js';
import { resourceByKind } from '../api/resources.js';
import type { SimCluster } from '../cluster.js';
import type { Container, Deployment } from '../model.js';
import { podsOf } from './topology.js';
import type { FaultSpec, Injector } from './util.js';
import { appIn, componentOf, deletePods, faultError, param, patchDeployment, targetOf } from './util.js';

const QUOTAS = resourceByKind('ResourceQuota');
const LIMIT_RANGES = resourceByKind('LimitRange');

function triggerOf(fault: FaultSpec): 'delete' | 'rollout' {
  const trigger = param(fault, 'trigger') ?? 'delete';
  if (trigger !== 'delete' && trigger !== 'rollout')
    throw faultError(`${fault.kind}: trigger is delete or rollout`);
  return trigger;
}

function mainContainer(cluster: SimCluster, namespace: string, d: Deployment, target: string): Container {
  const name = componentOf(cluster, namespace, target).containerName;
  const c =
    d.spec.template.spec.containers.find((x) => x.name === name) ?? d.spec.template.spec.containers[0];
  if (!c) throw faultError(`deployment ${target} has no containers`);
  return c;
}

/** `kubectl set resources deployment <target> --limits=<resource>=<value>` (a new revision). */
function raiseLimit(
  cluster: SimCluster,
  namespace: string,
  target: string,
  resource: string,
  value: string,
): void {
  patchDeployment(cluster, namespace, target, (d) => {
    const c = mainContainer(cluster, namespace, d, target);
    const resources = (c.resources ??= {});
    resources.limits = { ...(resources.limits ?? {}), [resource]: value };
  });
}

function scaled(text: string, factor: number): string {
  const q = parseQuantity(text);
  if (!q) throw faultError(`cannot read quantity ${text}`);
  const milli = Math.round(q.milli * factor);
  // A whole unit (or whole Mi) reads as an operator writes it.
  const unit = q.format === 'BinarySI' ? 1024 * 1024 * 1000 : 1;
  return formatQuantity({ milli: Math.max(unit, Math.round(milli / unit) * unit), format: q.format });
}

/**
 * resource_quota_exceeded: ResourceQuota `params.name` (default compute-quota) on `params.resource` (default
 * `pods`). delete: its hard is lowered to what the rest of the namespace uses, then the target's pods go.
 * rollout (a compute resource, e.g. limits.memory): hard leaves room for one more pod as the target is now,
 * and a rollout raises the target's limit `params.factor` times (default 2).
 */
export const resourceQuotaExceeded: Injector = (cluster, namespace, fault) => {
  const target = targetOf(fault);
  const resource = param(fault, 'resource') ?? 'pods';
  const name = param(fault, 'name') ?? 'compute-quota';
  const trigger = triggerOf(fault);
  const probe: QuotaView = { metadata: { name }, spec: { hard: { [resource]: '0' } } };
  const used = parseQuantity(namespaceUsage(cluster.store, namespace, probe)[resource]);
  const { app } = appIn(cluster, namespace);
  const pods = podsOf(cluster.world, namespace, app, target);
  const own = pods.map((p) => podUsage(p)[resource]).filter((q) => q !== undefined);
  if (!used || own.length === 0) throw faultError(`${fault.kind}: ${target}'s pods use no ${resource}`);
  const ownTotal = own.reduce((n, q) => n + q.milli, 0);
  const hard =
    trigger === 'delete'
      ? { milli: used.milli - ownTotal, format: used.format }
      : { milli: used.milli + own[0]!.milli, format: used.format };
  if (trigger === 'rollout' && !/^(limits|requests)\.(cpu|memory)$/.test(resource))
    throw faultError(`${fault.kind}: a rollout trigger needs a compute resource such as limits.memory`);
  cluster.store.create(QUOTAS, {
    metadata: { name, namespace },
    spec: { hard: { [resource]: formatQuantity(hard) } },
  });
  cluster.reconcile();
  if (trigger === 'delete') {
    deletePods(cluster, namespace, target);
    return;
  }
  const [, kind] = resource.split('.') as [string, string];
  const current = cluster.store.peek(resourceByKind('Deployment'), namespace, target);
  if (!current) throw faultError(`deployment ${namespace}/${target} not found`);
  const c = mainContainer(cluster, namespace, current as unknown as Deployment, target);
  const now = c.resources?.limits?.[kind] ?? c.resources?.requests?.[kind];
  if (!now) throw faultError(`${fault.kind}: ${target} sets no ${kind}`);
  raiseLimit(cluster, namespace, target, kind, scaled(now, Number(param(fault, 'factor') ?? 2)));
};

/**
 * limit_range_violation: LimitRange `params.name` (default container-limits) caps a container's
 * `params.resource` (memory or cpu, default memory). delete: the cap is half the target's limit, then the
 * target's pods go. rollout: the cap is `params.max` (default 512Mi / 1) and a rollout sets the target's limit
 * to `params.limit` (default 1Gi / 2). The stored range carries the defaults the API server fills in from max
 * (SetDefaults_LimitRangeItem: default and defaultRequest).
 */
export const limitRangeViolation: Injector = (cluster, namespace, fault) => {
  const target = targetOf(fault);
  const resource = param(fault, 'resource') ?? 'memory';
  if (resource !== 'memory' && resource !== 'cpu')
    throw faultError(`${fault.kind}: resource is memory or cpu`);
  const name = param(fault, 'name') ?? 'container-limits';
  const trigger = triggerOf(fault);
  const json = cluster.store.peek(resourceByKind('Deployment'), namespace, target);
  if (!json) throw faultError(`deployment ${namespace}/${target} not found`);
  const c = mainContainer(cluster, namespace, json as unknown as Deployment, target);
  let max: string;
  if (trigger === 'delete') {
    const limit = c.resources?.limits?.[resource];
    if (!limit) throw faultError(`${fault.kind}: ${target} sets no ${resource} limit`);
    max = scaled(limit, 0.5);
  } else max = param(fault, 'max') ?? (resource === 'memory' ? '512Mi' : '1');
  cluster.store.create(LIMIT_RANGES, {
    metadata: { name, namespace },
    spec: {
      limits: [
        {
          type: 'Container',
          max: { [resource]: max },
          default: { [resource]: max },
          defaultRequest: { [resource]: max },
        },
      ],
    },
  });
  cluster.reconcile();
  if (trigger === 'delete') deletePods(cluster, namespace, target);
  else
    raiseLimit(
      cluster,
      namespace,
      target,
      resource,
      param(fault, 'limit') ?? (resource === 'memory' ? '1Gi' : '2'),
    );
};
