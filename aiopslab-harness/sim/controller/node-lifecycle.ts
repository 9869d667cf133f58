/**
 * The node lifecycle controller, the taint-eviction controller and the pod garbage collector of
 * kube-controller-manager, for nodes whose kubelet has stopped posting status:
 *
 * - After `--node-monitor-grace-period` (40 s in v1.30) without a heartbeat every node condition goes
 *   Unknown, reason NodeStatusUnknown, "Kubelet stopped posting node status."
 *   (pkg/controller/nodelifecycle/node_lifecycle_controller.go, tryUpdateNodeHealth), a Normal NodeNotReady
 *   event "Node <name> status is now: NodeNotReady" is recorded on the node (pkg/controller/util/node
 *   RecordNodeStatusChange), and its pods are marked not Ready with a Warning NodeNotReady "Node is not
 *   ready" event on each (MarkPodsNotReady), which takes them out of their Services' endpoints.
 * - The node is tainted `node.kubernetes.io/unreachable` NoSchedule (doNoScheduleTaintingPass) and NoExecute
 *   with a timeAdded (doNoExecuteTaintingPass); https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-based-evictions
 * - A pod that tolerates the NoExecute taint for tolerationSeconds (the DefaultTolerationSeconds admission
 *   plugin gives every pod 300 s) is deleted when they run out: a Normal TaintManagerEviction event
 *   "Marking for deletion Pod <ns>/<name>" (pkg/controller/tainteviction/taint_eviction.go) and a
 *   DisruptionTarget condition, reason DeletionByTaintManager. The API server sets its deletionTimestamp;
 *   only the kubelet can finish a graceful deletion, so on a lost node the pod stays Terminating.
 *   A ReplicaSet no longer counts it and makes a replacement elsewhere; a StatefulSet does not
 *   (https://kubernetes.io/docs/tasks/run-application/force-delete-stateful-set-pod/: at most one pod per
 *   identity, so it waits until the old pod is really gone).
 * - When the Node object is deleted (a person confirms the machine is gone), the pod garbage collector
 *   force-deletes the pods still bound to it after a 40 s quarantine (pkg/controller/podgc/gc_controller.go
 *   gcOrphaned: DisruptionTarget reason DeletionByPodGC, "PodGC: node no longer exists").
 * - When the kubelet posts Ready again, the unreachable taints are removed.
 */
import { resourceByKind } from '../api/resources.js';
import type { NodeObject, Pod } from '../model.js';
import { asJson, asView } from '../model.js';
import type { ControllerContext } from './context.js';
import type { Kubelet } from './kubelet.js';

const NODES = resourceByKind('Node');
const PODS = resourceByKind('Pod');
/** `--node-monitor-period`: how often the controller looks at node heartbeats. */
const MONITOR_PERIOD_MS = 5_000;
/** `--node-monitor-grace-period` (40 s before v1.32). */
const GRACE_PERIOD_MS = 40_000;
/** podgc's quarantine before it deletes a pod whose node is gone. */
const ORPHAN_QUARANTINE_MS = 40_000;
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
const NODE_CONTROLLER = { component: 'node-controller' };
const TAINT_EVICTION = { component: 'taint-eviction-controller' };

type Taint = NonNullable<NodeObject['spec']['taints']>[number];

interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

