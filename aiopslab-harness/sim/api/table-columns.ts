/**
 * Server-side printing, per resource: the column definitions and row cells a kube-apiserver 1.30 returns
 * in a `meta.k8s.io/v1` Table, and the small formatting rules they share. The server prints every column
 * (as the apiserver does); `kubectl` hides those of priority 1 unless asked for `-o wide`.
 */
import type { JsonObject } from './json.js';

export type Cell = string | number;

export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export interface Printer {
  columns: ColumnDefinition[];
  cells(obj: JsonObject, now: number): Cell[];
  /** Row conditions, e.g. a finished pod's `Completed`. */
  conditions?(obj: JsonObject): JsonObject[];
}

// --- Object shapes as printed: every field optional, since objects reach the printer as stored. ---

interface Meta {
  name?: string;
  creationTimestamp?: string | null;
  deletionTimestamp?: string | null;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface ContainerState {
  waiting?: { reason?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode?: number; signal?: number; finishedAt?: string | null };
}

export interface PrintedContainerStatus {
  name: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
}

interface PodTemplateSpec {
  containers?: { name: string; image?: string }[];
}

export interface PrintedPod {
  metadata?: Meta;
  spec?: PodTemplateSpec & {
    nodeName?: string;
    initContainers?: { name: string; restartPolicy?: string }[];
    readinessGates?: { conditionType: string }[];
  };
  status?: {
    phase?: string;
    reason?: string;
    conditions?: Condition[];
    containerStatuses?: PrintedContainerStatus[];
    initContainerStatuses?: PrintedContainerStatus[];
    podIP?: string;
    podIPs?: { ip: string }[];
    nominatedNodeName?: string;
  };
}

export interface PrintedServicePort {
  port: number;
  protocol?: string;
  nodePort?: number;
}

interface PrintedService {
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    externalIPs?: string[];
    externalName?: string;
    ports?: PrintedServicePort[];
    selector?: Record<string, string>;
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface PrintedSubset {
  addresses?: { ip: string }[];
  ports?: { name?: string; port: number }[];
}

export interface PrintedSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

interface PrintedWorkload {
  spec?: { replicas?: number; selector?: PrintedSelector; template?: { spec?: PodTemplateSpec } };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
  };
}

interface PrintedNode {
  spec?: { unschedulable?: boolean };
  status?: {
    conditions?: Condition[];
    addresses?: { type: string; address: string }[];
    nodeInfo?: {
      kubeletVersion?: string;
      osImage?: string;
      kernelVersion?: string;
      containerRuntimeVersion?: string;
    };
  };
}

interface PrintedEvent {
  metadata?: Meta;
  involvedObject?: { kind?: string; name?: string; fieldPath?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
}

interface PrintedClaim {
  metadata?: Meta;
  spec?: {
    volumeName?: string;
    storageClassName?: string | null;
    volumeMode?: string;
    volumeAttributesClassName?: string | null;
  };
  status?: { phase?: string; accessModes?: string[]; capacity?: Record<string, string> };
}

interface PrintedVolume {
  metadata?: Meta;
  spec?: {
    capacity?: Record<string, string>;
    accessModes?: string[];
    persistentVolumeReclaimPolicy?: string;
    claimRef?: { namespace?: string; name?: string };
    storageClassName?: string;
    volumeMode?: string;
    volumeAttributesClassName?: string | null;
  };
  status?: { phase?: string; reason?: string };
}

function view<T>(obj: JsonObject): T {
  return obj as unknown as T;
}

function meta(obj: JsonObject): Meta {
  return view<{ metadata?: Meta }>(obj).metadata ?? {};
}

// --- Formatting rules shared by the printers. ---

/** Kubernetes' `duration.HumanDuration`, from milliseconds. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

function timeOf(timestamp: string | null | undefined): number | undefined {
  if (!timestamp) return undefined;
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) || ms === Date.parse('0001-01-01T00:00:00Z') ? undefined : ms;
}

/** The printers' `translateTimestampSince`: how long ago, or `<unknown>` without a timestamp. */
export function since(timestamp: string | null | undefined, now: number): string {
  const at = timeOf(timestamp);
  return at === undefined ? '<unknown>' : humanDuration(now - at);
}

/** `labels.FormatLabels`: `k=v` sorted by key, or `<none>`. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels?.[k] ?? ''}`).join(',') : '<none>';
}

/** A label selector as `metav1.LabelSelectorAsSelector(...).String()` prints it. */
export function formatSelector(selector: PrintedSelector | undefined): string {
  if (!selector) return '<none>';
  const requirements: [string, string][] = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => [
    k,
    `${k}=${v}`,
  ]);
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const list = [...values].sort().join(',');
    const text: Record<string, string> = {
      In: `${key} in (${list})`,
      NotIn: `${key} notin (${list})`,
      Exists: key,
      DoesNotExist: `!${key}`,
    };
    const printed = text[operator];
    if (printed === undefined) return '<invalid>';
    requirements.push([key, printed]);
  }
  return requirements
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, text]) => text)
    .join(',');
}

