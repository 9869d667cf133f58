/**
 * A probe that kills a container before it has finished starting: the probe dials the right place (a port the
 * container declares) but too early. The kubelet's words say what happened (`Unhealthy` "Liveness probe failed:
 * … connect: connection refused" or "… context deadline exceeded (Client.Timeout exceeded while awaiting
 * headers)", pkg/probe/tcp and pkg/probe/http; then the kubelet kills it, exit 143 from SIGTERM,
 * pkg/kubelet/kuberuntime/kuberuntime_manager.go), the container's last run ended at the age the
 * probe allows (initialDelaySeconds + failureThreshold × periodSeconds, the first probe at the delay: killed at
 * delay + (threshold − 1) × period), and its previous log stops before the app says it listens. Kubernetes'
 * answer for such an app is a startup probe on the same endpoint
 * (https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/, "Protect slow
 * starting containers with startup probes").
 */
import type { Container, KEvent, Pod, Probe, Workload } from '../k8s-types.js';
import { asArray } from '../k8s-types.js';
import type { PodLog } from '../snapshot.js';
import type { Finding } from './finding.js';
import { clip, ownerOf, subjectOf } from './finding.js';
import { workloadOf } from './workload-ref.js';

/** A start-up line that says the process listens or serves: after it, the app was no longer starting. */
const LISTENS = /listening|waiting for connections|\bstarted\b|ready to accept|ready in|serving on/i;
/** Probe outputs of a process that does not answer yet (an HTTP status means it answered). */
const NOT_ANSWERING = /connection refused|context deadline exceeded|timeout|i\/o timeout/i;

interface Timing {
  initialDelaySeconds: number;
  periodSeconds: number;
  failureThreshold: number;
}

/** The probe's timing with the API's defaults (0, 10, 3). */
function timingOf(probe: Probe): Timing {
  return {
    initialDelaySeconds: probe.initialDelaySeconds ?? 0,
    periodSeconds: probe.periodSeconds ?? 10,
    failureThreshold: probe.failureThreshold ?? 3,
  };
}

/** Whether the probe dials a port the container declares (by number or by name). */
function dialsDeclaredPort(probe: Probe, container: Container): boolean {
  const port = (probe.tcpSocket ?? probe.httpGet ?? probe.grpc)?.port;
  const ports = asArray(container.ports);
  if (typeof port === 'number') return ports.some((p) => p.containerPort === port);
  if (typeof port === 'string') return ports.some((p) => p.name === port);
  return false;
}

function seconds(from?: string, to?: string): number | undefined {
  const a = Date.parse(from ?? '');
  const b = Date.parse(to ?? '');
  return Number.isFinite(a) && Number.isFinite(b) ? Math.round((b - a) / 100) / 10 : undefined;
}

const onContainer = (e: KEvent, pod: Pod, container: string) =>
  e.involvedObject?.kind === 'Pod' &&
  e.involvedObject.name === pod.metadata?.name &&
  e.involvedObject.namespace === pod.metadata?.namespace &&
  e.involvedObject.fieldPath === `spec.containers{${container}}`;

export function analyzeProbeTiming(
  events: readonly KEvent[],
  pods: readonly Pod[],
  replicasets: readonly Workload[],
  logs: readonly PodLog[],
): Finding[] {
  const findings: Finding[] = [];
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    for (const container of asArray(pod.spec?.containers)) {
      const name = container.name ?? '';
      // The kubelet's Killing event is a Normal one, which the observer does not read: the kill shows as
      // probe failures and a last run that ended in SIGTERM (exit 143) at the probe's budget.
      const failed = (label: string) =>
        events.filter(
          (e) =>
            e.reason === 'Unhealthy' &&
            onContainer(e, pod, name) &&
            (e.message ?? '').startsWith(`${label} probe failed:`),
        );
      const which = container.startupProbe && failed('Startup').length > 0 ? 'startup' : 'liveness';
      const probe = which === 'startup' ? container.startupProbe : container.livenessProbe;
      if (!probe || !dialsDeclaredPort(probe, container)) continue;
      const failures = failed(which === 'startup' ? 'Startup' : 'Liveness');
      if (failures.length === 0 || !failures.every((e) => NOT_ANSWERING.test(e.message ?? ''))) continue;
      const status = asArray(pod.status?.containerStatuses).find((s) => s.name === name);
      const last = status?.lastState?.terminated;
      const ranFor = seconds(last?.startedAt, last?.finishedAt);
      const t = timingOf(probe);
      const budget = t.initialDelaySeconds + (t.failureThreshold - 1) * t.periodSeconds;
      // Killed at the age the probe allows (within a period: the prober's first run and jitter).
      if (last?.exitCode !== 143 || ranFor === undefined || Math.abs(ranFor - budget) > t.periodSeconds + 1)
        continue;
      const log = logs.find(
        (l) =>
          l.previous &&
          l.pod === pod.metadata?.name &&
          l.namespace === pod.metadata?.namespace &&
          l.container === name,
      );
      const lines = log?.text.split('\n').filter((l) => l.trim() !== '') ?? [];
      if (log && lines.some((l) => LISTENS.test(l))) continue;
      const subject = subjectOf('Pod', pod);
      const lastLine = lines.at(-1);
      findings.push({
        source: 'kubernetes',
        subject,
        component: ownerOf(pod, replicasets),
        signal: 'ProbeKillsDuringStartup',
        severity: 'error',
        score: log ? 87 : 84,
        summary: clip(
          `${which} probe of container ${name} in ${subject.name} dials a port it declares but kills it ` +
            `${ranFor}s after each start (the probe allows ${budget}s: initialDelaySeconds ${t.initialDelaySeconds} + ` +
            `${t.failureThreshold} failures × ${t.periodSeconds}s), ${status?.restartCount ?? 0} restarts; ` +
            (log
              ? 'its previous run never logged that it listens: it was still starting'
              : 'its previous log was not read, so whether it was still starting is not confirmed'),
          500,
        ),
        excerpt: clip(
          `${failures.at(-1)?.reason ?? 'Unhealthy'} (x${failures.reduce((n, e) => n + (e.count ?? 1), 0)}): ` +
            `${failures.at(-1)?.message ?? ''}; last run ended with exit code 143 after ${ranFor}s` +
            (lastLine === undefined ? '' : ` | last log line: ${lastLine}`),
        ),
        attributes: {
          container: name,
          probe: which,
          killedAfterSeconds: ranFor,
          probeBudgetSeconds: budget,
          initialDelaySeconds: t.initialDelaySeconds,
          periodSeconds: t.periodSeconds,
          failureThreshold: t.failureThreshold,
          hasStartupProbe: container.startupProbe !== undefined,
          previousLogRead: log !== undefined,
          restarts: status?.restartCount ?? 0,
          ...workloadOf(pod, replicasets),
        },
      });
    }
  }
  return findings;
}
