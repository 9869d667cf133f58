/**
 * What the content constraints need to know about the cluster, read with the executor's own client before
 * the dry run. Each piece is read only for the action kinds that need it; a read that fails leaves the piece
 * unset, and a constraint that needs an unset piece refuses (could not look is never "fine").
 */
import type {
  AppsV1Api,
  CoreV1Api,
  V1Container,
  V1Deployment,
  V1ObjectMeta,
  V1PodTemplateSpec,
} from '@kubernetes/client-node';
import type { ActionProposal } from '../../core/actions.js';
import { targetObjectOf } from '../../core/action-target.js';

/** One container as a revision of a workload ran it. */
export interface ContainerShape {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports: { number: number; name?: string }[];
}

export interface Revision {
  revision: number;
  /** Some pod of this revision is available now: the evidence that it once worked. */
  available: boolean;
  containers: ContainerShape[];
}

export interface WorkloadShape {
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  containers: ContainerShape[];
  templateLabels: Record<string, string>;
}

export interface ConstraintFacts {
  /** Labels and annotations of the target object (and, for a pod, of its owning workload). */
  markers?: { labels: Record<string, string>; annotations: Record<string, string> }[];
  /** The Deployment as it is now. */
  workload?: WorkloadShape & { replicas: number; nodeSelector: Record<string, string>; revision?: number };
  /** The Deployment's own ReplicaSets (its revision history, the current one included). */
  history?: Revision[];
  /** Every other Deployment and StatefulSet in the namespace. */
  neighbours?: WorkloadShape[];
  /** Label selectors of the Services in the namespace (a Service without a selector is left out). */
  serviceSelectors?: { name: string; selector: Record<string, string> }[];
  /** Labels of every node that accepts new pods. */
  schedulableNodeLabels?: Record<string, string>[];
  /** For patchService: the Service's ports and the ports the containers behind it declare. */
  service?: {
    ports: { name?: string; port: number }[];
    backendPorts: { number: number; name?: string }[];
    hasSelector: boolean;
  };
  /** Reads that failed, by piece, for the refusal message. */
  unreadable: string[];
}

/**
 * The reads the constraints make: the executor's own client-node APIs, or (for the AIOpsLab relay, which has
 * no API connection of its own) the same calls answered from lists read through the orchestrator's shell.
 */
export interface FactClients {
  core: Pick<
    CoreV1Api,
    | 'readPersistentVolume'
    | 'readNamespacedConfigMap'
    | 'readNamespacedPod'
    | 'readNamespacedService'
    | 'listNamespacedService'
    | 'listNamespacedPod'
    | 'listNode'
  >;
  apps: Pick<
    AppsV1Api,
    | 'readNamespacedDeployment'
    | 'readNamespacedStatefulSet'
    | 'readNamespacedReplicaSet'
    | 'listNamespacedDeployment'
    | 'listNamespacedStatefulSet'
    | 'listNamespacedReplicaSet'
  >;
}

const REVISION = 'deployment.kubernetes.io/revision';

function shape(c: V1Container): ContainerShape {
  return {
    name: c.name,
    ...(c.image === undefined ? {} : { image: c.image }),
    ...(c.command === undefined ? {} : { command: [...c.command] }),
    ...(c.args === undefined ? {} : { args: [...c.args] }),
    ports: (c.ports ?? []).map((p) => ({
      number: p.containerPort,
      ...(p.name === undefined ? {} : { name: p.name }),
    })),
  };
}

const containersOf = (t: V1PodTemplateSpec | undefined) => (t?.spec?.containers ?? []).map(shape);
const markersOf = (m: V1ObjectMeta | undefined) => ({
  labels: { ...(m?.labels ?? {}) },
  annotations: { ...(m?.annotations ?? {}) },
});

export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

type Reader = (facts: ConstraintFacts) => Promise<void>;