/** CONTAINERS and IMAGES of a pod template: comma-joined names and images. */
export function containerCells(spec: PodTemplateSpec | undefined): [string, string] {
  const containers = spec?.containers ?? [];
  return [containers.map((c) => c.name).join(','), containers.map((c) => c.image ?? '').join(',')];
}

/** A Service's PORT(S): `80/TCP`, or `80:30080/TCP` with a node port; `<none>` without ports. */
export function formatServicePorts(ports: PrintedServicePort[] | undefined): string {
  const pieces = (ports ?? []).map((p) => {
    const protocol = p.protocol ?? 'TCP';
    return p.nodePort ? `${p.port}:${p.nodePort}/${protocol}` : `${p.port}/${protocol}`;
  });
  return pieces.length ? pieces.join(',') : '<none>';
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** An Endpoints' ENDPOINTS: ready `ip:port`s, at most three, then `+ N more...`. */
export function formatEndpoints(subsets: PrintedSubset[] | undefined): string {
  if (!subsets?.length) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  for (const subset of subsets) {
    const addresses = subset.addresses ?? [];
    const targets = subset.ports?.length
      ? subset.ports.map((p) => (ip: string) => hostPort(ip, p.port))
      : [(ip: string) => ip];
    for (const print of targets) {
      count += addresses.length;
      for (const address of addresses) {
        if (list.length === max) break;
        list.push(print(address.ip));
      }
    }
  }
  const text = list.join(',');
  return count > max ? `${text} + ${count - max} more...` : text;
}

function serviceExternalIP(svc: PrintedService): string {
  const external = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = (svc.status?.loadBalancer?.ingress ?? [])
        .map((i) => i.ip || i.hostname || '')
        .filter(Boolean);
      const all = [...ingress, ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** `GetAccessModesAsString`: RWO, ROX, RWX, RWOP in that order, each once. */
export function formatAccessModes(modes: string[] | undefined): string {
  const short: [string, string][] = [
    ['ReadWriteOnce', 'RWO'],
    ['ReadOnlyMany', 'ROX'],
    ['ReadWriteMany', 'RWX'],
    ['ReadWriteOncePod', 'RWOP'],
  ];
  return short
    .filter(([mode]) => modes?.includes(mode))
    .map(([, abbreviation]) => abbreviation)
    .join(',');
}

// --- Pods: kubectl's READY, STATUS and RESTARTS rules. ---

export interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

function latest(current: number | undefined, state: ContainerState | undefined): number | undefined {
  const finished = timeOf(state?.terminated?.finishedAt);
  if (finished === undefined) return current;
  return current === undefined || finished > current ? finished : current;
}

function terminatedReason(t: NonNullable<ContainerState['terminated']>, prefix: string): string {
  if (t.reason) return `${prefix}${t.reason}`;
  return t.signal ? `${prefix}Signal:${t.signal}` : `${prefix}ExitCode:${t.exitCode ?? 0}`;
}

/** The pod printer's READY, STATUS and RESTARTS cells. */
export function podSummary(pod: PrintedPod, now: number): PodSummary {
  const status = pod.status ?? {};
  const conditions = status.conditions ?? [];
  const initSpecs = pod.spec?.initContainers ?? [];
  const sidecar = (name: string) => initSpecs.find((c) => c.name === name)?.restartPolicy === 'Always';
  const total =
    (pod.spec?.containers ?? []).length + initSpecs.filter((c) => c.restartPolicy === 'Always').length;
  let ready = 0;
  let reason = status.reason || status.phase || '';
  if (conditions.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated'))
    reason = 'SchedulingGated';

  let restarts = 0;
  let lastRestart: number | undefined;
  let sidecarRestarts = 0;
  let lastSidecarRestart: number | undefined;
  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (const [i, c] of initStatuses.entries()) {
    restarts += c.restartCount ?? 0;
    lastRestart = latest(lastRestart, c.lastState);
    if (sidecar(c.name)) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = latest(lastSidecarRestart, c.lastState);
    }
    const terminated = c.state?.terminated;
    if (terminated && terminated.exitCode === 0) continue;
    if (sidecar(c.name) && c.started) {
      if (c.ready) ready++;
      continue;
    }
    initializing = true;
    const waiting = c.state?.waiting?.reason;
    if (terminated) reason = terminatedReason(terminated, 'Init:');
    else if (waiting && waiting !== 'PodInitializing') reason = `Init:${waiting}`;
    else reason = `Init:${i}/${initSpecs.length}`;
    break;
  }

  const initialized = conditions.some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      restarts += c.restartCount ?? 0;
      lastRestart = latest(lastRestart, c.lastState);
      const { waiting, terminated, running } = c.state ?? {};
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated) reason = terminatedReason(terminated, '');
      else if (c.ready && running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }

  const deleting = !!pod.metadata?.deletionTimestamp;
  if (deleting && status.reason === 'NodeLost') reason = 'Unknown';
  else if (deleting && status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';

  const restartText =
    restarts !== 0 && lastRestart !== undefined
      ? `${restarts} (${humanDuration(now - lastRestart)} ago)`
      : String(restarts);
  return { ready: `${ready}/${total}`, status: reason, restarts: restartText };
}

// --- Column definitions and cells, per resource. ---

const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

function column(
  name: string,
  description: string,
  options: Partial<ColumnDefinition> = {},
): ColumnDefinition {
  return { name, type: 'string', format: '', description, priority: 0, ...options };
}

const NAME = column('Name', NAME_DESCRIPTION, { format: 'name' });
const AGE = column('Age', AGE_DESCRIPTION);
const wide = (name: string, description: string): ColumnDefinition =>
  column(name, description, { priority: 1 });
const integer = (name: string, description: string): ColumnDefinition =>
  column(name, description, { type: 'integer' });

const nameOf = (obj: JsonObject): string => meta(obj).name ?? '';
const ageOf = (obj: JsonObject, now: number): string => since(meta(obj).creationTimestamp, now);

const workloadColumns = {
  containers: wide('Containers', 'Names of each container in the template.'),
  images: wide('Images', 'Images referenced by each container in the template.'),
  selector: wide('Selector', 'Label query over pods that should match the replicas count.'),
};

function claimClass(claim: PrintedClaim): string {
  return (
    claim.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ??
    claim.spec?.storageClassName ??
    ''
  );
}

export const PRINTERS: Readonly<Record<string, Printer>> = {
  pods: {
    columns: [
      NAME,
      column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
      column('Status', 'The aggregate status of the containers in this pod.'),
      column(
        'Restarts',
        'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      ),
      AGE,
      wide(
        'IP',
        'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
      ),
      wide('Node', 'NodeName indicates in which node this pod is scheduled.'),
      wide('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods on the node.'),
      wide('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.'),
    ],
    cells(obj, now) {
      const pod = view<PrintedPod>(obj);
      const { ready, status, restarts } = podSummary(pod, now);
      const gates = pod.spec?.readinessGates ?? [];
      const conditions = pod.status?.conditions ?? [];
      const gateCell = gates.length
        ? `${gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length}/${gates.length}`
        : '<none>';
      const ip = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
      return [
        nameOf(obj),
        ready,
        status,
        restarts,
        ageOf(obj, now),
        ip,
        pod.spec?.nodeName || '<none>',
        pod.status?.nominatedNodeName || '<none>',
        gateCell,
      ];
    },
    conditions(obj) {
      const phase = view<PrintedPod>(obj).status?.phase;
      if (phase === 'Succeeded')
        return [
          {
            type: 'Completed',
            status: 'True',
            reason: 'Succeeded',
            message: 'The pod has completed successfully.',
          },
        ];
      if (phase === 'Failed')
        return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
      return [];
    },
  },
  services: {
    columns: [
      NAME,
      column('Type', 'type determines how the Service is exposed.'),
      column('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
      column(
        'External-IP',
        'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
      ),
      column('Port(s)', 'The list of ports that are exposed by this service.'),
      AGE,
      wide('Selector', 'Route service traffic to pods with label keys and values matching this selector.'),
    ],
    cells(obj, now) {
      const svc = view<PrintedService>(obj);
      const clusterIP = svc.spec?.clusterIPs?.[0] || svc.spec?.clusterIP || '<none>';
      return [
        nameOf(obj),
        svc.spec?.type ?? 'ClusterIP',
        clusterIP,
        serviceExternalIP(svc),
        formatServicePorts(svc.spec?.ports),
        ageOf(obj, now),
        formatLabels(svc.spec?.selector),
      ];
    },
  },
  endpoints: {
    columns: [NAME, column('Endpoints', 'The set of all endpoints is the union of all subsets.'), AGE],
    cells: (obj, now) => [
      nameOf(obj),
      formatEndpoints(view<{ subsets?: PrintedSubset[] }>(obj).subsets),
      ageOf(obj, now),
    ],
  },
  deployments: {
    columns: [
      NAME,
      column('Ready', 'Number of the pod with ready state'),
      integer(
        'Up-to-date',
        'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
      ),
      integer(
        'Available',
        'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
      ),
      AGE,
      workloadColumns.containers,
      workloadColumns.images,
      workloadColumns.selector,
    ],
    cells(obj, now) {
      const d = view<PrintedWorkload>(obj);
      const [containers, images] = containerCells(d.spec?.template?.spec);
      return [
        nameOf(obj),
        `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
        d.status?.updatedReplicas ?? 0,
        d.status?.availableReplicas ?? 0,
        ageOf(obj, now),
        containers,
        images,
        formatSelector(d.spec?.selector),
      ];
    },
  },
  replicasets: {
    columns: [
      NAME,
      integer('Desired', 'Replicas is the number of desired replicas.'),
      integer('Current', 'Replicas is the most recently observed number of replicas.'),
      integer(
        'Ready',
        'readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.',
      ),
      AGE,
      workloadColumns.containers,
      workloadColumns.images,
      workloadColumns.selector,
    ],
    cells(obj, now) {
      const rs = view<PrintedWorkload>(obj);
      const [containers, images] = containerCells(rs.spec?.template?.spec);
      return [
        nameOf(obj),
        rs.spec?.replicas ?? 1,
        rs.status?.replicas ?? 0,
        rs.status?.readyReplicas ?? 0,
        ageOf(obj, now),
        containers,
        images,
        formatSelector(rs.spec?.selector),
      ];
    },
  },
  statefulsets: {
    columns: [
      NAME,
      column('Ready', 'Number of the pod with ready state'),
      AGE,
      workloadColumns.containers,
      workloadColumns.images,
    ],
    cells(obj, now) {
      const sts = view<PrintedWorkload>(obj);
      const [containers, images] = containerCells(sts.spec?.template?.spec);
      return [
        nameOf(obj),
        `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 1}`,
        ageOf(obj, now),
        containers,
        images,
      ];
    },
  },
  nodes: {
    columns: [
      NAME,
      column('Status', 'The status of the node'),
      column('Roles', 'The roles of the node'),
      AGE,
      column('Version', 'Kubelet Version reported by the node.'),
      wide('Internal-IP', 'List of addresses reachable to the node.'),
      wide('External-IP', 'List of addresses reachable to the node.'),
      wide(
        'OS-Image',
        'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
      ),
      wide(
        'Kernel-Version',
        "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
      ),
      wide(
        'Container-Runtime',
        'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
      ),
    ],
    cells(obj, now) {
      const node = view<PrintedNode>(obj);
      const readyCondition = node.status?.conditions?.find((c) => c.type === 'Ready');
      const status = [readyCondition ? (readyCondition.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
      if (node.spec?.unschedulable) status.push('SchedulingDisabled');
      const roles = new Set<string>();
      for (const [key, value] of Object.entries(meta(obj).labels ?? {})) {
        if (key.startsWith('node-role.kubernetes.io/') && key.length > 'node-role.kubernetes.io/'.length) {
          roles.add(key.slice('node-role.kubernetes.io/'.length));
        } else if (key === 'kubernetes.io/role' && value) roles.add(value);
      }
      const address = (type: string) =>
        node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
      const info = node.status?.nodeInfo ?? {};
      return [
        nameOf(obj),
        status.join(','),
        [...roles].sort().join(',') || '<none>',
        ageOf(obj, now),
        info.kubeletVersion ?? '',
        address('InternalIP'),
        address('ExternalIP'),
        info.osImage || '<unknown>',
        info.kernelVersion || '<unknown>',
        info.containerRuntimeVersion || '<unknown>',
      ];
    },
  },
  namespaces: {
    columns: [NAME, column('Status', 'The status of the namespace'), AGE],
    cells: (obj, now) => [
      nameOf(obj),
      view<{ status?: { phase?: string } }>(obj).status?.phase ?? '',
      ageOf(obj, now),
    ],
  },
  configmaps: {
    columns: [NAME, column('Data', 'Data contains the configuration data.'), AGE],
    cells(obj, now) {
      const cm = view<{ data?: JsonObject; binaryData?: JsonObject }>(obj);
      return [
        nameOf(obj),
        Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
        ageOf(obj, now),
      ];
    },
  },
  secrets: {
    columns: [
      NAME,
      column('Type', 'Used to facilitate programmatic handling of secret data.'),
      column('Data', 'Data contains the secret data.'),
      AGE,
    ],
    cells(obj, now) {
      const secret = view<{ type?: string; data?: JsonObject; stringData?: JsonObject }>(obj);
      const keys = new Set([...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})]);
      return [nameOf(obj), secret.type || 'Opaque', keys.size, ageOf(obj, now)];
    },
  },
  events: {
    columns: [
      column('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
      column('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
      column(
        'Reason',
        "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
      ),
      column('Object', 'The object that this event is about.'),
      wide(
        'Subobject',
        'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.',
      ),
      wide('Source', 'The component reporting this event. Should be a short machine understandable string.'),
      column('Message', 'A human-readable description of the status of this operation.'),
      wide(
        'First Seen',
        'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
      ),
      column('Count', 'The number of times this event has occurred.', { priority: 1 }),
      column('Name', NAME_DESCRIPTION, { priority: 1, format: 'name' }),
    ],
    cells(obj, now) {
      const ev = view<PrintedEvent>(obj);
      const first =
        timeOf(ev.firstTimestamp) !== undefined ? since(ev.firstTimestamp, now) : since(ev.eventTime, now);
      let last = timeOf(ev.lastTimestamp) !== undefined ? since(ev.lastTimestamp, now) : first;
      let count = ev.count || 1;
      if (ev.series) {
        last = since(ev.series.lastObservedTime, now);
        count = ev.series.count ?? 0;
      }
      const kind = (ev.involvedObject?.kind ?? '').toLowerCase();
      const target = ev.involvedObject?.name ? `${kind}/${ev.involvedObject.name}` : kind;
      const component = ev.source?.component || ev.reportingComponent || '';
      const instance = ev.source?.host || ev.reportingInstance || '';
      const source = instance ? `${component}, ${instance}` : component;
      return [
        last,
        ev.type ?? '',
        ev.reason ?? '',
        target,
        ev.involvedObject?.fieldPath ?? '',
        source,
        (ev.message ?? '').trim(),
        first,
        count,
        nameOf(obj),
      ];
    },
  },
  persistentvolumeclaims: {
    columns: [
      NAME,
      column('Status', 'phase represents the current phase of PersistentVolumeClaim.'),
      column('Volume', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
      column('Capacity', 'capacity represents the actual resources of the underlying volume.'),
      column('Access Modes', 'accessModes contains the actual access modes the volume backing the PVC has.'),
      column('StorageClass', 'StorageClass of the pvc'),
      column('VolumeAttributesClass', 'VolumeAttributesClass of the pvc'),
      AGE,
      wide('VolumeMode', 'volumeMode defines what type of volume is required by the claim.'),
    ],
    cells(obj, now) {
      const pvc = view<PrintedClaim>(obj);
      const bound = !!pvc.spec?.volumeName;
      return [
        nameOf(obj),
        pvc.metadata?.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? ''),
        pvc.spec?.volumeName ?? '',
        bound ? (pvc.status?.capacity?.['storage'] ?? '0') : '',
        bound ? formatAccessModes(pvc.status?.accessModes) : '',
        claimClass(pvc),
        pvc.spec?.volumeAttributesClassName || '<unset>',
        ageOf(obj, now),
        pvc.spec?.volumeMode ?? '<unset>',
      ];
    },
  },
  persistentvolumes: {
    columns: [
      NAME,
      column('Capacity', "capacity is the description of the persistent volume's resources and capacity."),
      column('Access Modes', 'accessModes contains all ways the volume can be mounted.'),
      column(
        'Reclaim Policy',
        'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.',
      ),
      column('Status', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
      column(
        'Claim',
        'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.',
      ),
      column('StorageClass', 'StorageClass of the pv'),
      column('VolumeAttributesClass', 'VolumeAttributesClass of the pv'),
      column(
        'Reason',
        'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.',
      ),
      AGE,
      wide(
        'VolumeMode',
        'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.',
      ),
    ],
    cells(obj, now) {
      const pv = view<PrintedVolume>(obj);
      const claim = pv.spec?.claimRef
        ? `${pv.spec.claimRef.namespace ?? ''}/${pv.spec.claimRef.name ?? ''}`
        : '';
      return [
        nameOf(obj),
        pv.spec?.capacity?.['storage'] ?? '0',
        formatAccessModes(pv.spec?.accessModes),
        pv.spec?.persistentVolumeReclaimPolicy ?? '',
        pv.metadata?.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? ''),
        claim,
        pv.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ??
          pv.spec?.storageClassName ??
          '',
        pv.spec?.volumeAttributesClassName || '<unset>',
        pv.status?.reason ?? '',
        ageOf(obj, now),
        pv.spec?.volumeMode ?? '<unset>',
      ];
    },
  },
  serviceaccounts: {
    columns: [
      NAME,
      column(
        'Secrets',
        'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
      ),
      AGE,
    ],
    cells: (obj, now) => [
      nameOf(obj),
      (view<{ secrets?: JsonObject[] }>(obj).secrets ?? []).length,
      ageOf(obj, now),
    ],
  },
};

/** Any other resource: NAME and AGE. */
export const DEFAULT_PRINTER: Printer = {
  columns: [NAME, AGE],
  cells: (obj, now) => [nameOf(obj), ageOf(obj, now)],
};
