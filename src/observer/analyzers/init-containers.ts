/**
 * Init containers that fail: they run to completion one after another before a pod's app containers, and
 * one that exits non-zero is restarted with the crash back-off (kubectl shows Init:Error, then
 * Init:CrashLoopBackOff) while the app containers wait in PodInitializing
 * (https://kubernetes.io/docs/concepts/workloads/pods/init-containers/).
 */
import type { Pod, Workload } from '../k8s-types.js';
import { asArray } from '../k8s-types.js';
import type { Finding } from './finding.js';
import { clip, ownerOf, subjectOf } from './finding.js';
import { workloadOf } from './workload-ref.js';

export function analyzeInitContainers(pods: readonly Pod[], replicasets: readonly Workload[]): Finding[] {
  const findings: Finding[] = [];
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    for (const status of asArray(pod.status?.initContainerStatuses)) {
      const failed = [status.state?.terminated, status.lastState?.terminated].find(
        (t) => t !== undefined && t.exitCode !== 0,
      );
      const looping = status.state?.waiting?.reason === 'CrashLoopBackOff';
      if (!failed && !looping) continue;
      const name = status.name ?? '?';
      const subject = subjectOf('Pod', pod);
      const shown = looping ? 'Init:CrashLoopBackOff' : `Init:${failed?.reason ?? 'Error'}`;
      const spec = asArray(pod.spec?.initContainers).find((c) => c.name === name);
      findings.push({
        source: 'kubernetes',
        subject,
        component: ownerOf(pod, replicasets),
        signal: 'InitContainerFailing',
        severity: 'error',
        score: 84,
        summary:
          `Init container ${name} of ${subject.name} fails (${shown}, exit ${failed?.exitCode ?? '?'}, ` +
          `${status.restartCount ?? 0} restarts); the app's containers have not started`,
        excerpt: clip(
          [status.state?.waiting?.message, failed?.message, spec?.image ? `image: ${spec.image}` : undefined]
            .filter(Boolean)
            .join('\n'),
        ),
        attributes: {
          container: name,
          ...(failed?.exitCode !== undefined ? { exitCode: failed.exitCode } : {}),
          restarts: status.restartCount ?? 0,
          ...workloadOf(pod, replicasets),
        },
      });
    }
  }
  return findings;
}