async function attempt(facts: ConstraintFacts, piece: string, read: Reader): Promise<void> {
  try {
    await read(facts);
  } catch {
    facts.unreadable.push(piece);
  }
}

function deploymentShape(d: V1Deployment): NonNullable<ConstraintFacts['workload']> {
  const revision = Number(d.metadata?.annotations?.[REVISION]);
  return {
    kind: 'Deployment',
    name: d.metadata?.name ?? '',
    containers: containersOf(d.spec?.template),
    templateLabels: { ...(d.spec?.template.metadata?.labels ?? {}) },
    replicas: d.spec?.replicas ?? 1,
    nodeSelector: { ...(d.spec?.template.spec?.nodeSelector ?? {}) },
    ...(Number.isFinite(revision) ? { revision } : {}),
  };
}

async function readHistory(clients: FactClients, d: V1Deployment): Promise<Revision[]> {
  const namespace = d.metadata?.namespace ?? '';
  const sets = await clients.apps.listNamespacedReplicaSet({ namespace });
  return sets.items
    .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === d.metadata?.uid))
    .map((rs) => ({
      revision: Number(rs.metadata?.annotations?.[REVISION] ?? 0),
      available: (rs.status?.availableReplicas ?? 0) > 0,
      containers: containersOf(rs.spec?.template),
    }));
}

async function readNeighbours(clients: FactClients, namespace: string, self: string) {
  const [deployments, statefulSets] = await Promise.all([
    clients.apps.listNamespacedDeployment({ namespace }),
    clients.apps.listNamespacedStatefulSet({ namespace }),
  ]);
  const all: WorkloadShape[] = [
    ...deployments.items.map((d) => ({
      kind: 'Deployment' as const,
      name: d.metadata?.name ?? '',
      containers: containersOf(d.spec?.template),
      templateLabels: { ...(d.spec?.template.metadata?.labels ?? {}) },
    })),
    ...statefulSets.items.map((s) => ({
      kind: 'StatefulSet' as const,
      name: s.metadata?.name ?? '',
      containers: containersOf(s.spec?.template),
      templateLabels: { ...(s.spec?.template.metadata?.labels ?? {}) },
    })),
  ];
  return all.filter((w) => !(w.kind === 'Deployment' && w.name === self));
}

async function readServiceSelectors(clients: FactClients, namespace: string) {
  const services = await clients.core.listNamespacedService({ namespace });
  return services.items
    .filter((s) => Object.keys(s.spec?.selector ?? {}).length > 0)
    .map((s) => ({ name: s.metadata?.name ?? '', selector: { ...(s.spec?.selector ?? {}) } }));
}

async function readSchedulableNodes(clients: FactClients) {
  const nodes = await clients.core.listNode();
  return nodes.items
    .filter((n) => n.spec?.unschedulable !== true)
    .filter((n) => !(n.spec?.taints ?? []).some((t) => t.key === 'node.kubernetes.io/unschedulable'))
    .map((n) => ({ ...(n.metadata?.labels ?? {}) }));
}

/** The ports of the containers a Service sends to: its pods' and the templates of workloads it selects. */
async function readService(clients: FactClients, namespace: string, name: string) {
  const svc = await clients.core.readNamespacedService({ name, namespace });
  const selector = svc.spec?.selector ?? {};
  const ports = (svc.spec?.ports ?? []).map((p) => ({
    port: p.port,
    ...(p.name === undefined ? {} : { name: p.name }),
  }));
  if (Object.keys(selector).length === 0) return { ports, backendPorts: [], hasSelector: false };
  const labelSelector = Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const [pods, neighbours] = await Promise.all([
    clients.core.listNamespacedPod({ namespace, labelSelector }),
    readNeighbours(clients, namespace, ''),
  ]);
  const backendPorts = [
    ...pods.items.flatMap((p) => (p.spec?.containers ?? []).flatMap((c) => shape(c).ports)),
    ...neighbours
      .filter((w) => selects(selector, w.templateLabels))
      .flatMap((w) => w.containers.flatMap((c) => c.ports)),
  ];
  return { ports, backendPorts, hasSelector: true };
}

