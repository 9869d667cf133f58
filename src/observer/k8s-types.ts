import { certificateFacts } from './certificates.js';
/** The fields the observer reads, as plain JSON (both transports yield the same shapes); all optional. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { kind?: string; name?: string }[];
  creationTimestamp?: string;
  deletionTimestamp?: string;
  generation?: number;
}

export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export interface ContainerPort {
  name?: string;
  containerPort?: number;
}

export interface Container {
  name?: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name?: string }[];
  ports?: ContainerPort[];
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
}

/** Where a probe dials and how often; an exec probe shows none of these. */
export interface Probe {
  tcpSocket?: { port?: number | string };
  httpGet?: { port?: number | string; path?: string };
  grpc?: { port?: number };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

export interface PodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: unknown;
  tolerations?: { key?: string; operator?: string; effect?: string }[];
  containers?: Container[];
  initContainers?: Container[];
  volumes?: {
    name?: string;
    persistentVolumeClaim?: { claimName?: string };
    configMap?: { name?: string };
    secret?: { secretName?: string };
    projected?: { sources?: { configMap?: { name?: string } }[] };
  }[];
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: {
    reason?: string;
    exitCode?: number;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
  };
}

export interface ContainerStatus {
  name?: string;
  ready?: boolean;
  restartCount?: number;
  image?: string;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface Pod extends KObject {
  spec?: PodSpec;
  status?: {
    phase?: string;
    podIP?: string;
    reason?: string;
    message?: string;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

export interface Workload extends KObject {
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: { metadata?: ObjectMeta; spec?: PodSpec };
  };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
  };
}

export interface Service extends KObject {
  spec?: {
    type?: string;
    clusterIP?: string;
    selector?: Record<string, string>;
    ports?: { name?: string; port?: number; targetPort?: number | string }[];
  };
}

export interface Endpoints extends KObject {
  subsets?: {
    addresses?: { ip?: string }[];
    notReadyAddresses?: { ip?: string }[];
    ports?: { port?: number }[];
  }[];
}

export interface KEvent extends KObject {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  involvedObject?: { kind?: string; name?: string; namespace?: string; fieldPath?: string };
}

export interface PersistentVolumeClaim extends KObject {
  spec?: {
    volumeName?: string;
    storageClassName?: string;
    resources?: { requests?: Record<string, string> };
    accessModes?: string[];
    selector?: { matchLabels?: Record<string, string> };
  };
  status?: { phase?: string };
}

export interface PersistentVolume extends KObject {
  spec?: {
    storageClassName?: string;
    claimRef?: { name?: string; namespace?: string; uid?: string };
    capacity?: Record<string, string>;
    accessModes?: string[];
  };
  status?: { phase?: string };
}

export interface ConfigMap extends KObject {
  data?: Record<string, string>;
}

export interface Node extends KObject {
  spec?: { unschedulable?: boolean; taints?: { key?: string; value?: string; effect?: string }[] };
  status?: {
    conditions?: {
      type?: string;
      status?: string;
      reason?: string;
      message?: string;
      lastHeartbeatTime?: string;
    }[];
  };
}

/** Hard limits and what is used against them (`status.hard` / `status.used`, quantities as strings). */
export interface ResourceQuota extends KObject {
  spec?: { hard?: Record<string, string> };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

export interface LimitRange extends KObject {
  spec?: {
    limits?: {
      type?: string;
      max?: Record<string, string>;
      min?: Record<string, string>;
      default?: Record<string, string>;
      defaultRequest?: Record<string, string>;
      maxLimitRequestRatio?: Record<string, string>;
    }[];
  };
}

type Condition = { type?: string; status?: string; reason?: string; message?: string };

/** autoscaling/v2: the target, its bounds, and the controller's view (ScalingLimited, AbleToScale). */
export interface HorizontalPodAutoscaler extends KObject {
  spec?: {
    scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string };
    minReplicas?: number;
    maxReplicas?: number;
    metrics?: unknown[];
  };
  status?: {
    currentReplicas?: number;
    desiredReplicas?: number;
    lastScaleTime?: string;
    currentMetrics?: unknown[];
    conditions?: Condition[];
  };
}

export interface Job extends KObject {
  spec?: {
    backoffLimit?: number;
    completions?: number;
    parallelism?: number;
    activeDeadlineSeconds?: number;
    suspend?: boolean;
    template?: { metadata?: ObjectMeta; spec?: PodSpec };
  };
  status?: {
    active?: number;
    succeeded?: number;
    failed?: number;
    startTime?: string;
    completionTime?: string;
    conditions?: Condition[];
  };
}

export interface CronJob extends KObject {
  spec?: {
    schedule?: string;
    timeZone?: string;
    suspend?: boolean;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: string;
  };
  status?: { lastScheduleTime?: string; lastSuccessfulTime?: string; active?: { name?: string }[] };
}

export function nameOf(o: KObject): string {
  return o.metadata?.name ?? '?';
}

export function asArray<T>(value: T[] | undefined | null): T[] {
  return Array.isArray(value) ? value : [];
}

/** Which fields of a JSON value to keep: `true` keeps the whole value; arrays apply the shape to each element. */
type Shape = true | { readonly [key: string]: Shape };

const META = {
  name: true,
  namespace: true,
  uid: true,
  labels: true,
  ownerReferences: { kind: true, name: true },
  creationTimestamp: true,
  deletionTimestamp: true,
  generation: true,
} as const;
/** Workloads keep annotations too (the deployment revision). */
const WORKLOAD_META = { ...META, annotations: true } as const;
const CONDITIONS = { type: true, status: true, reason: true, message: true } as const;
const CONTAINER_STATE = {
  waiting: { reason: true, message: true },
  running: { startedAt: true },
  terminated: { reason: true, exitCode: true, message: true, startedAt: true, finishedAt: true },
} as const;
const CONTAINER_STATUS = {
  name: true,
  ready: true,
  restartCount: true,
  image: true,
  state: CONTAINER_STATE,
  lastState: CONTAINER_STATE,
} as const;
const PROBE = {
  tcpSocket: { port: true },
  httpGet: { port: true, path: true },
  grpc: { port: true },
  initialDelaySeconds: true,
  periodSeconds: true,
  timeoutSeconds: true,
  failureThreshold: true,
} as const;
const POD_SPEC = {
  nodeName: true,
  nodeSelector: true,
  affinity: true,
  tolerations: { key: true, operator: true, effect: true },
  containers: {
    name: true,
    image: true,
    command: true,
    args: true,
    env: { name: true },
    ports: { name: true, containerPort: true },
    resources: { limits: true, requests: true },
    livenessProbe: PROBE,
    readinessProbe: PROBE,
    startupProbe: PROBE,
  },
  initContainers: { name: true, image: true, command: true, args: true },
  volumes: {
    name: true,
    persistentVolumeClaim: { claimName: true },
    configMap: { name: true },
    secret: { secretName: true },
    projected: { sources: { configMap: { name: true } } },
  },
} as const;
const WORKLOAD = {
  metadata: WORKLOAD_META,
  spec: {
    replicas: true,
    selector: { matchLabels: true },
    template: { metadata: META, spec: POD_SPEC },
  },
  status: {
    replicas: true,
    readyReplicas: true,
    updatedReplicas: true,
    availableReplicas: true,
    unavailableReplicas: true,
    conditions: CONDITIONS,
  },
} as const;

/** The shape of each listed kind as the analyzers read it (the interfaces above, field for field). */
const SHAPES: Readonly<Record<string, Shape>> = {
  pods: {
    metadata: META,
    spec: POD_SPEC,
    status: {
      phase: true,
      podIP: true,
      reason: true,
      message: true,
      conditions: CONDITIONS,
      containerStatuses: CONTAINER_STATUS,
      initContainerStatuses: CONTAINER_STATUS,
    },
  },
  deployments: WORKLOAD,
  statefulsets: WORKLOAD,
  // The analyzers follow a pod's ReplicaSet to its owner; a refused rollout compares revisions' resources.
  replicasets: {
    metadata: { name: true, namespace: true, ownerReferences: { kind: true, name: true }, annotations: true },
    spec: {
      replicas: true,
      template: { spec: { containers: { name: true, resources: { limits: true, requests: true } } } },
    },
    status: { replicas: true },
  },
  services: {
    metadata: META,
    spec: {
      type: true,
      clusterIP: true,
      selector: true,
      ports: { name: true, port: true, targetPort: true },
    },
  },
  endpoints: {
    metadata: META,
    subsets: { addresses: { ip: true }, notReadyAddresses: { ip: true }, ports: { port: true } },
  },
  events: {
    metadata: META,
    type: true,
    reason: true,
    message: true,
    count: true,
    lastTimestamp: true,
    involvedObject: { kind: true, name: true, namespace: true, fieldPath: true },
  },
  persistentvolumeclaims: {
    metadata: META,
    spec: {
      volumeName: true,
      storageClassName: true,
      resources: { requests: true },
      accessModes: true,
      selector: { matchLabels: true },
    },
    status: { phase: true },
  },
  persistentvolumes: {
    metadata: META,
    spec: {
      storageClassName: true,
      claimRef: { name: true, namespace: true, uid: true },
      capacity: true,
      accessModes: true,
    },
    status: { phase: true },
  },
  configmaps: { metadata: META, data: true },
  nodes: {
    metadata: META,
    spec: { unschedulable: true, taints: { key: true, value: true, effect: true } },
    // When the kubelet last posted: what a lost node's diagnosis dates its loss by.
    status: { conditions: { ...CONDITIONS, lastHeartbeatTime: true } },
  },
  resourcequotas: { metadata: META, spec: { hard: true }, status: { hard: true, used: true } },
  limitranges: { metadata: META, spec: { limits: true } },
  horizontalpodautoscalers: {
    metadata: META,
    spec: { scaleTargetRef: true, minReplicas: true, maxReplicas: true, metrics: true },
    status: {
      currentReplicas: true,
      desiredReplicas: true,
      lastScaleTime: true,
      currentMetrics: true,
      conditions: CONDITIONS,
    },
  },
  jobs: {
    metadata: WORKLOAD_META,
    spec: {
      backoffLimit: true,
      completions: true,
      parallelism: true,
      activeDeadlineSeconds: true,
      suspend: true,
      template: { metadata: META, spec: POD_SPEC },
    },
    status: {
      active: true,
      succeeded: true,
      failed: true,
      startTime: true,
      completionTime: true,
      conditions: CONDITIONS,
    },
  },
  cronjobs: {
    metadata: WORKLOAD_META,
    spec: {
      schedule: true,
      timeZone: true,
      suspend: true,
      startingDeadlineSeconds: true,
      concurrencyPolicy: true,
    },
    status: { lastScheduleTime: true, lastSuccessfulTime: true, active: { name: true } },
  },
};

/** Shares one copy of each repeated short string (namespaces, images, label values) across a list's items. */
export type Interner = Map<string, string>;

function pick(value: unknown, shape: Shape, intern: Interner | undefined): unknown {
  if (typeof value === 'string') {
    if (intern === undefined || value.length > 128) return value;
    const known = intern.get(value);
    if (known !== undefined) return known;
    intern.set(value, value);
    return value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => pick(v, shape, intern));
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of shape === true ? Object.keys(source) : Object.keys(shape)) {
    const v = source[key];
    if (v !== undefined) out[key] = pick(v, shape === true ? true : shape[key]!, intern);
  }
  return out;
}

