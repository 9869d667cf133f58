/**
 * The LimitRanger admission plugin for pods (plugin/pkg/admission/limitranger/admission.go): first it sets
 * each container's missing limits and requests from the namespace's LimitRange defaults (and notes what it
 * set in the `kubernetes.io/limit-ranger` annotation), then it refuses a pod outside a range with the
 * plugin's words, e.g. `maximum memory usage per Container is 256Mi, but limit is 512Mi` (maxConstraint,
 * minConstraint, limitRequestRatioConstraint; several in one LimitRange are joined as an aggregate error:
 * `[a, b]`). Existing pods are never touched: a LimitRange acts only when a pod is created.
 */
import { resourceByKind } from '../api/resources.js';
import type { Container, Pod } from '../model.js';
import { asView } from '../model.js';
import type { ObjectStore } from '../store.js';
import type { ContainerResources, ResourceList } from './pod-resources.js';
import { containerResources, podTotal } from './pod-resources.js';
import type { Quantity } from './quantity.js';
import { formatQuantity, parseQuantity } from './quantity.js';

const LIMIT_RANGES = resourceByKind('LimitRange');

interface LimitRangeItem {
  type?: string;
  max?: Record<string, string>;
  min?: Record<string, string>;
  default?: Record<string, string>;
  defaultRequest?: Record<string, string>;
  maxLimitRequestRatio?: Record<string, string>;
}

interface LimitRangeView {
  metadata: { name: string };
  spec?: { limits?: LimitRangeItem[] };
}

/**
 * A Container item as the API server stores it (SetDefaults_LimitRangeItem, pkg/apis/core/v1/defaults.go): an
 * unset default limit is the max, an unset default request the default limit, else the min.
 */
function defaulted(item: LimitRangeItem): LimitRangeItem {
  if (item.type !== 'Container') return item;
  const def = { ...(item.max ?? {}), ...(item.default ?? {}) };
  const request = { ...(item.min ?? {}), ...def, ...(item.defaultRequest ?? {}) };
  return { ...item, default: def, defaultRequest: request };
}