async function readMarkers(
  clients: FactClients,
  action: Exclude<ActionProposal, { kind: 'kubectl' }>,
): Promise<ConstraintFacts['markers']> {
  const target = targetObjectOf(action);
  if (!target) return undefined;
  const ref = { name: target.name, namespace: target.namespace ?? '' };
  switch (target.resource) {
    case 'persistentvolumes':
      return [markersOf((await clients.core.readPersistentVolume({ name: target.name })).metadata)];
    case 'configmaps':
      return [markersOf((await clients.core.readNamespacedConfigMap(ref)).metadata)];
    case 'services':
      return [markersOf((await clients.core.readNamespacedService(ref)).metadata)];
    case 'pods':
      return podMarkers(clients, ref);
    case 'statefulsets':
      return [markersOf((await clients.apps.readNamespacedStatefulSet(ref)).metadata)];
    case 'deployments':
      return [markersOf((await clients.apps.readNamespacedDeployment(ref)).metadata)];
  }
}

/** A pod, its ReplicaSet and that set's Deployment (or its StatefulSet): protecting a workload protects its pods. */
async function podMarkers(clients: FactClients, ref: { name: string; namespace: string }) {
  const pod = await clients.core.readNamespacedPod(ref);
  const found = [markersOf(pod.metadata)];
  for (const owner of pod.metadata?.ownerReferences ?? []) {
    const at = { name: owner.name, namespace: ref.namespace };
    if (owner.kind === 'StatefulSet')
      found.push(markersOf((await clients.apps.readNamespacedStatefulSet(at)).metadata));
    if (owner.kind !== 'ReplicaSet') continue;
    const rs = await clients.apps.readNamespacedReplicaSet(at);
    found.push(markersOf(rs.metadata));
    for (const up of rs.metadata?.ownerReferences ?? [])
      if (up.kind === 'Deployment')
        found.push(
          markersOf((await clients.apps.readNamespacedDeployment({ ...at, name: up.name })).metadata),
        );
  }
  return found;
}

const DEPLOYMENT_KINDS: ReadonlySet<string> = new Set([
  'setResources',
  'setProbe',
  'scaleDeployment',
  'setImage',
  'setCommand',
  'setEnv',
  'patchNodeSelector',
  'rollbackDeployment',
]);

export async function gatherFacts(action: ActionProposal, clients: FactClients): Promise<ConstraintFacts> {
  const facts: ConstraintFacts = { unreadable: [] };
  if (action.kind === 'kubectl') return facts;
  await attempt(facts, 'the target', async (f) => {
    const markers = await readMarkers(clients, action);
    if (!markers) throw new Error('no target object');
    f.markers = markers;
  });
  const namespace = action.namespace ?? '';
  if (DEPLOYMENT_KINDS.has(action.kind)) {
    await attempt(facts, 'the Deployment and its ReplicaSets', async (f) => {
      const d = await clients.apps.readNamespacedDeployment({ name: action.name, namespace });
      f.workload = deploymentShape(d);
      f.history = await readHistory(clients, d);
    });
  }
  if (action.kind === 'setCommand')
    await attempt(facts, 'the workloads of the namespace', async (f) => {
      f.neighbours = await readNeighbours(clients, namespace, action.name);
    });
  if (action.kind === 'scaleDeployment')
    await attempt(facts, 'the Services of the namespace', async (f) => {
      f.serviceSelectors = await readServiceSelectors(clients, namespace);
    });
  if (action.kind === 'patchNodeSelector')
    await attempt(facts, 'the nodes', async (f) => {
      f.schedulableNodeLabels = await readSchedulableNodes(clients);
    });
  if (action.kind === 'patchService')
    await attempt(facts, 'the Service and its pods', async (f) => {
      f.service = await readService(clients, namespace, action.name);
    });
  return facts;
}