/**
 * A listed object cut down to the fields the analyzers read, so a large cluster's lists stay small in memory;
 * a kind without a shape comes back whole. With `intern`, repeated strings are stored once.
 */
export function slimObject(kind: string, raw: unknown, intern?: Interner): KObject {
  // A Secret never survives its parse: only its certificate's public facts do (certificates.ts).
  if (kind === 'secrets') return certificateFacts(raw);
  const shape = SHAPES[kind];
  return (shape === undefined ? raw : pick(raw, shape, intern)) as KObject;
}

/** Objects grouped by namespace, each group in list order (analyzers look objects up by namespace). */
export function byNamespace<T extends KObject>(objects: readonly T[]): Map<string | undefined, T[]> {
  const groups = new Map<string | undefined, T[]>();
  for (const o of objects) {
    const ns = o.metadata?.namespace;
    const group = groups.get(ns);
    if (group) group.push(o);
    else groups.set(ns, [o]);
  }
  return groups;
}

/** The first object of each namespace and name (`nameOf`), as `find` by both would return it. */
export function firstByName<T extends KObject>(
  objects: readonly T[],
): (namespace: string | undefined, name: string) => T | undefined {
  const index = new Map<string, T>();
  const key = (namespace: string | undefined, name: string) =>
    `${namespace === undefined ? '\u0001' : namespace}\u0000${name}`;
  for (const o of objects) {
    const k = key(o.metadata?.namespace, nameOf(o));
    if (!index.has(k)) index.set(k, o);
  }
  return (namespace, name) => index.get(key(namespace, name));
}
