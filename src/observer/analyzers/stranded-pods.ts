/**
 * Pods a node strands, and pods stuck Terminating.
 *
 * A pod bound to a node that is not Ready is that node's victim: its finding blames the node, so the rules
 * make the node the root and the pod's workload one of its victims. When the kubelet stops posting status
 * the node controller marks the pod not Ready (it leaves its Services' endpoints) and, after the pod's
 * NoExecute toleration (300 s by default), the taint-eviction controller deletes it; only the node's own
 * kubelet can finish a graceful deletion, so the pod then stays Terminating
 * (https://kubernetes.io/docs/concepts/architecture/nodes/#condition, taint-based evictions).
 *
 * A pod the kubelet evicted (phase Failed, reason Evicted: node-pressure eviction, pkg/kubelet/eviction) is
 * the victim of its node, and so is a pod pinned (nodeSelector kubernetes.io/hostname) to a node whose
 * NoSchedule taint keeps it Pending.
 *
 * A pod whose deletion is long overdue on a Ready node is its own finding (a finalizer or a stuck kubelet).
 * `metadata.deletionTimestamp` is when the grace period ends, so "overdue" counts from it.
 */
import type { Node, Pod, Workload } from '../k8s-types.js';
import { asArray, nameOf } from '../k8s-types.js';
import type { Finding } from './finding.js';
import { clip, ownerOf, subjectOf } from './finding.js';

/** How long past its grace period a deletion may take before it counts as stuck. */
const OVERDUE_MS = 60_000;

export function analyzeStrandedPods(
  nodes: readonly Node[],
  pods: readonly Pod[],
  replicasets: readonly Workload[],
  now: string,
): Finding[] {
  const notReady = new Map<string, { status: string; message: string }>();
  for (const node of nodes) {
    const ready = asArray(node.status?.conditions).find((c) => c.type === 'Ready');
    if (ready && ready.status !== 'True')
      notReady.set(nameOf(node), { status: ready.status ?? '?', message: ready.message ?? '' });
  }
  const findings: Finding[] = [...evictedAndPinned(nodes, pods, replicasets)];
  const nowMs = Date.parse(now);
  for (const pod of pods) {
    const nodeName = pod.spec?.nodeName;
    const deleting = pod.metadata?.deletionTimestamp;
    const overdueMs = deleting ? nowMs - Date.parse(deleting) : Number.NaN;
    const stuck = overdueMs > OVERDUE_MS;
    const lost = nodeName ? notReady.get(nodeName) : undefined;
    if (!lost && !stuck) continue;
    const component = ownerOf(pod, replicasets);
    const subject = subjectOf('Pod', pod);
    const terminating = deleting
      ? `; marked for deletion (grace period ended ${deleting}) and ${stuck ? 'stuck ' : ''}Terminating`
      : '';
    if (lost && nodeName) {
      findings.push({
        source: 'kubernetes',
        subject,
        component,
        signal: 'PodOnLostNode',
        severity: 'error',
        score: 80,
        summary: clip(
          `Pod ${subject.name} of ${component} is bound to node ${nodeName}, which is not Ready ` +
            `(Ready=${lost.status}${lost.message ? `: ${lost.message}` : ''}): it is not Ready and out of ` +
            `its Service's endpoints${terminating}` +
            (deleting ? ': only that node’s kubelet can finish the deletion' : ''),
          500,
        ),
        blames: [nodeName],
        attributes: {
          node: nodeName,
          pod: subject.name,
          ...(deleting ? { deletionTimestamp: deleting } : {}),
        },
      });
      continue;
    }
    findings.push({
      source: 'kubernetes',
      subject,
      component,
      signal: 'PodStuckTerminating',
      severity: 'warning',
      score: 55,
      summary: clip(
        `Pod ${subject.name} of ${component} is stuck Terminating: its grace period ended ${deleting ?? '?'}, ` +
          `${Math.round(overdueMs / 1000)} s ago${nodeName ? `, on node ${nodeName}` : ''}`,
        500,
      ),
      attributes: {
        pod: subject.name,
        ...(deleting ? { deletionTimestamp: deleting } : {}),
        ...(nodeName ? { node: nodeName } : {}),
      },
    });
  }
  return findings;
}

/** Pods the kubelet evicted from a node, and pods pinned to a node whose NoSchedule taint refuses them. */
function evictedAndPinned(
  nodes: readonly Node[],
  pods: readonly Pod[],
  replicasets: readonly Workload[],
): Finding[] {
  const refusing = new Map<string, string>();
  for (const node of nodes) {
    const taints = asArray(node.spec?.taints).filter((t) => t.effect === 'NoSchedule');
    if (taints.length > 0) refusing.set(nameOf(node), taints.map((t) => t.key ?? '?').join(', '));
  }
  const findings: Finding[] = [];
  for (const pod of pods) {
    const component = ownerOf(pod, replicasets);
    const subject = subjectOf('Pod', pod);
    const nodeName = pod.spec?.nodeName;
    if (pod.status?.phase === 'Failed' && pod.status.reason === 'Evicted' && nodeName) {
      findings.push({
        source: 'kubernetes',
        subject,
        component,
        signal: 'PodEvicted',
        severity: 'error',
        score: 75,
        summary: clip(`Pod ${subject.name} of ${component} was evicted from node ${nodeName}`, 300),
        ...(pod.status.message ? { excerpt: clip(pod.status.message) } : {}),
        blames: [nodeName],
        attributes: { node: nodeName, pod: subject.name },
      });
      continue;
    }
    const pinned = pod.spec?.nodeSelector?.['kubernetes.io/hostname'];
    const taints = pinned ? refusing.get(pinned) : undefined;
    if (!nodeName && pinned && taints && pod.status?.phase === 'Pending' && !pod.metadata?.deletionTimestamp)
      findings.push({
        source: 'kubernetes',
        subject,
        component,
        signal: 'PodPinnedToTaintedNode',
        severity: 'error',
        score: 75,
        summary: clip(
          `Pod ${subject.name} of ${component} may run only on node ${pinned} (nodeSelector ` +
            `kubernetes.io/hostname), whose NoSchedule taint (${taints}) keeps it Pending`,
          400,
        ),
        blames: [pinned],
        attributes: { node: pinned, pod: subject.name, pinned: 'true' },
      });
  }
  return findings;
}
