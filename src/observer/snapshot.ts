import type { Failure, Result } from '../core/errors.js';
import { fail, ok } from '../core/errors.js';
import { isDnsAddon, RESOLVER_FAILURE } from './analyzers/cluster-dns.js';
import { analyzeServices } from './analyzers/services.js';
import type { TlsCertificate } from './certificates.js';
import { TLS_SECRETS_SELECTOR } from './certificates.js';
import type { ClusterReader, ListOptions, ResourceKind } from './cluster-reader.js';
import { RESOURCE_KINDS } from './cluster-reader.js';
import type {
  ConfigMap,
  CronJob,
  Endpoints,
  HorizontalPodAutoscaler,
  Job,
  KEvent,
  KObject,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  LimitRange,
  Pod,
  ResourceQuota,
  Service,
  Workload,
} from './k8s-types.js';
import { asArray } from './k8s-types.js';

export interface PodLog {
  namespace: string;
  pod: string;
  container: string;
  previous: boolean;
  text: string;
}

/** A kind or log the observer could not read; becomes a `gap` evidence item. */
export interface Gap {
  what: string;
  namespace?: string;
  code: string;
  message: string;
}

export interface Snapshot {
  namespace?: string;
  nodes: Node[];
  pods: Pod[];
  deployments: Workload[];
  statefulsets: Workload[];
  replicasets: Workload[];
  services: Service[];
  endpoints: Endpoints[];
  events: KEvent[];
  pvcs: PersistentVolumeClaim[];
  pvs: PersistentVolume[];
  configmaps: ConfigMap[];
  resourceQuotas: ResourceQuota[];
  limitRanges: LimitRange[];
  autoscalers: HorizontalPodAutoscaler[];
  jobs: Job[];
  cronJobs: CronJob[];
  logs: PodLog[];
  /** TLS certificates of the Secrets pods mount, as public facts only (read when some pod mounts a Secret). */
  certificates?: TlsCertificate[];
  /** The cluster DNS addon's Deployments, read only when logs show lookups going unanswered. */
  clusterDns?: Workload[];
  /** The cluster's clock when it was read (the API server's `Date`), else the observer's own. */
  observedAt?: string;
  gaps: Gap[];
  /** Log reads that failed for another reason than RBAC (a pod gone, a container not started yet). */
  logFailures?: number;
}

export interface SnapshotOptions {
  /** Undefined: all namespaces. */
  namespace?: string;
  tailLines?: number;
  /** Log requests at most, whatever the cluster's size (unhealthy pods and their namespaces first). */
  maxLogReads?: number;
  /** Only log lines of the last N seconds; previous (crashed) containers are then skipped. */
  logsSinceSeconds?: number;
}

/** Where the cluster DNS addon runs on kubeadm, kind and managed clusters alike. */
const DNS_NAMESPACE = 'kube-system';

/** Without any of these the observer has not looked at all: the observation fails instead of reporting gaps. */
const CORE_KINDS: readonly ResourceKind[] = ['pods', 'deployments', 'statefulsets', 'replicasets', 'events'];

/** Why a look that read none of the core kinds failed, as the observation's failure code. */
function blindFailure(first: Failure, namespace: string | undefined): Result<never> {
  const where = namespace === undefined ? 'in any namespace' : `in namespace ${namespace}`;
  const kinds = `${CORE_KINDS.slice(0, -1).join(', ')} or ${CORE_KINDS.at(-1)}`;
  switch (first.code) {
    case 'forbidden':
      return fail('cluster-forbidden', `the observer may not read ${kinds} ${where}: ${first.message}`);
    case 'unauthorized':
      return fail('cluster-denied', first.message);
    case 'unreachable':
    case 'timeout':
      return fail('cluster-unreachable', first.message);
    default:
      return fail('cluster-unreadable', `could not read ${kinds} ${where}: ${first.message}`);
  }
}

/**
 * Reads everything the analyzers look at. A kind that cannot be read becomes a gap; when none of the core
 * kinds can be read (or the cluster is unreachable, or the credential refused) the observation fails.
 */
