import type { Result } from '../core/errors.js';
import { fail, ok } from '../core/errors.js';
import type { ClusterReader, ResourceKind } from './cluster-reader.js';
import { RESOURCE_KINDS } from './cluster-reader.js';
import type {
  ConfigMap,
  Endpoints,
  KEvent,
  KObject,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
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
  logs: PodLog[];
  gaps: Gap[];
}

export interface SnapshotOptions {
  /** Undefined: all namespaces. */
  namespace?: string;
  tailLines?: number;
  maxLogPods?: number;
  /** Only log lines of the last N seconds; previous (crashed) containers are then skipped. */
  logsSinceSeconds?: number;
}

/** Reads everything the analyzers look at; a forbidden kind becomes a gap, an unreachable cluster a failure. */
export async function collectSnapshot(
  reader: ClusterReader,
  options: SnapshotOptions,
): Promise<Result<Snapshot>> {
  const gaps: Gap[] = [];
  const ns = options.namespace;
  const read = async (kind: ResourceKind): Promise<Result<KObject[]>> => {
    const result = await reader.list(kind, ns);
    if (!result.ok && result.error.code !== 'unreachable')
      gaps.push({ what: kind, ...(ns === undefined ? {} : { namespace: ns }), ...result.error });
    return result;
  };
  // Pods first: an unreachable cluster is reported before anything else is tried.
  const pods = await read('pods');
  if (!pods.ok && pods.error.code === 'unreachable') return fail('cluster-unreachable', pods.error.message);
  const rest = RESOURCE_KINDS.filter((kind) => kind !== 'pods');
  const results = new Map<ResourceKind, Result<KObject[]>>(
    await Promise.all(rest.map(async (kind) => [kind, await read(kind)] as const)),
  );
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
    logs: [],
    gaps,
  };
  snapshot.logs = await collectLogs(reader, snapshot, options);
  return ok(snapshot);
}

/** Logs of running pods (callers as well as the unhealthy), current and, after a restart, previous. */
async function collectLogs(
  reader: ClusterReader,
  snapshot: Snapshot,
  options: SnapshotOptions,
): Promise<PodLog[]> {
  const tailLines = options.tailLines ?? 200;
  const wanted: { namespace: string; pod: string; container: string; previous: boolean }[] = [];
  const pods = snapshot.pods.filter((p) => p.status?.phase === 'Running' || p.status?.phase === 'Failed');
  for (const pod of pods.slice(0, options.maxLogPods ?? 80)) {
    const namespace = pod.metadata?.namespace;
    const name = pod.metadata?.name;
    if (!namespace || !name) continue;
    for (const status of asArray(pod.status?.containerStatuses)) {
      if (!status.name) continue;
      if (status.state?.running || status.state?.terminated)
        wanted.push({ namespace, pod: name, container: status.name, previous: false });
      if ((status.restartCount ?? 0) > 0 && options.logsSinceSeconds === undefined)
        wanted.push({ namespace, pod: name, container: status.name, previous: true });
    }
  }
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
    });
  }
  return logs;
}
