import type { KEvent, Pod, Workload } from '../k8s-types.js';
import { admissionRefusal } from './admission.js';
import type { Finding } from './finding.js';
import { clip, ownerOf } from './finding.js';

/** Reasons another analyzer already reports from object state; their events only add noise. */
const COVERED = new Set(['BackOff', 'FailedBinding', 'ProvisioningFailed']);

const WEIGHTS: Record<string, { signal: string; score: number; severity: 'warning' | 'error' }> = {
  FailedScheduling: { signal: 'FailedScheduling', score: 88, severity: 'error' },
  FailedMount: { signal: 'FailedMount', score: 80, severity: 'error' },
  FailedAttachVolume: { signal: 'FailedMount', score: 80, severity: 'error' },
  Failed: { signal: 'ContainerFailed', score: 65, severity: 'error' },
  Unhealthy: { signal: 'ProbeFailed', score: 50, severity: 'warning' },
  FailedCreate: { signal: 'FailedCreate', score: 75, severity: 'error' },
  Evicted: { signal: 'Evicted', score: 60, severity: 'error' },
  NodeNotReady: { signal: 'NodeNotReady', score: 70, severity: 'error' },
};

/** Warning events grouped by object and reason, with the total count and the latest message. */
export function analyzeEvents(
  events: readonly KEvent[],
  pods: readonly Pod[],
  replicasets: readonly Workload[],
): Finding[] {
  const groups = new Map<string, { event: KEvent; count: number; last: string }>();
  for (const e of events) {
    if (e.type !== 'Warning' || !e.reason || COVERED.has(e.reason)) continue;
    // A pod the API server refused is reported on its workload by analyzers/admission.ts.
    if (e.reason === 'FailedCreate' && admissionRefusal(e.message ?? '') !== undefined) continue;
    const io = e.involvedObject;
    const key = `${io?.kind ?? '?'}/${io?.namespace ?? ''}/${io?.name ?? '?'}/${e.reason}`;
    const group = groups.get(key);
    const at = e.lastTimestamp ?? '';
    if (!group) groups.set(key, { event: e, count: e.count ?? 1, last: at });
    else {
      group.count += e.count ?? 1;
      if (at >= group.last) Object.assign(group, { event: e, last: at });
    }
  }
  const findings: Finding[] = [];
  for (const { event, count } of groups.values()) {
    const io = event.involvedObject ?? {};
    const reason = event.reason ?? 'Warning';
    const weight = WEIGHTS[reason] ?? {
      signal: reason.slice(0, 64),
      score: 30,
      severity: 'warning' as const,
    };
    const pod =
      io.kind === 'Pod'
        ? pods.find((p) => p.metadata?.name === io.name && p.metadata?.namespace === io.namespace)
        : undefined;
    const component = pod ? ownerOf(pod, replicasets) : io.name;
    findings.push({
      source: 'events',
      subject: {
        kind: io.kind ?? 'Unknown',
        name: io.name ?? '?',
        ...(io.namespace ? { namespace: io.namespace } : {}),
      },
      ...(component ? { component } : {}),
      signal: weight.signal,
      severity: weight.severity,
      score: weight.score,
      summary: clip(`${count}× ${reason} on ${io.kind ?? '?'} ${io.name ?? '?'}`, 500),
      ...(event.message ? { excerpt: clip(event.message) } : {}),
    });
  }
  return findings;
}