export async function collectSnapshot(
  reader: ClusterReader,
  options: SnapshotOptions,
): Promise<Result<Snapshot>> {
  const gaps: Gap[] = [];
  const ns = options.namespace;
  const read = (kind: ResourceKind): Promise<Result<KObject[]>> =>
    reader.list(kind, ns, listOptionsFor(kind));
  // Pods first: an unreachable cluster or a refused credential is reported before anything else is tried.
  const pods = await read('pods');
  if (!pods.ok && ['unreachable', 'unauthorized'].includes(pods.error.code))
    return blindFailure(pods.error, ns);
  const rest = RESOURCE_KINDS.filter((kind) => kind !== 'pods');
  const results = new Map<ResourceKind, Result<KObject[]>>([
    ['pods', pods],
    ...(await Promise.all(rest.map(async (kind) => [kind, await read(kind)] as const))),
  ]);
  // In the kinds' own order, not the order the reads finished in, so the same cluster reads the same way.
  for (const [kind, result] of results)
    if (!result.ok)
      gaps.push({ what: kind, ...(ns === undefined ? {} : { namespace: ns }), ...result.error });
  const coreFailures = CORE_KINDS.flatMap((kind) => {
    const r = results.get(kind);
    return r && !r.ok ? [r.error] : [];
  });
  if (coreFailures.length === CORE_KINDS.length) return blindFailure(coreFailures[0]!, ns);
  const got = (kind: ResourceKind): KObject[] => {
    const r = results.get(kind);
    return r?.ok ? r.value : [];
  };
  const snapshot: Snapshot = {
    ...(ns === undefined ? {} : { namespace: ns }),
    pods: pods.ok ? pods.value : [],
    nodes: got('nodes'),
    deployments: got('deployments'),
    statefulsets: got('statefulsets'),
    replicasets: got('replicasets'),
    services: got('services'),
    endpoints: got('endpoints'),
    events: got('events'),
    pvcs: got('persistentvolumeclaims'),
    pvs: got('persistentvolumes'),
    configmaps: got('configmaps'),
    resourceQuotas: got('resourcequotas'),
    limitRanges: got('limitranges'),
    autoscalers: got('horizontalpodautoscalers'),
    jobs: got('jobs'),
    cronJobs: got('cronjobs'),
    logs: [],
    gaps,
  };
  snapshot.logs = await collectLogs(reader, snapshot, options);
  snapshot.certificates = await collectCertificates(reader, snapshot);
  snapshot.clusterDns = await collectClusterDns(reader, snapshot);
  snapshot.observedAt = (reader.serverTime?.() ?? new Date()).toISOString();
  return ok(snapshot);
}

/** The Secrets pods mount, by namespace/name (what a certificate check must cover). */
function mountedSecrets(pods: readonly Pod[]): string[] {
  const names = new Set<string>();
  for (const pod of pods)
    for (const v of asArray(pod.spec?.volumes))
      if (v.secret?.secretName) names.add(`${pod.metadata?.namespace ?? ''}/${v.secret.secretName}`);
  return [...names].sort();
}

/**
 * TLS certificates, only when some pod mounts a Secret, and only `kubernetes.io/tls` ones (a field selector,
 * so other Secrets never come over the wire). Where Secrets may not be read, the mounted ones' expiry is a gap.
 */
async function collectCertificates(reader: ClusterReader, snapshot: Snapshot): Promise<TlsCertificate[]> {
  const mounted = mountedSecrets(snapshot.pods);
  if (mounted.length === 0) return [];
  const ns = snapshot.namespace;
  const listed = await reader.list('secrets', ns, { fieldSelector: TLS_SECRETS_SELECTOR, slim: true });
  if (!listed.ok) {
    const shown = mounted.slice(0, 5).join(', ') + (mounted.length > 5 ? ', …' : '');
    snapshot.gaps.push({
      what: 'secrets',
      ...(ns === undefined ? {} : { namespace: ns }),
      code: listed.error.code,
      message:
        `${listed.error.message}; the TLS certificates in mounted Secrets (${shown}) were not checked for expiry` +
        (listed.error.code === 'forbidden' ? ' (aoi rbac --certificates grants the observer this read)' : ''),
    });
    return [];
  }
  const certificates = listed.value as TlsCertificate[];
  for (const c of certificates) {
    const key = `${c.metadata?.namespace ?? ''}/${c.metadata?.name ?? ''}`;
    if (c.certificate.unreadable !== undefined && mounted.includes(key))
      snapshot.gaps.push({
        what: `certificate in Secret ${c.metadata?.name ?? '?'}`,
        ...(c.metadata?.namespace === undefined ? {} : { namespace: c.metadata.namespace }),
        code: 'unreadable',
        message: `${c.certificate.unreadable}: its expiry was not checked`,
      });
  }
  return certificates;
}

/**
 * The cluster DNS addon, when some log shows a lookup that got no answer: it lives in kube-system, outside a
 * namespace-scoped look. A kube-system the observer may not read is a gap naming what went unchecked.
 */
async function collectClusterDns(reader: ClusterReader, snapshot: Snapshot): Promise<Workload[]> {
  if (!snapshot.logs.some((l) => RESOLVER_FAILURE.test(l.text))) return [];
  if (snapshot.namespace === undefined || snapshot.namespace === DNS_NAMESPACE)
    return snapshot.deployments.filter(isDnsAddon);
  const listed = await reader.list('deployments', DNS_NAMESPACE, { slim: true });
  if (!listed.ok) {
    snapshot.gaps.push({
      what: 'deployments',
      namespace: DNS_NAMESPACE,
      code: listed.error.code,
      message: `${listed.error.message}; lookups go unanswered and the cluster DNS addon was not checked`,
    });
    return [];
  }
  return (listed.value as Workload[]).filter(isDnsAddon);
}

