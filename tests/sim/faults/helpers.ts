import { expect } from 'vitest';
import type { JsonObject } from '../../../aiopslab-harness/sim/api/json.js';
import { resourceByKind } from '../../../aiopslab-harness/sim/api/resources.js';
import type { AppSpec } from '../../../aiopslab-harness/sim/apps/types.js';
import { SimCluster } from '../../../aiopslab-harness/sim/cluster.js';
import { computeHealth } from '../../../aiopslab-harness/sim/health.js';
import type { AppHealth, ComponentHealth, EdgeHealth } from '../../../aiopslab-harness/sim/health.js';
import type { Deployment, Pod } from '../../../aiopslab-harness/sim/model.js';

export const PODS = resourceByKind('Pod');
export const DEPLOYMENTS = resourceByKind('Deployment');
export const SERVICES = resourceByKind('Service');
export const CONFIGMAPS = resourceByKind('ConfigMap');
export const EVENTS = resourceByKind('Event');
export const ENDPOINTS = resourceByKind('Endpoints');
export const PVS = resourceByKind('PersistentVolume');
export const PVCS = resourceByKind('PersistentVolumeClaim');

/** A cluster with the app up and a minute of healthy history. */
export function up(app: AppSpec, seed = 11): SimCluster {
  const cluster = new SimCluster({ seed });
  cluster.deployApp(app);
  expect(cluster.settle()).toBe(true);
  cluster.advance(60_000);
  return cluster;
}

export function health(cluster: SimCluster, namespace: string): AppHealth {
  return computeHealth(cluster.world, namespace, cluster.clock.now());
}

export function edge(h: AppHealth, from: string, to: string): EdgeHealth {
  const found = h.edges.find((e) => e.from === from && e.to === to);
  if (!found) throw new Error(`no edge ${from} -> ${to}`);
  return found;
}

export function component(h: AppHealth, name: string): ComponentHealth {
  const found = h.components.find((c) => c.name === name);
  if (!found) throw new Error(`no component ${name}`);
  return found;
}

export function pods(cluster: SimCluster, namespace: string, name?: string): Pod[] {
  const label = cluster.world.apps.get(namespace)?.app.componentLabel ?? 'app';
  return cluster.store
    .peekAll(PODS, namespace)
    .map((p) => p as unknown as Pod)
    .filter((p) => name === undefined || p.metadata.labels?.[label] === name);
}

/** What `kubectl logs` prints for the first live pod of a component (optionally the previous instance). */
export function logs(
  cluster: SimCluster,
  namespace: string,
  name: string,
  options: { previous?: boolean; sinceSeconds?: number } = {},
): string {
  const pod = pods(cluster, namespace, name).find((p) => !p.metadata.deletionTimestamp);
  if (!pod) return '';
  const container = pod.spec.containers[0]!.name;
  const instance = options.previous
    ? cluster.logs.previous(pod.metadata.uid, container)
    : cluster.logs.current(pod.metadata.uid, container);
  if (!instance) return '';
  const query = options.sinceSeconds === undefined ? {} : { sinceSeconds: options.sinceSeconds };
  return cluster.logs.render(instance, cluster.clock.now(), query, (text, at) =>
    text.replaceAll('{pod}', pod.metadata.name).replaceAll('{time}', new Date(at).toISOString()),
  );
}

export function events(cluster: SimCluster, namespace: string, reason: string): JsonObject[] {
  return cluster.store.peekAll(EVENTS, namespace).filter((e) => e['reason'] === reason);
}

export function restarts(pod: Pod | undefined): number {
  return pod?.status.containerStatuses?.reduce((n, s) => n + s.restartCount, 0) ?? 0;
}

/** Pods Pending and containers in a failing waiting state, by pod name. */
export function trouble(cluster: SimCluster, namespace: string): { pending: string[]; failing: string[] } {
  const all = pods(cluster, namespace).filter((p) => !p.metadata.deletionTimestamp);
  return {
    pending: all.filter((p) => p.status.phase === 'Pending').map((p) => p.metadata.name),
    failing: all
      .filter((p) =>
        p.status.containerStatuses?.some((s) =>
          ['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError'].includes(
            s.state.waiting?.reason ?? '',
          ),
        ),
      )
      .map((p) => p.metadata.name),
  };
}

/** Every component up and answering, every call succeeding, no pod Pending or crash-looping. */
export function expectHealthy(cluster: SimCluster, namespace: string): void {
  const h = health(cluster, namespace);
  const bad = h.components.filter((c) => !c.reachable || c.errorRate > 0 || c.ready < c.desired);
  expect(bad.map((c) => `${c.name}: ${c.reason ?? c.error ?? 'not ready'}`)).toEqual([]);
  expect(h.edges.filter((e) => !e.ok).map((e) => `${e.from}->${e.to}: ${e.error}`)).toEqual([]);
  expect(trouble(cluster, namespace)).toEqual({ pending: [], failing: [] });
}

/** `kubectl patch deployment`, as an SRE would. */
export function patchDeployment(
  cluster: SimCluster,
  namespace: string,
  name: string,
  change: (d: Deployment) => void,
): void {
  cluster.store.mutate(DEPLOYMENTS, namespace, name, (o) => change(o as unknown as Deployment));
  cluster.reconcile();
}

/** `kubectl rollout restart deployment`. */
export function rolloutRestart(cluster: SimCluster, namespace: string, name: string): void {
  patchDeployment(cluster, namespace, name, (d) => {
    d.spec.template.metadata.annotations = {
      ...(d.spec.template.metadata.annotations ?? {}),
      'kubectl.kubernetes.io/restartedAt': new Date(cluster.clock.now()).toISOString(),
    };
  });
}

/** `kubectl delete pod` for every pod of a component. */
export function deletePods(cluster: SimCluster, namespace: string, name: string): void {
  for (const pod of pods(cluster, namespace, name))
    cluster.controllers.kubelet.requestDeletion(pod as unknown as JsonObject);
  cluster.reconcile();
}
