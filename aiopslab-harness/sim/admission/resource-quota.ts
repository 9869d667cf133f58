/**
 * The ResourceQuota admission plugin and the quota controller's usage count, for pods
 * (staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go, checkQuotas;
 * pkg/quota/v1/evaluator/core/pods.go, the pod evaluator). A create that would take a quota's used past its
 * hard is refused with `exceeded quota: <name>, requested: <r>, used: <u>, limited: <h>` (only the exceeded
 * resources, `key=value` sorted and comma-joined: prettyPrint); an admitted pod is added to status.used at
 * once, as the plugin does, and the controller recounts from the pods that exist. Scoped quotas
 * (spec.scopes, scopeSelector) are not modelled: they are skipped.
 */
import type { JsonObject } from '../api/json.js';
import { resourceByKind } from '../api/resources.js';
import type { Pod } from '../model.js';
import { asView } from '../model.js';
import type { ObjectStore } from '../store.js';
import { metaOf } from '../store.js';
import type { ResourceList } from './pod-resources.js';
import { podContainers, podTotal } from './pod-resources.js';
import type { Quantity } from './quantity.js';
import { addQuantity, count, formatQuantity, parseQuantity } from './quantity.js';

const QUOTAS = resourceByKind('ResourceQuota');
const PODS = resourceByKind('Pod');

/** The resources the pod evaluator answers for (besides extended and hugepage ones, not modelled). */
const POD_RESOURCES = new Set([
  'pods',
  'count/pods',
  'cpu',
  'memory',
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
  'ephemeral-storage',
  'requests.ephemeral-storage',
  'limits.ephemeral-storage',
]);
/** "if we quota cpu or memory, then each container must make an explicit request for the resource" (pods.go). */
const MUST_SPECIFY = new Set([
  'cpu',
  'memory',
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
]);

