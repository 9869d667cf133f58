import type { EvidenceAttributes, EvidenceSource, Severity, Subject } from '../../core/evidence.js';
import type { KObject, Pod, Workload } from '../k8s-types.js';
import { asArray } from '../k8s-types.js';

/** An analyzer's output before ranking: evidence without an id, plus what the ranker needs. */
export interface Finding {
  source: EvidenceSource;
  subject: Subject;
  signal: string;
  severity: Severity;
  summary: string;
  excerpt?: string;
  /** Base rank weight of the signal; higher means more likely the root cause. */
  score: number;
  /** The app component (workload or service name) the finding is about, for blame chains. */
  component?: string;
  /** Components this finding's text says it failed to reach. */
  blames?: string[];
  /** Machine-readable facts (ports, revisions, object names) the reasoner's rules and actions use. */
  attributes?: EvidenceAttributes;
}

export function subjectOf(kind: string, o: KObject): Subject {
  const namespace = o.metadata?.namespace;
  return { kind, name: o.metadata?.name ?? '?', ...(namespace ? { namespace } : {}) };
}

/** ReplicaSets by name, built once per list: ownerOf runs for every pod, and big clusters have many of each. */
const byNameCache = new WeakMap<readonly Workload[], Map<string, Workload>>();

function replicaSetNamed(replicasets: readonly Workload[], name: string): Workload | undefined {
  let byName = byNameCache.get(replicasets);
  if (!byName) {
    byName = new Map();
    // The first of a name wins, as a linear search would find it.
    for (const r of replicasets) {
      const n = r.metadata?.name;
      if (n !== undefined && !byName.has(n)) byName.set(n, r);
    }
    byNameCache.set(replicasets, byName);
  }
  return byName.get(name);
}

/** The workload that owns a pod (Deployment via its ReplicaSet, or StatefulSet), else the pod name. */
export function ownerOf(pod: Pod, replicasets: readonly Workload[]): string {
  const owner = asArray(pod.metadata?.ownerReferences)[0];
  if (!owner?.name) return pod.metadata?.name ?? '?';
  if (owner.kind === 'ReplicaSet') {
    const rs = replicaSetNamed(replicasets, owner.name);
    const rsOwner = asArray(rs?.metadata?.ownerReferences)[0];
    if (rsOwner?.name) return rsOwner.name;
    return owner.name.replace(/-[a-z0-9]{5,10}$/, '');
  }
  return owner.name;
}

export function matchesSelector(
  labels: Record<string, string> | undefined,
  selector: Record<string, string>,
): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels?.[k] === selector[k]);
}

export function clip(text: string, max = 600): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
