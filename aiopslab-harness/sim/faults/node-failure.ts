/**
 * node_not_ready: the kubelet on one worker (`target`, a Node name such as `kind-worker2`) stops posting
 * status: a crashed agent, a partitioned or powered-off machine. That is the only change; the node lifecycle
 * controller, the taint-eviction controller and the scheduler derive the rest (controller/node-lifecycle.ts):
 * the node goes NotReady (Unknown, NodeStatusUnknown), is tainted unreachable, its pods drop out of their
 * Services and, after their 300 s toleration, are marked for deletion and stay Terminating; a ReplicaSet
 * replaces its pods on other nodes, a StatefulSet waits for the old pod to be really gone.
 *
 * Fix (what a person does): bring the kubelet back (`systemctl restart kubelet`, reboot the machine), or,
 * once the machine is confirmed gone, `kubectl delete node` (the pod garbage collector then removes its
 * pods) or `kubectl delete pod --grace-period=0 --force` for a stranded StatefulSet pod. No automatic fix:
 * force-deleting a pod whose machine may still run it risks two writers on one volume.
 */
import { resourceByKind } from '../api/resources.js';
import type { Injector } from './util.js';
import { parseMemory } from '../model.js';
import { faultError, param, patchDeployment, targetOf } from './util.js';

const NODES = resourceByKind('Node');

export const nodeNotReady: Injector = (cluster, _namespace, fault) => {
  const node = targetOf(fault);
  if (!cluster.store.peek(NODES, undefined, node)) {
    const names = cluster.store.peekAll(NODES).map((n) => (n['metadata'] as { name: string }).name);
    throw faultError(`node_not_ready: no node "${node}" (nodes: ${names.join(', ')})`);
  }
  cluster.controllers.stopKubelet(node);
};

const MIB = 2 ** 20;

/**
 * node_memory_pressure: something on worker `target` outside Kubernetes (a runaway agent, a backup job run
 * on the host) takes the node's memory, leaving `params.availableMi` (default 52) for the kubelet's
 * memory.available and growing by `params.growMiPerMinute` (default 48): a leak. That is the only change;
 * the kubelet's eviction manager derives the rest (controller/eviction.ts): MemoryPressure, the
 * memory-pressure taint, EvictionThresholdMet, pods evicted one by one (Failed, reason Evicted) and
 * replaced on other nodes, or left Pending when pinned to this one.
 * `params.pin` names a workload whose manifest pins it to this node (nodeSelector kubernetes.io/hostname, as
 * a database on a node-local volume is): once evicted it cannot run anywhere else.
 *
 * Fix (what a person does): find and stop what eats the host's memory (or cordon and drain the node and
 * repair it); the condition clears 5 min after memory is available again. No automatic fix.
 */
export const nodeMemoryPressure: Injector = (cluster, namespace, fault) => {
  const node = targetOf(fault);
  const json = cluster.store.peek(NODES, undefined, node);
  if (!json) throw faultError(`node_memory_pressure: no node "${node}"`);
  const capacity = parseMemory((json['status'] as { capacity: Record<string, string> }).capacity['memory']);
  const available = Number(param(fault, 'availableMi') ?? 52) * MIB;
  const grow = Number(param(fault, 'growMiPerMinute') ?? 48) * MIB;
  const pin = param(fault, 'pin');
  if (pin) {
    patchDeployment(cluster, namespace, pin, (d) => {
      d.spec.template.spec.nodeSelector = { 'kubernetes.io/hostname': node };
    });
    cluster.reconcile();
  }
  const pods = cluster.controllers.eviction.podUsageBytes(node);
  cluster.controllers.eviction.setHostMemory(node, Math.max(0, capacity - pods - available), grow);
};
