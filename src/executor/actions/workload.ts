import type { AppsV1Api, CoreV1Api, V1Deployment, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { BlastRadius, Check, ExecutorClients } from './types.js';

export const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const STRATEGIC = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
export const JSON_PATCH = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
export const FIELD_MANAGER = 'aoi-executor';

const REVISION = 'deployment.kubernetes.io/revision';
/** Container states that will not clear up by waiting: verification fails at once. */
const HOPELESS = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

export type Workload = V1Deployment | V1StatefulSet;

export function selectorOf(workload: Workload): string {
  const labels = workload.spec?.selector.matchLabels ?? {};
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export async function podsOf(core: CoreV1Api, namespace: string, workload: Workload): Promise<V1Pod[]> {
  const labelSelector = selectorOf(workload);
  if (labelSelector === '') return [];
  return (await core.listNamespacedPod({ namespace, labelSelector })).items;
}

export async function workloadRadius(
  clients: ExecutorClients,
  kind: 'Deployment' | 'StatefulSet',
  namespace: string,
  name: string,
): Promise<BlastRadius> {
  const workload =
    kind === 'Deployment'
      ? await clients.apps.readNamespacedDeployment({ name, namespace })
      : await clients.apps.readNamespacedStatefulSet({ name, namespace });
  const pods = await podsOf(clients.core, namespace, workload);
  return {
    objects: [`${kind.toLowerCase()}/${namespace}/${name}`],
    pods: pods.map((p) => p.metadata?.name ?? '').filter(Boolean),
  };
}

/** Pods of the Deployment's current revision (the ReplicaSet whose revision the Deployment carries). */
async function currentRevisionPods(apps: AppsV1Api, core: CoreV1Api, d: V1Deployment): Promise<V1Pod[]> {
  const namespace = d.metadata?.namespace ?? '';
  const pods = await podsOf(core, namespace, d);
  const revision = d.metadata?.annotations?.[REVISION];
  if (revision === undefined) return pods;
  const sets = await apps.listNamespacedReplicaSet({ namespace, labelSelector: selectorOf(d) });
  const current = sets.items.find(
    (rs) =>
      rs.metadata?.annotations?.[REVISION] === revision &&
      rs.metadata.ownerReferences?.some((o) => o.uid === d.metadata?.uid),
  );
  const hash = current?.metadata?.labels?.['pod-template-hash'];
  return hash ? pods.filter((p) => p.metadata?.labels?.['pod-template-hash'] === hash) : pods;
}

function hopelessReason(pods: V1Pod[]): string | undefined {
  for (const pod of pods) {
    for (const status of pod.status?.containerStatuses ?? []) {
      const reason = status.state?.waiting?.reason;
      if (reason && HOPELESS.has(reason)) return `pod ${pod.metadata?.name ?? '?'}: ${reason}`;
    }
  }
  return undefined;
}

/** `kubectl rollout status` for a Deployment, failing fast when its new pods cannot start. */
export async function deploymentRollout(clients: ExecutorClients, d: V1Deployment): Promise<Check> {
  const name = `deployment/${d.metadata?.name ?? '?'}`;
  const bad = hopelessReason(await currentRevisionPods(clients.apps, clients.core, d));
  if (bad) return { state: 'failed', message: `${name}: ${bad}` };
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  const done =
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
    (s.updatedReplicas ?? 0) >= want &&
    (s.replicas ?? 0) === want &&
    (s.availableReplicas ?? 0) >= want;
  const progress = `${s.updatedReplicas ?? 0}/${want} updated, ${s.availableReplicas ?? 0} available`;
  return done
    ? { state: 'done', message: `${name} rolled out (${want} available)` }
    : { state: 'pending', message: `${name}: ${progress}` };
}

export async function statefulSetRollout(clients: ExecutorClients, s: V1StatefulSet): Promise<Check> {
  const name = `statefulset/${s.metadata?.name ?? '?'}`;
  const bad = hopelessReason(await podsOf(clients.core, s.metadata?.namespace ?? '', s));
  if (bad) return { state: 'failed', message: `${name}: ${bad}` };
  const want = s.spec?.replicas ?? 1;
  const st = s.status;
  const done =
    (st?.observedGeneration ?? 0) >= (s.metadata?.generation ?? 0) &&
    (st?.updatedReplicas ?? 0) >= want &&
    (st?.readyReplicas ?? 0) >= want;
  return done
    ? { state: 'done', message: `${name} rolled out` }
    : { state: 'pending', message: `${name}: ${st?.readyReplicas ?? 0}/${want} ready` };
}

/** A client-node model as the plain JSON the server sent (dates as strings, no undefined fields). */
export function asObject(value: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

/** Strip what the server owns, so the object's spec can be written back. */
export function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
