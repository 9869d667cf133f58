/**
 * Typed views over the JSON objects the store holds, limited to the fields the controllers read and write.
 * A view is the same object cast, so writing through it changes the JSON (use it on copies inside
 * `store.mutate`).
 */
import type { JsonObject } from './api/json.js';
import type { ObjectMeta } from './store.js';

export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: ContainerPort[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
  imagePullPolicy?: string;
  readinessProbe?: JsonObject;
  livenessProbe?: JsonObject;
  startupProbe?: JsonObject;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  /** NoExecute only: how long the pod stays bound once the taint is added (unset: for ever). */
  tolerationSeconds?: number;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface PodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: {
        nodeSelectorTerms: {
          matchExpressions?: NodeSelectorRequirement[];
          matchFields?: NodeSelectorRequirement[];
        }[];
      };
    };
  };
  tolerations?: Toleration[];
  containers: Container[];
  initContainers?: Container[];
  volumes?: {
    name: string;
    persistentVolumeClaim?: { claimName: string };
    configMap?: { name: string };
    secret?: { secretName: string; defaultMode?: number };
  }[];
  restartPolicy?: string;
  terminationGracePeriodSeconds?: number;
  schedulerName?: string;
  serviceAccountName?: string;
  hostname?: string;
  subdomain?: string;
}

export interface ContainerState {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: {
    exitCode: number;
    reason: string;
    message?: string;
    startedAt?: string;
    finishedAt: string;
    containerID?: string;
  };
}

export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: ContainerState;
  lastState: ContainerState;
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime: null;
  lastTransitionTime: string;
}

export interface PodStatus {
  phase: string;
  conditions?: PodCondition[];
  hostIP?: string;
  hostIPs?: { ip: string }[];
  podIP?: string;
  podIPs?: { ip: string }[];
  startTime?: string;
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  qosClass?: string;
  reason?: string;
  message?: string;
}

export interface Pod {
  apiVersion: string;
  kind: 'Pod';
  metadata: ObjectMeta;
  spec: PodSpec;
  status: PodStatus;
}

export interface PodTemplate {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

export interface Deployment {
  metadata: ObjectMeta;
  spec: {
    replicas?: number;
    selector: LabelSelectorSpec;
    template: PodTemplate;
    strategy?: {
      type?: string;
      rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
    };
    revisionHistoryLimit?: number;
    progressDeadlineSeconds?: number;
    minReadySeconds?: number;
    paused?: boolean;
  };
  status?: JsonObject;
}

export interface ReplicaSet {
  metadata: ObjectMeta;
  spec: { replicas?: number; selector: LabelSelectorSpec; template: PodTemplate; minReadySeconds?: number };
  status?: {
    replicas: number;
    fullyLabeledReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
  };
}

export interface StatefulSet {
  metadata: ObjectMeta;
  spec: {
    replicas?: number;
    selector: LabelSelectorSpec;
    serviceName?: string;
    template: PodTemplate;
    podManagementPolicy?: string;
    updateStrategy?: { type?: string };
    volumeClaimTemplates?: { metadata: { name: string }; spec: JsonObject }[];
  };
  status?: JsonObject;
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  nodePort?: number;
}

export interface Service {
  metadata: ObjectMeta;
  spec: {
    type?: string;
    selector?: Record<string, string>;
    ports?: ServicePort[];
    clusterIP?: string;
    clusterIPs?: string[];
  };
}

export interface NodeObject {
  metadata: ObjectMeta;
  spec: {
    unschedulable?: boolean;
    taints?: { key: string; value?: string; effect: string; timeAdded?: string }[];
    podCIDR?: string;
  };
  status: {
    allocatable: Record<string, string>;
    capacity: Record<string, string>;
    conditions: { type: string; status: string }[];
    addresses: { type: string; address: string }[];
  };
}

export interface PersistentVolumeClaim {
  metadata: ObjectMeta;
  spec: {
    accessModes?: string[];
    resources?: { requests?: { storage?: string } };
    storageClassName?: string | null;
    volumeName?: string;
    volumeMode?: string;
    selector?: { matchLabels?: Record<string, string> };
  };
  status?: { phase?: string; accessModes?: string[]; capacity?: Record<string, string> };
}

export function asView<T>(obj: JsonObject): T {
  return obj as unknown as T;
}

export function asJson(view: unknown): JsonObject {
  return view as JsonObject;
}

export function controllerOf(meta: ObjectMeta): { kind: string; name: string; uid: string } | undefined {
  return meta.ownerReferences?.find((ref) => ref.controller);
}

/** CPU quantity to millicores ("100m", "1", "0.5"). */
export function parseCpu(quantity: string | undefined): number {
  if (!quantity) return 0;
  if (quantity.endsWith('m')) return Number(quantity.slice(0, -1));
  return Math.round(Number(quantity) * 1000);
}

const MEMORY_UNITS: Record<string, number> = {
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
};

/** Memory quantity to bytes ("128Mi", "1G", "1000"). */
export function parseMemory(quantity: string | undefined): number {
  if (!quantity) return 0;
  const match = /^([0-9.]+)([A-Za-z]*)$/.exec(quantity);
  if (!match) return 0;
  const unit = match[2] ?? '';
  return Number(match[1]) * (MEMORY_UNITS[unit] ?? 1);
}
