import type { Pod, Workload } from '../k8s-types.js';
import { asArray } from '../k8s-types.js';
import type { Finding } from './finding.js';
import { clip, ownerOf, subjectOf } from './finding.js';

const WAITING: Record<string, { signal: string; score: number }> = {
  CrashLoopBackOff: { signal: 'CrashLoopBackOff', score: 75 },
  ImagePullBackOff: { signal: 'ImagePullBackOff', score: 85 },
  ErrImagePull: { signal: 'ImagePullBackOff', score: 85 },
  CreateContainerConfigError: { signal: 'ContainerConfigError', score: 85 },
  CreateContainerError: { signal: 'ContainerConfigError', score: 85 },
  RunContainerError: { signal: 'ContainerConfigError', score: 80 },
};

/** Pod phase, container states and reasons, restarts and last termination, readiness. */
export function analyzePods(pods: readonly Pod[], replicasets: readonly Workload[]): Finding[] {
  const findings: Finding[] = [];
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const component = ownerOf(pod, replicasets);
    const subject = subjectOf('Pod', pod);
    const phase = pod.status?.phase ?? 'Unknown';
    const node = pod.spec?.nodeName ?? '(not scheduled)';
    if (phase === 'Pending' && !asArray(pod.status?.containerStatuses).some((s) => s.state?.waiting)) {
      const cond = asArray(pod.status?.conditions).find(
        (c) => c.type === 'PodScheduled' && c.status === 'False',
      );
      findings.push({
        source: 'kubernetes',
        subject,
        component,
        signal: 'PodPending',
        severity: 'error',
        score: 70,
        summary: `Pod ${subject.name} is Pending${cond?.reason ? ` (${cond.reason})` : ''} on ${node}`,
        ...(cond?.message ? { excerpt: clip(cond.message) } : {}),
      });
    }
    if (phase === 'Failed' || phase === 'Unknown')
      findings.push({
        source: 'kubernetes',
        subject,
        component,
        signal: phase === 'Failed' ? 'PodFailed' : 'PodUnknown',
        severity: 'error',
        score: 60,
        summary: `Pod ${subject.name} is ${phase}${pod.status?.reason ? `: ${pod.status.reason}` : ''}`,
        ...(pod.status?.message ? { excerpt: clip(pod.status.message) } : {}),
      });
    for (const status of [
      ...asArray(pod.status?.initContainerStatuses),
      ...asArray(pod.status?.containerStatuses),
    ]) {
      const container = status.name ?? '?';
      const restarts = status.restartCount ?? 0;
      const last = status.lastState?.terminated;
      const lastText = last
        ? `last termination: ${last.reason ?? '?'} exit ${last.exitCode ?? '?'} at ${last.finishedAt ?? '?'}${last.message ? `: ${last.message}` : ''}`
        : '';
      const waiting = status.state?.waiting?.reason;
      const known = waiting ? WAITING[waiting] : undefined;
      if (known) {
        findings.push({
          source: 'kubernetes',
          subject,
          component,
          signal: known.signal,
          severity: 'error',
          score: known.score,
          summary: `Container ${container} of ${subject.name} is ${waiting} (${restarts} restarts) on ${node}`,
          excerpt: clip(
            [status.state?.waiting?.message, lastText, `image: ${status.image ?? '?'}`]
              .filter(Boolean)
              .join('\n'),
          ),
        });
        continue;
      }
      if (last?.reason === 'OOMKilled' || status.state?.terminated?.reason === 'OOMKilled') {
        findings.push({
          source: 'kubernetes',
          subject,
          component,
          signal: 'OOMKilled',
          severity: 'error',
          score: 80,
          summary: `Container ${container} of ${subject.name} was OOMKilled (${restarts} restarts)`,
          excerpt: clip(lastText),
        });
        continue;
      }
      if (restarts > 0 && last) {
        // A kill from outside (SIGKILL/SIGTERM, not OOM) or repeated or unrecovered crashes are an incident;
        // one crash long recovered from is worth a look, not an alarm.
        const exit = last.exitCode ?? 0;
        const failed =
          exit === 137 || exit === 143 || (exit !== 0 && (restarts >= 2 || status.ready === false));
        findings.push({
          source: 'kubernetes',
          subject,
          component,
          signal: 'ContainerRestarted',
          severity: failed ? 'error' : 'warning',
          score: failed ? 62 : 30,
          summary:
            `Container ${container} of ${subject.name} restarted ${restarts} time(s); ${lastText}`.slice(
              0,
              500,
            ),
        });
      }
      if (phase === 'Running' && status.ready === false && !waiting)
        findings.push({
          source: 'kubernetes',
          subject,
          component,
          signal: 'ContainerNotReady',
          severity: 'warning',
          score: 45,
          summary: `Container ${container} of ${subject.name} is running but not ready`,
        });
    }
  }
  return findings;
}
