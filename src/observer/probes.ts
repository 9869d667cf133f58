/**
 * Read-only probes the reasoner may ask for mid-diagnosis (a pod's logs, events about an object, one object
 * described, a PromQL query). Each answer is evidence like the rest: bounded, redacted, with a subject. Ids
 * are placeholders; the reasoner numbers them into the incident's sequence.
 */
import type { Evidence, EvidenceSource, Subject } from '../core/evidence.js';
import type { MetricsSource } from './analyzers/telemetry.js';
import type { ClusterReader, ResourceKind } from './cluster-reader.js';
import type { KObject } from './k8s-types.js';
import { errorTemplates } from './log-templates.js';
import { redactText } from './redact.js';

const EXCERPT = 2000;

/** What `describe` accepts, as a user or model would spell the kind. */
const KINDS: Record<string, ResourceKind> = {
  pod: 'pods',
  deployment: 'deployments',
  statefulset: 'statefulsets',
  replicaset: 'replicasets',
  service: 'services',
  endpoints: 'endpoints',
  node: 'nodes',
  persistentvolumeclaim: 'persistentvolumeclaims',
  pvc: 'persistentvolumeclaims',
  persistentvolume: 'persistentvolumes',
  pv: 'persistentvolumes',
  configmap: 'configmaps',
  resourcequota: 'resourcequotas',
  quota: 'resourcequotas',
  limitrange: 'limitranges',
  horizontalpodautoscaler: 'horizontalpodautoscalers',
  hpa: 'horizontalpodautoscalers',
  job: 'jobs',
  cronjob: 'cronjobs',
};

export const DESCRIBABLE_KINDS = Object.keys(KINDS);

function evidence(
  source: EvidenceSource,
  subject: Subject,
  signal: string,
  summary: string,
  excerpt: string | undefined,
  now: Date,
): Evidence {
  return {
    id: 'ev-0',
    source,
    subject,
    signal,
    severity: 'info',
    summary: redactText(summary).slice(0, 500),
    ...(excerpt === undefined || excerpt === '' ? {} : { excerpt: redactText(excerpt).slice(0, EXCERPT) }),
    observedAt: now.toISOString(),
  };
}

function failure(subject: Subject, what: string, message: string, now: Date): Evidence[] {
  return [
    evidence('kubernetes', subject, 'ProbeUnavailable', `could not read ${what}: ${message}`, undefined, now),
  ];
}

/** The tail of a pod's log, with its error lines grouped into templates first. */
export async function probePodLogs(
  reader: ClusterReader,
  namespace: string,
  pod: string,
  previous: boolean,
  now = new Date(),
): Promise<Evidence[]> {
  const subject = { kind: 'Pod', namespace, name: pod };
  const text = await reader.log(namespace, pod, { tailLines: 200, previous, limitBytes: 128 * 1024 });
  if (!text.ok)
    return failure(subject, `${previous ? 'previous ' : ''}logs of ${pod}`, text.error.message, now);
  const templates = errorTemplates(text.value, 8);
  const tail = text.value.split('\n').filter(Boolean).slice(-20);
  const excerpt = [
    ...templates.map((t) => `${t.count}× ${t.example}`),
    ...(templates.length > 0 ? ['--- last lines ---'] : []),
    ...tail,
  ].join('\n');
  return [
    evidence(
      'logs',
      subject,
      'PodLogs',
      `${previous ? 'previous container of ' : ''}${pod}: ${text.value.split('\n').filter(Boolean).length} line(s) read, ${templates.length} error template(s)`,
      excerpt,
      now,
    ),
  ];
}

interface EventObject extends KObject {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  involvedObject?: { kind?: string; name?: string };
}

export async function probeEvents(
  reader: ClusterReader,
  namespace: string,
  object: string | undefined,
  now = new Date(),
): Promise<Evidence[]> {
  const subject = { kind: 'Events', namespace, name: object ?? namespace };
  const listed = await reader.list('events', namespace);
  if (!listed.ok) return failure(subject, `events in ${namespace}`, listed.error.message, now);
  const events = (listed.value as EventObject[]).filter((e) => !object || e.involvedObject?.name === object);
  // Warnings first (they are what an SRE reads events for), newest last within each group.
  const warnings = events.filter((e) => e.type === 'Warning');
  const ordered = [...warnings, ...events.filter((e) => e.type !== 'Warning')];
  const lines = ordered
    .slice(0, 40)
    .map(
      (e) =>
        `${e.type ?? '?'} ${e.reason ?? '?'} ${e.involvedObject?.kind ?? '?'}/${e.involvedObject?.name ?? '?'}` +
        `${(e.count ?? 1) > 1 ? ` ×${e.count}` : ''}: ${e.message ?? ''}`,
    );
  return [
    evidence(
      'events',
      subject,
      'Events',
      `${events.length} event(s)${object ? ` about ${object}` : ''} in ${namespace}, ${warnings.length} warning(s)`,
      lines.join('\n'),
      now,
    ),
  ];
}

/** One object's spec and status as JSON, without managed fields or annotations (which may hold secrets). */
export async function probeDescribe(
  reader: ClusterReader,
  kind: string,
  namespace: string,
  name: string,
  now = new Date(),
): Promise<Evidence[]> {
  const resource = KINDS[kind.toLowerCase()];
  const subject = { kind, namespace, name };
  if (!resource)
    return failure(
      subject,
      `${kind} ${name}`,
      `cannot describe kind ${kind}; use one of ${DESCRIBABLE_KINDS.join(', ')}`,
      now,
    );
  const got = await reader.get(resource, name, namespace);
  if (!got.ok) return failure(subject, `${kind} ${name}`, got.error.message, now);
  const o = got.value as KObject & { spec?: unknown; status?: unknown; data?: unknown };
  const view = {
    metadata: { name: o.metadata?.name, namespace: o.metadata?.namespace, labels: o.metadata?.labels },
    ...(o.spec === undefined ? {} : { spec: o.spec }),
    ...(o.status === undefined ? {} : { status: o.status }),
    ...(o.data === undefined ? {} : { data: o.data }),
  };
  return [
    evidence('kubernetes', subject, 'Described', `${kind} ${namespace}/${name}`, JSON.stringify(view), now),
  ];
}

export async function probeMetrics(
  metrics: MetricsSource | undefined,
  promql: string,
  now = new Date(),
): Promise<Evidence[]> {
  const subject = { kind: 'Query', name: promql.slice(0, 200) };
  if (!metrics) return failure(subject, 'metrics', 'no Prometheus is configured', now);
  const result = await metrics.query(promql);
  if (!result.ok) return failure(subject, 'metrics', result.error.message, now);
  const lines = result.value
    .slice(0, 40)
    .map(
      (s) =>
        `${JSON.stringify(s.metric)} ${Number.isFinite(s.value) ? s.value.toPrecision(4) : String(s.value)}`,
    );
  return [
    evidence(
      'metrics',
      subject,
      'MetricsQuery',
      `${result.value.length} series for ${promql.slice(0, 200)}`,
      lines.join('\n'),
      now,
    ),
  ];
}
