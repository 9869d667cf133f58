import type { Pod, Workload } from '../k8s-types.js';
import { asArray } from '../k8s-types.js';
import { ownerOf } from './finding.js';

/**
 * The workload a pod belongs to, as evidence attributes a remedy can act on: its name, and its kind when a
 * ReplicaSet (so a Deployment) or a StatefulSet owns the pod.
 */
export function workloadOf(pod: Pod, replicasets: readonly Workload[]): Record<string, string> {
  const owner = asArray(pod.metadata?.ownerReferences)[0];
  const kind =
    owner?.kind === 'ReplicaSet' ? 'Deployment' : owner?.kind === 'StatefulSet' ? 'StatefulSet' : undefined;
  return { workload: ownerOf(pod, replicasets), ...(kind ? { workloadKind: kind } : {}) };
}
