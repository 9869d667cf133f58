import { ApiException, AppsV1Api, CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import type { Result } from '../core/errors.js';
import { fail, ok } from '../core/errors.js';
import type { ClusterReader, LogOptions, ResourceKind, WatchEvent } from './cluster-reader.js';
import { CLUSTER_SCOPED, collectionPath } from './cluster-reader.js';
import type { KObject } from './k8s-types.js';
import type { RetryPolicy } from './retry.js';
import { DEFAULT_RETRY, withRetry } from './retry.js';

export interface ApiReaderOptions {
  kubeconfig?: string;
  context?: string;
  /** A ready KubeConfig (tests, in-process callers); wins over `kubeconfig`. */
  kubeConfig?: KubeConfig;
  pageSize?: number;
  retry?: RetryPolicy;
}

interface Page {
  items?: unknown[];
  metadata?: { _continue?: string };
}
type PageQuery = { limit: number; _continue?: string };
type Lister = (namespace: string | undefined, query: PageQuery) => Promise<Page>;
type Reader = (name: string, namespace: string) => Promise<unknown>;

/** Builds the KubeConfig the observer uses, as a value: a missing file or context is a failure. */
export function loadKubeConfig(options: ApiReaderOptions): Result<KubeConfig> {
  if (options.kubeConfig) return ok(options.kubeConfig);
  const kc = new KubeConfig();
  try {
    if (options.kubeconfig !== undefined) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
    if (options.context !== undefined) {
      if (!kc.getContexts().some((c) => c.name === options.context))
        return fail('config', `context "${options.context}" is not in the kubeconfig`);
      kc.setCurrentContext(options.context);
    }
  } catch (error) {
    return fail('config', `cannot load the kubeconfig: ${(error as Error).message}`);
  }
  if (!kc.getCurrentCluster()) return fail('config', 'the kubeconfig has no current cluster');
  return ok(kc);
}

/** Maps what client-node throws to a read failure code. */
export function classifyError(error: unknown): { code: string; message: string } {
  if (error instanceof ApiException) {
    const status = error.code;
    let message = `HTTP ${status}`;
    try {
      const body = JSON.parse(String(error.body)) as { message?: string };
      if (body.message) message = `${message}: ${body.message}`;
    } catch {
      // Not a Kubernetes Status; the status code says enough.
    }
    if (status === 401 || status === 403) return { code: 'forbidden', message };
    if (status === 404) return { code: 'not-found', message };
    if (status === 429) return { code: 'throttled', message };
    if (status === 408 || status === 504) return { code: 'timeout', message };
    if (status >= 500) return { code: 'server', message };
    return { code: 'failed', message };
  }
  const text = error instanceof Error ? error.message : String(error);
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|certificate|self[- ]signed/i.test(text))
    return { code: 'unreachable', message: text };
  if (/ETIMEDOUT|timeout|ECONNRESET|socket hang up/i.test(text)) return { code: 'timeout', message: text };
  return { code: 'failed', message: text };
}

