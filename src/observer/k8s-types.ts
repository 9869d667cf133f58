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
}

export interface PodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: unknown;
  tolerations?: { key?: string; operator?: string; effect?: string }[];
  containers?: Container[];
  volumes?: {
    name?: string;
    persistentVolumeClaim?: { claimName?: string };
    configMap?: { name?: string };
    projected?: { sources?: { configMap?: { name?: string } }[] };
  }[];
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode?: number; message?: string; finishedAt?: string };
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
  involvedObject?: { kind?: string; name?: string; namespace?: string };
}

export interface PersistentVolumeClaim extends KObject {
  spec?: {
    volumeName?: string;
    storageClassName?: string;
    resources?: { requests?: Record<string, string> };
  };
  status?: { phase?: string };
}

export interface PersistentVolume extends KObject {
  spec?: {
    storageClassName?: string;
    claimRef?: { name?: string; namespace?: string; uid?: string };
    capacity?: Record<string, string>;
  };
  status?: { phase?: string };
}

export interface ConfigMap extends KObject {
  data?: Record<string, string>;
}

export interface Node extends KObject {
  spec?: { unschedulable?: boolean; taints?: { key?: string; value?: string; effect?: string }[] };
  status?: { conditions?: { type?: string; status?: string; reason?: string; message?: string }[] };
}

export function nameOf(o: KObject): string {
  return o.metadata?.name ?? '?';
}

export function asArray<T>(value: T[] | undefined | null): T[] {
  return Array.isArray(value) ? value : [];
}
