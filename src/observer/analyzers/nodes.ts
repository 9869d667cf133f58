import type { Node } from '../k8s-types.js';
import { asArray, nameOf } from '../k8s-types.js';
import type { Finding } from './finding.js';
import { clip, subjectOf } from './finding.js';

const PRESSURE = new Set(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable']);

/**
 * Node conditions (not Ready, pressure) and cordons; taints go into the excerpt. A node is a component of
 * its own (named by the node), so the pods it strands (stranded-pods.ts) can blame it. Ready=Unknown is the
 * node controller's verdict that the kubelet stopped posting status (NodeStatusUnknown, "Kubelet stopped
 * posting node status."): the machine is gone or unreachable, unlike Ready=False, which a running kubelet
 * reports itself.
 */
export function analyzeNodes(nodes: readonly Node[]): Finding[] {
  const findings: Finding[] = [];
  for (const node of nodes) {
    const name = nameOf(node);
    const subject = subjectOf('Node', node);
    const taints = asArray(node.spec?.taints)
      .map((t) => `${t.key ?? '?'}${t.value ? `=${t.value}` : ''}:${t.effect ?? '?'}`)
      .join(', ');
    const excerpt = taints ? `taints: ${taints}` : undefined;
    for (const c of asArray(node.status?.conditions)) {
      const bad =
        c.type === 'Ready' ? c.status !== 'True' : PRESSURE.has(c.type ?? '') && c.status === 'True';
      if (!bad) continue;
      const unreachable = c.type === 'Ready' && c.status === 'Unknown';
      const signal = unreachable
        ? 'NodeUnreachable'
        : c.type === 'Ready'
          ? 'NodeNotReady'
          : (c.type ?? 'NodeCondition');
      findings.push({
        source: 'kubernetes',
        subject,
        component: name,
        signal,
        // Pressure makes the kubelet evict pods: as grave for the pods as a lost node.
        severity: 'critical',
        score: c.type === 'Ready' ? 85 : 70,
        summary: clip(
          `Node ${name} ${c.type ?? '?'}=${c.status ?? '?'}${c.reason ? ` (${c.reason})` : ''}` +
            `${c.message ? `: ${c.message}` : ''}`,
          500,
        ),
        ...(excerpt ? { excerpt } : {}),
        attributes: {
          node: name,
          condition: c.type ?? '?',
          ...(c.reason ? { reason: c.reason } : {}),
          ...(c.lastHeartbeatTime ? { lastHeartbeat: c.lastHeartbeatTime } : {}),
        },
      });
    }
    if (node.spec?.unschedulable)
      findings.push({
        source: 'kubernetes',
        subject,
        signal: 'NodeUnschedulable',
        severity: 'warning',
        score: 40,
        summary: `Node ${name} is cordoned (unschedulable)`,
        ...(excerpt ? { excerpt } : {}),
      });
  }
  return findings;
}