/** The observer's reader over the Kubernetes API (client-node): lists with paging, logs, retries. */
export function createApiReader(options: ApiReaderOptions): Result<ClusterReader> {
  const loaded = loadKubeConfig(options);
  if (!loaded.ok) return loaded;
  const kc = loaded.value;
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const pageSize = options.pageSize ?? 500;
  const policy = options.retry ?? DEFAULT_RETRY;
  let requests = 0;

  const listers: Record<ResourceKind, Lister> = {
    nodes: (_ns, q) => core.listNode(q),
    persistentvolumes: (_ns, q) => core.listPersistentVolume(q),
    pods: (ns, q) => (ns ? core.listNamespacedPod({ namespace: ns, ...q }) : core.listPodForAllNamespaces(q)),
    services: (ns, q) =>
      ns ? core.listNamespacedService({ namespace: ns, ...q }) : core.listServiceForAllNamespaces(q),
    endpoints: (ns, q) =>
      ns ? core.listNamespacedEndpoints({ namespace: ns, ...q }) : core.listEndpointsForAllNamespaces(q),
    events: (ns, q) =>
      ns ? core.listNamespacedEvent({ namespace: ns, ...q }) : core.listEventForAllNamespaces(q),
    persistentvolumeclaims: (ns, q) =>
      ns
        ? core.listNamespacedPersistentVolumeClaim({ namespace: ns, ...q })
        : core.listPersistentVolumeClaimForAllNamespaces(q),
    configmaps: (ns, q) =>
      ns ? core.listNamespacedConfigMap({ namespace: ns, ...q }) : core.listConfigMapForAllNamespaces(q),
    deployments: (ns, q) =>
      ns ? apps.listNamespacedDeployment({ namespace: ns, ...q }) : apps.listDeploymentForAllNamespaces(q),
    statefulsets: (ns, q) =>
      ns ? apps.listNamespacedStatefulSet({ namespace: ns, ...q }) : apps.listStatefulSetForAllNamespaces(q),
    replicasets: (ns, q) =>
      ns ? apps.listNamespacedReplicaSet({ namespace: ns, ...q }) : apps.listReplicaSetForAllNamespaces(q),
  };

  const readers: Record<ResourceKind, Reader> = {
    nodes: (name) => core.readNode({ name }),
    persistentvolumes: (name) => core.readPersistentVolume({ name }),
    pods: (name, namespace) => core.readNamespacedPod({ name, namespace }),
    services: (name, namespace) => core.readNamespacedService({ name, namespace }),
    endpoints: (name, namespace) => core.readNamespacedEndpoints({ name, namespace }),
    events: (name, namespace) => core.readNamespacedEvent({ name, namespace }),
    persistentvolumeclaims: (name, namespace) =>
      core.readNamespacedPersistentVolumeClaim({ name, namespace }),
    configmaps: (name, namespace) => core.readNamespacedConfigMap({ name, namespace }),
    deployments: (name, namespace) => apps.readNamespacedDeployment({ name, namespace }),
    statefulsets: (name, namespace) => apps.readNamespacedStatefulSet({ name, namespace }),
    replicasets: (name, namespace) => apps.readNamespacedReplicaSet({ name, namespace }),
  };

  async function call<T>(send: () => Promise<T>): Promise<Result<T>> {
    return withRetry(async () => {
      requests++;
      try {
        return ok(await send());
      } catch (error) {
        const { code, message } = classifyError(error);
        return fail<T>(code, message);
      }
    }, policy);
  }

  return ok({
    transport: 'api',
    requestCount: () => requests,
    async list(kind, namespace) {
      const ns = CLUSTER_SCOPED.has(kind) ? undefined : namespace;
      const items: KObject[] = [];
      let next: string | undefined;
      for (let page = 0; page < 1000; page++) {
        const query: PageQuery =
          next === undefined ? { limit: pageSize } : { limit: pageSize, _continue: next };
        const result = await call(() => listers[kind](ns, query));
        if (!result.ok) return result;
        items.push(...(plain(result.value.items) as KObject[]));
        next = result.value.metadata?._continue || undefined;
        if (next === undefined) break;
      }
      return ok(items);
    },
    async get(kind, name, namespace) {
      const result = await call(() => readers[kind](name, namespace ?? 'default'));
      return result.ok ? ok(plain([result.value])[0] as KObject) : result;
    },
    async watch(kind, namespace, watchOptions) {
      requests++;
      const events: WatchEvent[] = [];
      let failure: string | undefined;
      let finish = () => undefined as void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      let controller: AbortController;
      try {
        controller = await new Watch(kc).watch(
          collectionPath(kind, CLUSTER_SCOPED.has(kind) ? undefined : namespace),
          {},
          (type: string, object: unknown) => {
            events.push({ type, object: plain([object])[0] as KObject });
            if (watchOptions.maxEvents !== undefined && events.length >= watchOptions.maxEvents) finish();
          },
          (error: unknown) => {
            if (error) failure = classifyError(error).message;
            finish();
          },
        );
      } catch (error) {
        const { code, message } = classifyError(error);
        return fail(code, message);
      }
      const timer = setTimeout(finish, watchOptions.durationMs);
      await finished;
      clearTimeout(timer);
      controller.abort();
      return failure !== undefined && events.length === 0 ? fail('failed', failure) : ok(events);
    },
    async log(namespace, pod, logOptions: LogOptions) {
      return call(() =>
        core.readNamespacedPodLog({
          name: pod,
          namespace,
          tailLines: logOptions.tailLines,
          limitBytes: logOptions.limitBytes ?? 256 * 1024,
          ...(logOptions.container === undefined ? {} : { container: logOptions.container }),
          ...(logOptions.previous ? { previous: true } : {}),
          ...(logOptions.sinceSeconds === undefined ? {} : { sinceSeconds: logOptions.sinceSeconds }),
        }),
      );
    },
  });
}

/** client-node turns timestamps into Date objects; the analyzers read plain JSON like kubectl's. */
function plain(items: unknown[] | undefined): unknown[] {
  return Array.isArray(items) ? (JSON.parse(JSON.stringify(items)) as unknown[]) : [];
}

/** The kubeconfig's bearer token and CA, for telemetry APIs served with the same credentials (the simulator). */
export function kubeCredentials(options: ApiReaderOptions): Result<{ token?: string; caPem?: string }> {
  const loaded = loadKubeConfig(options);
  if (!loaded.ok) return loaded;
  const token = loaded.value.getCurrentUser()?.token;
  const caData = loaded.value.getCurrentCluster()?.caData;
  return ok({
    ...(token ? { token } : {}),
    ...(caData ? { caPem: Buffer.from(caData, 'base64').toString('utf8') } : {}),
  });
}