export interface QuotaView {
  metadata: { name: string; namespace?: string };
  spec?: { hard?: Record<string, string>; scopes?: string[]; scopeSelector?: JsonObject };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

/** A pod counts until it is terminal or being deleted (QuotaV1Pod). */
export function podCounts(pod: Pod): boolean {
  const phase = (pod.status as Pod['status'] | undefined)?.phase;
  return !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

/** What one pod uses of every pod resource (PodUsageFunc). */
export function podUsage(pod: Pod): ResourceList {
  if (!podCounts(pod)) return {};
  const requests = podTotal(pod, (c) => c.requests);
  const limits = podTotal(pod, (c) => c.limits);
  const out: ResourceList = { pods: count(1), 'count/pods': count(1) };
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    if (requests[r]) out[r] = out[`requests.${r}`] = requests[r];
    if (limits[r]) out[`limits.${r}`] = limits[r];
  }
  return out;
}

/** Admission enforces status.hard: a quota its controller has not synced yet is not enforced at all. */
function hardOf(q: QuotaView): Record<string, string> {
  return q.status?.hard ?? {};
}

function evaluated(q: QuotaView): boolean {
  return !(q.spec?.scopes?.length || q.spec?.scopeSelector);
}

/** The quota's hard resources the pod evaluator tracks, in name order. */
function tracked(q: QuotaView): string[] {
  return Object.keys(hardOf(q))
    .filter((k) => POD_RESOURCES.has(k))
    .sort();
}

/** What the pods of a namespace use of a quota's tracked resources (the quota controller's recount). */
export function namespaceUsage(store: ObjectStore, namespace: string, q: QuotaView): Record<string, string> {
  const keys = Object.keys(q.spec?.hard ?? {})
    .filter((k) => POD_RESOURCES.has(k))
    .sort();
  const sum: Record<string, Quantity | undefined> = {};
  for (const json of store.peekAll(PODS, namespace)) {
    const usage = podUsage(asView<Pod>(json));
    for (const k of keys) if (usage[k]) sum[k] = addQuantity(sum[k], usage[k]);
  }
  return Object.fromEntries(keys.map((k) => [k, sum[k] ? formatQuantity(sum[k]) : '0']));
}

function prettyPrint(list: Record<string, Quantity>): string {
  return Object.keys(list)
    .sort()
    .map((k) => `${k}=${formatQuantity(list[k]!)}`)
    .join(',');
}

function missingResources(pod: Pod, required: string[]): string[] {
  const missing = new Set<string>();
  const { main, init } = podContainers(pod);
  for (const c of [...main, ...init]) {
    for (const r of required) {
      if (!MUST_SPECIFY.has(r)) continue;
      const [list, name] = r.startsWith('limits.')
        ? [c.limits, r.slice(7)]
        : [c.requests, r.replace('requests.', '')];
      if (!list[name]) missing.add(r);
    }
  }
  return [...missing].sort();
}

/**
 * checkQuotas for one pod create: the refusal (the error inside `pods "<name>" is forbidden: …`), or
 * undefined and the pod's usage reserved in every matching quota's status.used.
 */
export function admitPodToQuotas(
  store: ObjectStore,
  namespace: string,
  pod: Pod,
  dryRun = false,
): string | undefined {
  const quotas = store
    .peekAll(QUOTAS, namespace)
    .map((j) => asView<QuotaView>(j))
    .filter(evaluated)
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const usage = podUsage(pod);
  const reserved: { name: string; used: Record<string, string> }[] = [];
  for (const q of quotas) {
    const keys = tracked(q);
    if (keys.length === 0) continue;
    const missing = missingResources(pod, keys);
    if (missing.length > 0) return `failed quota: ${q.metadata.name}: must specify ${missing.join(',')}`;
    const hard = hardOf(q);
    const used = q.status?.used ?? {};
    const unknown = keys.filter((k) => used[k] === undefined);
    if (unknown.length > 0)
      return `status unknown for quota: ${q.metadata.name}, resources: ${unknown.join(',')}`;
    const requested = Object.fromEntries(
      keys.filter((k) => usage[k] && usage[k].milli !== 0).map((k) => [k, usage[k]!]),
    );
    if (Object.keys(requested).length === 0) continue;
    const exceeded = Object.keys(requested).filter((k) => {
      const limit = parseQuantity(hard[k]);
      const now = parseQuantity(used[k]) ?? count(0);
      return limit !== undefined && now.milli + requested[k]!.milli > limit.milli;
    });
    if (exceeded.length > 0) {
      const pick = (from: (k: string) => Quantity) => Object.fromEntries(exceeded.map((k) => [k, from(k)]));
      return (
        `exceeded quota: ${q.metadata.name}, requested: ${prettyPrint(pick((k) => requested[k]!))}, ` +
        `used: ${prettyPrint(pick((k) => parseQuantity(used[k]) ?? count(0)))}, ` +
        `limited: ${prettyPrint(pick((k) => parseQuantity(hard[k])!))}`
      );
    }
    const next = { ...used };
    for (const [k, v] of Object.entries(requested))
      next[k] = formatQuantity(addQuantity(parseQuantity(used[k]), v));
    reserved.push({ name: q.metadata.name, used: next });
  }
  // A dry run is checked like a real create but reserves nothing (`if req.DryRun { continue }`).
  if (dryRun) return undefined;
  for (const r of reserved)
    store.mutate(QUOTAS, namespace, r.name, (o) => {
      const status = (o['status'] as JsonObject | undefined) ?? {};
      status['used'] = r.used;
      o['status'] = status;
    });
  return undefined;
}

/** Whether the namespace has any quota the pod evaluator reads (so pod changes there need a recount). */
export function hasQuotas(store: ObjectStore, namespace: string): boolean {
  return store.peekAll(QUOTAS, namespace).length > 0;
}

/** The quota controller's sync of one quota: status.hard from spec, status.used recounted. */
export function syncQuota(store: ObjectStore, namespace: string, name: string): void {
  const json = store.peek(QUOTAS, namespace, name);
  if (!json) return;
  const q = asView<QuotaView>(json);
  const hard = q.spec?.hard ?? {};
  // Only the pod evaluator is modelled: other resources (services, claims, object counts) keep what they had.
  const used: Record<string, string> = {};
  const counted = namespaceUsage(store, namespace, q);
  for (const k of Object.keys(hard).sort()) {
    const value = counted[k] ?? q.status?.used?.[k];
    if (value !== undefined) used[k] = value;
  }
  const same =
    JSON.stringify(q.status?.hard ?? {}) === JSON.stringify(hard) &&
    JSON.stringify(q.status?.used ?? {}) === JSON.stringify(used);
  if (same) return;
  store.mutate(QUOTAS, namespace, metaOf(json).name, (o) => {
    o['status'] = { hard: { ...hard }, used };
  });
}
