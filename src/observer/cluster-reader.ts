import type { Result } from '../core/errors.js';
import type { KObject } from './k8s-types.js';

/** The kinds the observer reads; Secrets are deliberately absent. */
export const RESOURCE_KINDS = [
  'nodes',
  'pods',
  'deployments',
  'statefulsets',
  'replicasets',
  'services',
  'endpoints',
  'events',
  'persistentvolumeclaims',
  'persistentvolumes',
  'configmaps',
  'resourcequotas',
  'limitranges',
  'horizontalpodautoscalers',
  'jobs',
  'cronjobs',
] as const;
/**
 * Also `secrets`, read apart from the rest and only as `kubernetes.io/tls` ones: every reader cuts each item
 * down to its certificate's public facts as it arrives (certificates.ts), whatever `slim` says.
 */
export type ResourceKind = (typeof RESOURCE_KINDS)[number] | 'secrets';

export const CLUSTER_SCOPED: ReadonlySet<ResourceKind> = new Set(['nodes', 'persistentvolumes']);

/**
 * Failure codes a read returns: `forbidden` becomes a gap; `unreachable` and `unauthorized` (the credential
 * itself refused) end the observation.
 */
export type ReadErrorCode = 'forbidden' | 'unauthorized' | 'not-found' | 'unreachable' | 'timeout' | 'failed';

export interface LogOptions {
  container?: string;
  tailLines: number;
  previous?: boolean;
  limitBytes?: number;
  /** Only lines logged in the last N seconds (after a fix: has the component logged errors since?). */
  sinceSeconds?: number;
}

export interface ListOptions {
  /** Evaluated by the API server, e.g. `type!=Normal` for events (fields the API allows for the kind). */
  fieldSelector?: string;
  /** Keep only the fields the analyzers read (`slimObject`), dropping the rest as each item is parsed. */
  slim?: boolean;
  /** Stop after this many items (the first ones the server returns). */
  maxItems?: number;
}

export interface WatchEvent {
  type: string;
  object: KObject;
}

/** A watch is bounded: it collects changes for `durationMs` (or until `maxEvents`) and returns them. */
export interface WatchOptions {
  durationMs: number;
  maxEvents?: number;
}

/** Read-only gateway to a cluster: there is no method that writes, on purpose. */
export interface ClusterReader {
  readonly transport: 'api' | 'kubectl';
  /** Every page of a list; `namespace` undefined means all namespaces (ignored for cluster-scoped kinds). */
  list(kind: ResourceKind, namespace?: string, options?: ListOptions): Promise<Result<KObject[]>>;
  get(kind: ResourceKind, name: string, namespace?: string): Promise<Result<KObject>>;
  log(namespace: string, pod: string, options: LogOptions): Promise<Result<string>>;
  /** Changes to `kind` over a bounded window; the first events are the objects that already exist. */
  watch(
    kind: ResourceKind,
    namespace: string | undefined,
    options: WatchOptions,
  ): Promise<Result<WatchEvent[]>>;
  /** The API server's clock at its last reply (its `Date` header), where the transport shows it. */
  serverTime?(): Date | undefined;
  /** Requests sent so far (HTTP requests, or kubectl runs). */
  requestCount(): number;
}

/** The API group/version serving each kind that is not in core v1 (autoscaling/v2 is GA since 1.23). */
const GROUP_VERSION: Partial<Record<ResourceKind, string>> = {
  deployments: 'apps/v1',
  statefulsets: 'apps/v1',
  replicasets: 'apps/v1',
  horizontalpodautoscalers: 'autoscaling/v2',
  jobs: 'batch/v1',
  cronjobs: 'batch/v1',
};

/** The REST collection path of a kind, as watches address it. */
export function collectionPath(kind: ResourceKind, namespace: string | undefined): string {
  const groupVersion = GROUP_VERSION[kind];
  const ns =
    CLUSTER_SCOPED.has(kind) || namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
  return `${groupVersion ? `/apis/${groupVersion}` : '/api/v1'}${ns}/${kind}`;
}

export function readFailure<T>(code: ReadErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}
