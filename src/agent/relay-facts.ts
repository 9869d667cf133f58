/**
 * The constraints' reads (`FactClients`) answered from lists read through the relayed kubectl reader. The relay
 * has no API connection of its own, and each orchestrator command is one of the episode's 30 steps, so every
 * list the constraints may need is read at once (the relay batches reads started together into one command)
 * and each call is answered from those lists. A list that failed makes every call needing it throw, so the
 * constraint that needed it refuses: could not look is never "fine".
 */
import type {
  V1ConfigMap,
  V1Deployment,
  V1DeploymentList,
  V1Node,
  V1NodeList,
  V1PersistentVolume,
  V1Pod,
  V1PodList,
  V1ReplicaSet,
  V1ReplicaSetList,
  V1Service,
  V1ServiceList,
  V1StatefulSet,
  V1StatefulSetList,
} from '@kubernetes/client-node';
import type { Result } from '../core/errors.js';
import type { FactClients } from '../executor/constraints/facts.js';
import type { ClusterReader } from '../observer/cluster-reader.js';
import type { KObject } from '../observer/k8s-types.js';

const NAMESPACED = ['deployments', 'statefulsets', 'replicasets', 'services', 'pods', 'configmaps'] as const;
const CLUSTER_WIDE = ['nodes', 'persistentvolumes'] as const;
type Listed = (typeof NAMESPACED)[number] | (typeof CLUSTER_WIDE)[number];

type Ref = { name: string; namespace?: string };

/** `k=v,k2=v2`, the only selector form the constraints send. */
function matchesSelector(selector: string | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((pair) => {
    const [key, value] = pair.split('=');
    return key !== undefined && labels?.[key] === value;
  });
}

/** Reads every list once (one relayed step), for the namespaces the plan's actions touch. */
export async function factClientsOver(
  reader: ClusterReader,
  namespaces: readonly string[],
): Promise<FactClients> {
  const reads: Promise<[string, Result<KObject[]>]>[] = [
    ...namespaces.flatMap((ns) =>
      NAMESPACED.map(
        async (kind) => [`${kind}/${ns}`, await reader.list(kind, ns)] as [string, Result<KObject[]>],
      ),
    ),
    ...CLUSTER_WIDE.map(async (kind) => [kind, await reader.list(kind)] as [string, Result<KObject[]>]),
  ];
  const lists = new Map(await Promise.all(reads));

  const items = (kind: Listed, namespace?: string): KObject[] => {
    const key = namespace === undefined ? kind : `${kind}/${namespace}`;
    const listed = lists.get(key);
    if (!listed) throw new Error(`${kind} in ${namespace ?? 'the cluster'} were not read for this plan`);
    if (!listed.ok) throw new Error(`could not read ${kind}: ${listed.error.message}`);
    return listed.value;
  };
  const one = <T>(kind: Listed, ref: Ref, scoped = true): T => {
    const found = items(kind, scoped ? (ref.namespace ?? '') : undefined).find(
      (o) => o.metadata?.name === ref.name,
    );
    if (!found) throw new Error(`${kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name} not found`);
    return found as T;
  };
  const many = <T>(kind: Listed, namespace?: string) => ({ items: items(kind, namespace) as T[] });

  return {
    core: {
      readPersistentVolume: (p: Ref) =>
        Promise.resolve(one<V1PersistentVolume>('persistentvolumes', p, false)),
      readNamespacedConfigMap: (p: Ref) => Promise.resolve(one<V1ConfigMap>('configmaps', p)),
      readNamespacedPod: (p: Ref) => Promise.resolve(one<V1Pod>('pods', p)),
      readNamespacedService: (p: Ref) => Promise.resolve(one<V1Service>('services', p)),
      listNamespacedService: (p: { namespace: string }) =>
        Promise.resolve(many<V1Service>('services', p.namespace) as V1ServiceList),
      listNamespacedPod: (p: { namespace: string; labelSelector?: string }) =>
        Promise.resolve({
          items: (items('pods', p.namespace) as unknown as V1Pod[]).filter((pod) =>
            matchesSelector(p.labelSelector, pod.metadata?.labels),
          ),
        } as V1PodList),
      listNode: () => Promise.resolve(many<V1Node>('nodes') as V1NodeList),
    },
    apps: {
      readNamespacedDeployment: (p: Ref) => Promise.resolve(one<V1Deployment>('deployments', p)),
      readNamespacedStatefulSet: (p: Ref) => Promise.resolve(one<V1StatefulSet>('statefulsets', p)),
      readNamespacedReplicaSet: (p: Ref) => Promise.resolve(one<V1ReplicaSet>('replicasets', p)),
      listNamespacedDeployment: (p: { namespace: string }) =>
        Promise.resolve(many<V1Deployment>('deployments', p.namespace) as V1DeploymentList),
      listNamespacedStatefulSet: (p: { namespace: string }) =>
        Promise.resolve(many<V1StatefulSet>('statefulsets', p.namespace) as V1StatefulSetList),
      listNamespacedReplicaSet: (p: { namespace: string }) =>
        Promise.resolve(many<V1ReplicaSet>('replicasets', p.namespace) as V1ReplicaSetList),
    },
  };
}
