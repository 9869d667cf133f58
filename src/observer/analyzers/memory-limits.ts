/**
 * Containers the kernel killed for reaching their memory limit: the kubelet reports the last termination
 * with reason OOMKilled and exit code 137 (https://kubernetes.io/docs/tasks/configure-pod-container/assign-memory-resource/).
 * With a limit set, the limit is what the working set ran into; the finding carries it, so a remedy can
 * raise it by a bounded factor.
 */
import type { Pod, Workload } from '../k8s-types.js';
import { asArray } from '../k8s-types.js';
import type { Finding } from './finding.js';
import { clip, ownerOf, subjectOf } from './finding.js';
import { workloadOf } from './workload-ref.js';

export function analyzeMemoryLimits(pods: readonly Pod[], replicasets: readonly Workload[]): Finding[] {
  const findings: Finding[] = [];
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    for (const status of asArray(pod.status?.containerStatuses)) {
      const killed = [status.state?.terminated, status.lastState?.terminated].find(
        (t) => t?.reason === 'OOMKilled',
      );
      if (!killed) continue;
      const name = status.name ?? '?';
      const spec = asArray(pod.spec?.containers).find((c) => c.name === name);
      const limit = spec?.resources?.limits?.['memory'];
      if (limit === undefined) continue;
      const subject = subjectOf('Pod', pod);
      const restarts = status.restartCount ?? 0;
      const waiting = status.state?.waiting?.reason;
      findings.push({
        source: 'kubernetes',
        subject,
        component: ownerOf(pod, replicasets),
        signal: 'MemoryLimitExceeded',
        severity: 'error',
        score: 84,
        summary:
          `Container ${name} of ${subject.name} was OOMKilled at its memory limit ${limit} ` +
          `(${restarts} restarts${waiting ? `, now ${waiting}` : ''})`,
        excerpt: clip(
          `last termination: ${killed.reason} exit ${killed.exitCode ?? '?'} at ${killed.finishedAt ?? '?'}`,
        ),
        attributes: {
          container: name,
          memoryLimit: limit,
          ...(spec?.resources?.requests?.['memory']
            ? { memoryRequest: spec.resources.requests['memory'] }
            : {}),
          restarts,
          ...workloadOf(pod, replicasets),
        },
      });
    }
  }
  return findings;
}
