/**
 * Probes that keep failing, from the kubelet's `Unhealthy` events ("Liveness probe failed: …", "Readiness
 * probe failed: …", pkg/kubelet/prober/prober.go) read against the pod's own spec: where the probe dials,
 * and which ports the container declares. A liveness probe that fails gets the container killed and
 * restarted; a readiness probe that fails keeps the pod out of its Service's ready endpoints
 * (https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/).
 */
import type { KEvent, Pod, Probe, Workload } from '../k8s-types.js';
import { asArray } from '../k8s-types.js';
import type { EvidenceAttributes } from '../../core/evidence.js';
import type { Finding } from './finding.js';
import { clip, ownerOf, subjectOf } from './finding.js';
import { workloadOf } from './workload-ref.js';

const KINDS = {
  Liveness: { signal: 'LivenessProbeFailing', field: 'livenessProbe', score: 83 },
  Readiness: { signal: 'ReadinessProbeFailing', field: 'readinessProbe', score: 82 },
} as const;

/** The container an event's fieldPath names: `spec.containers{name}`. */
function containerOf(event: KEvent): string | undefined {
  return /^spec\.containers\{(.+)\}$/.exec(event.involvedObject?.fieldPath ?? '')?.[1];
}

function failureOf(message: string): string {
  if (/connection refused/i.test(message)) return 'refused';
  if (/statuscode: \d+/i.test(message)) return 'status';
  if (/timeout|deadline exceeded/i.test(message)) return 'timeout';
  return 'other';
}

/** What the probe dials and what the container declares; `suggestedPort` when the two cannot both be right. */
function probeFacts(probe: Probe | undefined, declared: number[]): EvidenceAttributes {
  const endpoint = probe?.tcpSocket ?? probe?.httpGet ?? probe?.grpc;
  const port = endpoint?.port;
  const facts: EvidenceAttributes = {
    probeHandler: probe?.tcpSocket
      ? 'tcpSocket'
      : probe?.httpGet
        ? 'httpGet'
        : probe?.grpc
          ? 'grpc'
          : 'other',
    declaredPorts: declared.join(','),
  };
  if (typeof port === 'number') facts['probePort'] = port;
  if (probe?.httpGet?.path !== undefined) facts['probePath'] = probe.httpGet.path;
  // A numeric port the container does not declare, when it declares exactly one: that one is meant.
  if (typeof port === 'number' && !declared.includes(port) && declared.length === 1)
    facts['suggestedPort'] = declared[0]!;
  return facts;
}

export function analyzeProbes(
  events: readonly KEvent[],
  pods: readonly Pod[],
  replicasets: readonly Workload[],
): Finding[] {
  const groups = new Map<
    string,
    { pod: Pod; container: string; kind: keyof typeof KINDS; count: number; last: KEvent }
  >();
  for (const event of events) {
    if (event.reason !== 'Unhealthy' || event.involvedObject?.kind !== 'Pod') continue;
    const kind = /^(Liveness|Readiness) probe failed/.exec(event.message ?? '')?.[1] as
      keyof typeof KINDS | undefined;
    const container = containerOf(event);
    if (!kind || !container) continue;
    const io = event.involvedObject;
    const pod = pods.find(
      (p) =>
        p.metadata?.name === io.name &&
        p.metadata?.namespace === io.namespace &&
        !p.metadata?.deletionTimestamp,
    );
    if (!pod) continue;
    const key = `${io.namespace ?? ''}/${io.name ?? ''}/${container}/${kind}`;
    const group = groups.get(key);
    if (!group) groups.set(key, { pod, container, kind, count: event.count ?? 1, last: event });
    else {
      group.count += event.count ?? 1;
      if ((event.lastTimestamp ?? '') >= (group.last.lastTimestamp ?? '')) group.last = event;
    }
  }
  const findings: Finding[] = [];
  for (const { pod, container, kind, count, last } of groups.values()) {
    const meta = KINDS[kind];
    const spec = asArray(pod.spec?.containers).find((c) => c.name === container);
    const declared = asArray(spec?.ports)
      .map((p) => p.containerPort)
      .filter((p): p is number => typeof p === 'number');
    const status = asArray(pod.status?.containerStatuses).find((s) => s.name === container);
    const subject = subjectOf('Pod', pod);
    const message = last.message ?? '';
    findings.push({
      source: 'kubernetes',
      subject,
      component: ownerOf(pod, replicasets),
      signal: meta.signal,
      severity: 'error',
      score: meta.score,
      summary: clip(
        `${kind} probe of container ${container} in ${subject.name} failed ${count}× ` +
          `(${status?.restartCount ?? 0} restarts, ${status?.ready ? 'ready' : 'not ready'})`,
        500,
      ),
      excerpt: clip(message),
      attributes: {
        container,
        probe: kind.toLowerCase(),
        failure: failureOf(message),
        failures: count,
        ...probeFacts(spec?.[meta.field], declared),
        ...workloadOf(pod, replicasets),
      },
    });
  }
  return findings;
}