function rangesIn(store: ObjectStore, namespace: string): LimitRangeView[] {
  return store
    .peekAll(LIMIT_RANGES, namespace)
    .map((j) => asView<LimitRangeView>(j))
    .map((r) => ({ ...r, spec: { limits: (r.spec?.limits ?? []).map(defaulted) } }))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

const text = (q: Quantity) => formatQuantity(q);

function minConstraint(
  type: string,
  r: string,
  enforced: Quantity,
  req: ResourceList,
  lim: ResourceList,
): string | undefined {
  const at = text(enforced);
  if (!req[r]) return `minimum ${r} usage per ${type} is ${at}.  No request is specified`;
  if (req[r].milli < enforced.milli)
    return `minimum ${r} usage per ${type} is ${at}, but request is ${text(req[r])}`;
  if (lim[r] && lim[r].milli < enforced.milli)
    return `minimum ${r} usage per ${type} is ${at}, but limit is ${text(lim[r])}`;
  return undefined;
}

function maxConstraint(
  type: string,
  r: string,
  enforced: Quantity,
  req: ResourceList,
  lim: ResourceList,
): string | undefined {
  const at = text(enforced);
  if (!lim[r]) return `maximum ${r} usage per ${type} is ${at}.  No limit is specified`;
  if (lim[r].milli > enforced.milli)
    return `maximum ${r} usage per ${type} is ${at}, but limit is ${text(lim[r])}`;
  if (req[r] && req[r].milli > enforced.milli)
    return `maximum ${r} usage per ${type} is ${at}, but request is ${text(req[r])}`;
  return undefined;
}

function ratioConstraint(
  type: string,
  r: string,
  enforced: Quantity,
  req: ResourceList,
  lim: ResourceList,
): string | undefined {
  const at = text(enforced);
  if (!req[r] || req[r].milli === 0)
    return `${r} max limit to request ratio per ${type} is ${at}, but no request is specified or request is 0`;
  if (!lim[r] || lim[r].milli === 0)
    return `${r} max limit to request ratio per ${type} is ${at}, but no limit is specified or limit is 0`;
  const ratio = lim[r].milli / req[r].milli;
  if (ratio * 1000 > enforced.milli)
    return `${r} max limit to request ratio per ${type} is ${at}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

function check(item: LimitRangeItem, type: string, req: ResourceList, lim: ResourceList): string[] {
  const errs: string[] = [];
  const each = (
    map: Record<string, string> | undefined,
    fn: (type: string, r: string, q: Quantity, req: ResourceList, lim: ResourceList) => string | undefined,
  ) => {
    for (const [r, v] of Object.entries(map ?? {})) {
      const q = parseQuantity(v);
      const err = q && fn(type, r, q, req, lim);
      if (err) errs.push(err);
    }
  };
  each(item.min, minConstraint);
  each(item.max, maxConstraint);
  each(item.maxLimitRequestRatio, ratioConstraint);
  return errs;
}

/** PodMutateLimitFunc: a container's missing limits and requests from the Container defaults. */
function applyDefaults(pod: Pod, item: LimitRangeItem, notes: string[]): void {
  const set = (c: Container, label: string) => {
    const resources = (c.resources ??= {});
    const limits: string[] = [];
    const requests: string[] = [];
    for (const [k, v] of Object.entries(item.default ?? {}))
      if (resources.limits?.[k] === undefined) {
        resources.limits = { ...(resources.limits ?? {}), [k]: v };
        limits.push(k);
      }
    // The API server's defaulting already made a lone limit the request (SetDefaults_Pod).
    for (const [k, v] of Object.entries(item.defaultRequest ?? {}))
      if (resources.requests?.[k] === undefined && resources.limits?.[k] === undefined) {
        resources.requests = { ...(resources.requests ?? {}), [k]: v };
        requests.push(k);
      }
    if (requests.length) notes.push(`${requests.sort().join(', ')} request for ${label} ${c.name}`);
    if (limits.length) notes.push(`${limits.sort().join(', ')} limit for ${label} ${c.name}`);
  };
  pod.spec.containers.forEach((c) => set(c, 'container'));
  pod.spec.initContainers?.forEach((c) => set(c, 'init container'));
}

/**
 * LimitRanger on a pod create: sets defaults on `pod` (mutating it, as the plugin does) and returns the
 * refusal (the error inside `pods "<name>" is forbidden: …`) or undefined.
 */
export function admitPodToLimitRanges(store: ObjectStore, namespace: string, pod: Pod): string | undefined {
  const ranges = rangesIn(store, namespace);
  if (ranges.length === 0) return undefined;
  const notes: string[] = [];
  for (const range of ranges)
    for (const item of range.spec?.limits ?? [])
      if (item.type === 'Container') applyDefaults(pod, item, notes);
  if (notes.length > 0) {
    const meta = pod.metadata as { annotations?: Record<string, string> };
    meta.annotations = {
      ...(meta.annotations ?? {}),
      'kubernetes.io/limit-ranger': `LimitRanger plugin set: ${notes.join('; ')}`,
    };
  }
  for (const range of ranges) {
    const errs: string[] = [];
    for (const item of range.spec?.limits ?? []) {
      if (item.type === 'Container') {
        const all: ContainerResources[] = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].map(
          containerResources,
        );
        for (const c of all) errs.push(...check(item, 'Container', c.requests, c.limits));
      } else if (item.type === 'Pod') {
        errs.push(
          ...check(
            item,
            'Pod',
            podTotal(pod, (c) => c.requests),
            podTotal(pod, (c) => c.limits),
          ),
        );
      }
    }
    // utilerrors.NewAggregate: one error reads as itself, several as "[a, b]".
    if (errs.length === 1) return errs[0];
    if (errs.length > 1) return `[${errs.join(', ')}]`;
  }
  return undefined;
}
