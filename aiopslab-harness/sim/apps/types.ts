/**
 * An application as data: what the simulator deploys into a namespace. Later issues add faults that change
 * the desired state; the symptoms are derived from the state, never from these definitions directly.
 */
export interface AppSpec {
  /** e.g. "hotel-reservation" */
  name: string;
  /** e.g. "test-hotel-reservation" */
  defaultNamespace: string;
  /** The label every object carries with the component name, e.g. "io.kompose.service". */
  componentLabel: string;
  /** Extra labels put on every pod template and object, e.g. app.kubernetes.io/part-of. */
  commonLabels?: Record<string, string>;
  /**
   * Further labels every object carries with the component name besides `componentLabel` (e.g. DeathStarBench's
   * "service", the demo chart's "opentelemetry.io/name"). Selectors still use `componentLabel` only.
   */
  componentLabelAliases?: string[];
  /** ConfigMaps created in the namespace before the workloads (labelled with `commonLabels`). */
  configMaps?: ConfigMapSpec[];
  components: ComponentSpec[];
}

export interface ConfigMapSpec {
  name: string;
  data: Record<string, string>;
}

/** A ConfigMap mounted into a component's container through a pod volume. */
export interface ConfigMapMount {
  configMap: string;
  /** A directory holding every key, or a single file when `subPath` is set. */
  mountPath: string;
  /** Mounts this one key as the file at `mountPath`. */
  subPath?: string;
  /** The pod volume's name (default: the ConfigMap's name); mounts naming the same volume share it. */
  volume?: string;
}

export type ComponentRole = 'service' | 'frontend' | 'database' | 'cache' | 'infra';

export interface PortSpec {
  /** Port name on the Service and the container, e.g. "8083" or "grpc". */
  name: string;
  /** Service port. */
  port: number;
  /** Container port the Service's targetPort points at. */
  containerPort: number;
  protocol?: 'TCP' | 'UDP';
}

export interface ComponentSpec {
  /** Deployment (or StatefulSet) and Service name, e.g. "geo" or "mongodb-geo". */
  name: string;
  workload: 'Deployment' | 'StatefulSet';
  role: ComponentRole;
  replicas?: number;
  /** Container name inside the pod (AIOpsLab's manifests use e.g. "hotel-reserv-geo"). */
  containerName: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: Record<string, string>;
  ports: PortSpec[];
  resources?: {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
  };
  /** Persistent storage: a PVC named "<component>-pvc" (Deployment) or a volumeClaimTemplate (StatefulSet). */
  storage?: { size: string; mountPath: string };
  /** ConfigMaps mounted as volumes into the container. */
  configMapMounts?: ConfigMapMount[];
  /** Names of components this one calls (the call graph). */
  calls: string[];
  /** Log lines printed at container start, in order. `{pod}`, `{namespace}`, `{port}` are substituted. */
  startupLogs: string[];
  /** Log lines printed in steady state, one chosen per tick. */
  steadyLogs: string[];
}