/** At most this many Warning events are read: a storm of them says no more than its first few thousand. */
const MAX_EVENTS = 5000;
const MAX_LOG_READS = 100;

/** What each list keeps: only the analyzers' fields, and for events only what is not Normal. */
function listOptionsFor(kind: ResourceKind): ListOptions {
  return kind === 'events'
    ? { slim: true, fieldSelector: 'type!=Normal', maxItems: MAX_EVENTS }
    : { slim: true };
}

function unhealthy(pod: Pod): boolean {
  if (pod.status?.phase === 'Failed') return true;
  return asArray(pod.status?.containerStatuses).some(
    (c) => (c.restartCount ?? 0) > 0 || c.ready === false || !!c.state?.waiting || !!c.state?.terminated,
  );
}

/**
 * Pods whose logs are worth reading, best first: unhealthy pods, then the pods of namespaces where something
 * is wrong (their callers and peers), then the rest in list order.
 */
function podsForLogs(snapshot: Snapshot): Pod[] {
  const troubled = new Set<string>();
  for (const pod of snapshot.pods) if (unhealthy(pod)) troubled.add(pod.metadata?.namespace ?? '');
  for (const e of snapshot.events) if (e.type === 'Warning') troubled.add(e.involvedObject?.namespace ?? '');
  for (const w of [...snapshot.deployments, ...snapshot.statefulsets])
    if ((w.status?.readyReplicas ?? 0) < (w.spec?.replicas ?? 1)) troubled.add(w.metadata?.namespace ?? '');
  // A misrouted Service leaves every pod healthy; its callers' logs say what it breaks.
  for (const f of analyzeServices(snapshot.services, snapshot.endpoints, snapshot.pods))
    troubled.add(f.subject.namespace ?? '');
  const rank = (pod: Pod) => (unhealthy(pod) ? 0 : troubled.has(pod.metadata?.namespace ?? '') ? 1 : 2);
  const ranked: Pod[][] = [[], [], []];
  for (const pod of snapshot.pods)
    if (pod.status?.phase === 'Running' || pod.status?.phase === 'Failed') ranked[rank(pod)]!.push(pod);
  return ranked.flat();
}

/** Logs of running pods (callers as well as the unhealthy), current and, after a restart, previous. */
async function collectLogs(
  reader: ClusterReader,
  snapshot: Snapshot,
  options: SnapshotOptions,
): Promise<PodLog[]> {
  const tailLines = options.tailLines ?? 200;
  const maxReads = options.maxLogReads ?? MAX_LOG_READS;
  type Wanted = { namespace: string; pod: string; container: string; previous: boolean };
  const readsOf = (pod: Pod): Wanted[] => {
    const namespace = pod.metadata?.namespace;
    const name = pod.metadata?.name;
    if (!namespace || !name) return [];
    return asArray(pod.status?.containerStatuses).flatMap((status) => {
      const container = status.name;
      if (!container) return [];
      return [
        ...(status.state?.running || status.state?.terminated
          ? [{ namespace, pod: name, container, previous: false }]
          : []),
        ...((status.restartCount ?? 0) > 0 && options.logsSinceSeconds === undefined
          ? [{ namespace, pod: name, container, previous: true }]
          : []),
      ];
    });
  };
  // Choose by priority, then read in list order (the order the analyzers have always seen logs in).
  const chosen = new Map<Pod, Wanted[]>();
  let count = 0;
  for (const pod of podsForLogs(snapshot)) {
    if (count >= maxReads) break;
    const reads = readsOf(pod).slice(0, maxReads - count);
    chosen.set(pod, reads);
    count += reads.length;
  }
  const wanted = snapshot.pods.flatMap((pod) => chosen.get(pod) ?? []);
  const logs: PodLog[] = [];
  for (let i = 0; i < wanted.length; i += 8) {
    const batch = wanted.slice(i, i + 8);
    const texts = await Promise.all(
      batch.map((w) =>
        reader.log(w.namespace, w.pod, {
          container: w.container,
          tailLines,
          previous: w.previous,
          ...(options.logsSinceSeconds === undefined ? {} : { sinceSeconds: options.logsSinceSeconds }),
        }),
      ),
    );
    texts.forEach((text, j) => {
      const w = batch[j];
      if (!w) return;
      if (text.ok) logs.push({ ...w, text: text.value });
      else if (text.error.code === 'forbidden')
        snapshot.gaps.push({ what: `logs of ${w.pod}`, namespace: w.namespace, ...text.error });
      else snapshot.logFailures = (snapshot.logFailures ?? 0) + 1;
    });
  }
  return logs;
}
