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
  const findings: Finding[] = [];
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
