/**
 * Node faults (docs/oncall-catalog.md) no typed action undoes safely. A node whose kubelet stopped posting
 * status may be powered off or only cut off from the control plane: force-deleting its pods while it still
 * runs them risks two copies of a StatefulSet member writing one volume
 * (https://kubernetes.io/docs/tasks/run-application/force-delete-stateful-set-pod/), so whether the machine
 * is really gone is a person's call. The words are instructions for a person, never commands aoi runs.
 */
import type { Evidence } from '../../core/evidence.js';
import type { ComponentView } from './graph.js';

const str = (ev: Evidence, key: string): string | undefined => {
  const v = ev.attributes?.[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** The pods the node strands, as `pod (workload[, Terminating])`, from the victims' blame. */
function strandedPods(root: ComponentView, signal = 'PodOnLostNode'): string[] {
  const seen = new Map<string, string>();
  for (const ev of root.blamedBy) {
    if (ev.signal !== signal) continue;
    const pod = str(ev, 'pod') ?? ev.subject.name;
    const where = ev.subject.namespace ? `${ev.subject.namespace}/${pod}` : pod;
    const terminating = str(ev, 'deletionTimestamp') ? ', Terminating' : '';
    seen.set(where, `${where} (${ev.component ?? '?'}${terminating})`);
  }
  return [...seen.keys()].sort().map((k) => seen.get(k)!);
}

export function recoverLostNode(root: ComponentView): string | undefined {
  const ev = root.own.find((e) => e.signal === 'NodeUnreachable');
  if (!ev) return undefined;
  const node = str(ev, 'node') ?? ev.subject.name;
  const since = str(ev, 'lastHeartbeat');
  const pods = strandedPods(root);
  return (
    `no automatic fix: node ${node} stopped posting status${since ? ` (last heartbeat ${since})` : ''}, so ` +
    `its pods are stranded${pods.length > 0 ? `: ${pods.join(', ')}` : ''}. A person must bring the node back ` +
    `(restart its kubelet or the machine: it then finishes the pending deletions), or, only once the machine ` +
    `is confirmed gone, delete the Node object (kubectl delete node ${node}: its pods are then garbage-collected) ` +
    `or force-delete a StatefulSet's stranded pod (kubectl delete pod --grace-period=0 --force) so that it is ` +
    `re-created elsewhere; a Deployment's pods are replaced on other nodes 300 s after the node was tainted`
  );
}

const PRESSURE: Readonly<Record<string, string>> = {
  MemoryPressure: 'memory',
  DiskPressure: 'disk space',
  PIDPressure: 'process IDs',
};

/**
 * A node under resource pressure evicts pods until the kubelet's threshold is met again
 * (https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/). What eats the resource
 * (a host process, a pod without requests, a full disk) and whether to drain the node is a person's call.
 */
export function relieveNodePressure(root: ComponentView): string | undefined {
  const ev = root.own.find((e) => PRESSURE[e.signal] !== undefined);
  if (!ev) return undefined;
  const node = str(ev, 'node') ?? ev.subject.name;
  const what = PRESSURE[ev.signal]!;
  const evicted = strandedPods(root, 'PodEvicted');
  const pinned = strandedPods(root, 'PodPinnedToTaintedNode');
  return (
    `no automatic fix: node ${node} is short of ${what} (${ev.signal})` +
    (evicted.length > 0 ? `; the kubelet evicted ${evicted.join(', ')}` : '') +
    (pinned.length > 0 ? `; pinned to it and Pending: ${pinned.join(', ')}` : '') +
    `. A person must free ${what} on the node (find what uses it outside the pods' requests: ` +
    `kubectl describe node ${node}, the host's own processes) or cordon and drain it (kubectl cordon ${node}; ` +
    `kubectl drain ${node} --ignore-daemonsets) and repair it; evicted pods are replaced on other nodes ` +
    `unless pinned, and the condition clears 5 min after the threshold is no longer met`
  );
}