export class NodeLifecycleController {
  private armed = false;
  /** Pods seen bound to a node that no longer exists, and since when. */
  private readonly orphans = new Map<string, number>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly kubelet: Kubelet,
  ) {}

  /** Starts the periodic monitor (it stops itself once every node is healthy and no orphan is left). */
  wake(): void {
    if (this.armed) return;
    this.armed = true;
    this.ctx.clock.after(MONITOR_PERIOD_MS, () => {
      this.armed = false;
      if (this.monitor()) this.wake();
    });
  }

  /** One pass; returns whether anything still needs watching. */
  private monitor(): boolean {
    const now = this.ctx.clock.now();
    let watching = false;
    const nodes = this.ctx.store.peekAll(NODES).map((n) => asView<NodeObject>(n));
    for (const node of nodes) {
      const since = this.kubelet.stoppedSince(node.metadata.name);
      if (since !== undefined) {
        watching = true;
        if (now - since >= GRACE_PERIOD_MS) this.markUnknown(node, since);
      } else if (taintsOf(node).some((t) => t.key === UNREACHABLE_TAINT)) this.untaint(node);
    }
    for (const node of nodes) if (this.evictOnTaints(node, now)) watching = true;
    if (this.collectOrphans(new Set(nodes.map((n) => n.metadata.name)), now)) watching = true;
    return watching;
  }

  private markUnknown(node: NodeObject, since: number): void {
    const name = node.metadata.name;
    const conditions = node.status.conditions as NodeCondition[];
    if (conditions.find((c) => c.type === 'Ready')?.status === 'Unknown') return;
    const now = this.ctx.clock.iso();
    const heartbeat = this.ctx.clock.iso(since);
    const updated = this.ctx.store.mutate(NODES, undefined, name, (json) => {
      const view = asView<NodeObject>(json);
      view.status.conditions = (view.status.conditions as NodeCondition[]).map((c) => ({
        ...c,
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastHeartbeatTime: heartbeat,
        lastTransitionTime: now,
      }));
      const rest = taintsOf(view).filter((t) => t.key !== UNREACHABLE_TAINT);
      view.spec.taints = [
        ...rest,
        { key: UNREACHABLE_TAINT, effect: 'NoSchedule', timeAdded: now },
        { key: UNREACHABLE_TAINT, effect: 'NoExecute', timeAdded: now },
      ];
    });
    if (!updated) return;
    this.ctx.events.record(
      updated,
      'Normal',
      'NodeNotReady',
      `Node ${name} status is now: NodeNotReady`,
      NODE_CONTROLLER,
    );
    for (const pod of this.podsOn(name)) {
      const marked = this.ctx.store.mutate(PODS, pod.metadata.namespace, pod.metadata.name, (json) => {
        const ready = asView<Pod>(json).status.conditions?.find((c) => c.type === 'Ready');
        if (ready && ready.status !== 'False') {
          ready.status = 'False';
          ready.lastTransitionTime = now;
        }
      });
      if (marked)
        this.ctx.events.record(marked, 'Warning', 'NodeNotReady', 'Node is not ready', NODE_CONTROLLER);
    }
  }

  private untaint(node: NodeObject): void {
    this.ctx.store.mutate(NODES, undefined, node.metadata.name, (json) => {
      const view = asView<NodeObject>(json);
      const rest = taintsOf(view).filter((t) => t.key !== UNREACHABLE_TAINT);
      if (rest.length > 0) view.spec.taints = rest;
      else delete view.spec.taints;
    });
  }

  /** The taint-eviction controller for one node; returns whether some eviction is still to come. */
  private evictOnTaints(node: NodeObject, now: number): boolean {
    const noExecute = taintsOf(node).filter((t) => t.effect === 'NoExecute');
    if (noExecute.length === 0) return false;
    let pending = false;
    for (const pod of this.podsOn(node.metadata.name)) {
      if (pod.metadata.deletionTimestamp) continue;
      const due = evictionTime(pod, noExecute);
      if (due === undefined) continue;
      if (due > now) {
        pending = true;
        continue;
      }
      const namespace = pod.metadata.namespace ?? 'default';
      const marked = this.ctx.store.mutate(PODS, namespace, pod.metadata.name, (json) =>
        setDisruption(
          asView<Pod>(json),
          'DeletionByTaintManager',
          'Taint manager: deleting due to NoExecute taint',
          this.ctx.clock.iso(),
        ),
      );
      if (!marked) continue;
      this.ctx.events.record(
        marked,
        'Normal',
        'TaintManagerEviction',
        `Marking for deletion Pod ${namespace}/${pod.metadata.name}`,
        TAINT_EVICTION,
      );
      this.kubelet.requestDeletion(marked);
    }
    return pending;
  }

  /** podgc's gcOrphaned; returns whether some orphan is still in quarantine. */
  private collectOrphans(nodes: Set<string>, now: number): boolean {
    let pending = false;
    const seen = new Set<string>();
    for (const json of this.ctx.store.peekAll(PODS)) {
      const pod = asView<Pod>(json);
      const node = pod.spec.nodeName;
      if (!node || nodes.has(node)) continue;
      const uid = pod.metadata.uid;
      seen.add(uid);
      const first = this.orphans.get(uid) ?? now;
      this.orphans.set(uid, first);
      if (now - first < ORPHAN_QUARANTINE_MS) {
        pending = true;
        continue;
      }
      const namespace = pod.metadata.namespace ?? 'default';
      const marked = this.ctx.store.mutate(PODS, namespace, pod.metadata.name, (o) =>
        setDisruption(
          asView<Pod>(o),
          'DeletionByPodGC',
          'PodGC: node no longer exists',
          this.ctx.clock.iso(),
        ),
      );
      this.kubelet.requestDeletion(marked ?? asJson(pod), 0);
    }
    for (const uid of [...this.orphans.keys()]) if (!seen.has(uid)) this.orphans.delete(uid);
    return pending;
  }

  private podsOn(node: string): Pod[] {
    return this.ctx.store
      .peekAll(PODS)
      .map((p) => asView<Pod>(p))
      .filter((p) => p.spec.nodeName === node);
  }
}

function taintsOf(node: NodeObject): Taint[] {
  return node.spec.taints ?? [];
}

/**
 * When the NoExecute taints evict `pod`: now for a taint it does not tolerate, timeAdded + tolerationSeconds
 * for one it tolerates for a while (the shortest wins), never when it tolerates all of them for ever.
 */
function evictionTime(pod: Pod, taints: readonly Taint[]): number | undefined {
  let due: number | undefined;
  for (const taint of taints) {
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : 0;
    const toleration = (pod.spec.tolerations ?? []).find(
      (t) =>
        (t.key === undefined || t.key === '' ? t.operator === 'Exists' : t.key === taint.key) &&
        (!t.effect || t.effect === taint.effect),
    );
    const seconds = toleration?.tolerationSeconds;
    const at = !toleration ? 0 : seconds === undefined ? undefined : added + seconds * 1000;
    if (at !== undefined) due = due === undefined ? at : Math.min(due, at);
  }
  return due;
}

function setDisruption(pod: Pod, reason: string, message: string, now: string): void {
  const conditions = (pod.status.conditions ??= []);
  const rest = conditions.filter((c) => c.type !== 'DisruptionTarget');
  pod.status.conditions = [
    ...rest,
    {
      type: 'DisruptionTarget',
      status: 'True',
      reason,
      message,
      lastProbeTime: null,
      lastTransitionTime: now,
    },
  ];
}
