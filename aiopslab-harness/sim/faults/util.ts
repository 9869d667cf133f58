/**
 * What the injectors share: the fault's shape, and the same object changes an operator's kubectl makes
 * (patch a Deployment, delete and re-apply it, restart a rollout, delete pods).
 */
import { cloneJson } from '../api/json.js';
import type { JsonObject } from '../api/json.js';
import type { ComponentSpec } from '../apps/types.js';
import type { SimCluster } from '../cluster.js';
import type { Deployment } from '../model.js';
import type { AppInstance } from '../runtime.js';
import { AoiError } from '../../../src/core/errors.js';
import { R, podsOf } from './topology.js';

export interface FaultSpec {
  kind: string;
  /** The component (Service, Deployment, MongoDB, flag owner) the fault acts on; none for namespace-wide. */
  target?: string | undefined;
  params?: Record<string, string | number | boolean> | undefined;
}

export type Injector = (cluster: SimCluster, namespace: string, fault: FaultSpec) => void;

export function faultError(message: string): AoiError {
  return new AoiError('config', message);
}

export function appIn(cluster: SimCluster, namespace: string): AppInstance {
  const instance = cluster.world.apps.get(namespace);
  if (!instance) throw faultError(`no app is deployed in namespace ${namespace}`);
  return instance;
}

export function targetOf(fault: FaultSpec): string {
  if (!fault.target) throw faultError(`fault ${fault.kind} needs a target`);
  return fault.target;
}

export function componentOf(cluster: SimCluster, namespace: string, name: string): ComponentSpec {
  const component = appIn(cluster, namespace).app.components.find((c) => c.name === name);
  if (!component) throw faultError(`namespace ${namespace} has no component ${name}`);
  return component;
}

export function param(fault: FaultSpec, key: string): string | undefined {
  const value = fault.params?.[key];
  return value === undefined ? undefined : String(value);
}

/** `kubectl patch deployment <name>`: changes the stored object, the controllers do the rest. */
export function patchDeployment(
  cluster: SimCluster,
  namespace: string,
  name: string,
  change: (d: Deployment) => void,
): void {
  const found = cluster.store.mutate(R.deployments, namespace, name, (json) =>
    change(json as unknown as Deployment),
  );
  if (!found) throw faultError(`deployment ${namespace}/${name} not found`);
}

/** `kubectl get deployment -o yaml`, edit, `kubectl delete deployment`, `kubectl apply -f`: a new object. */
export function reapplyDeployment(
  cluster: SimCluster,
  namespace: string,
  name: string,
  change: (d: Deployment) => void,
): void {
  const current = cluster.store.peek(R.deployments, namespace, name);
  if (!current) throw faultError(`deployment ${namespace}/${name} not found`);
  const manifest = manifestOf(current);
  change(manifest as unknown as Deployment);
  cluster.store.remove(R.deployments, namespace, name);
  cluster.reconcile();
  cluster.store.create(R.deployments, manifest);
}

/**
 * Re-applies the component's Deployment with its data volume taken from `claim` (the volume named `volume`,
 * mounted where the component keeps its data): how a manifest that brings a claim of its own is applied.
 */
export function reapplyWithClaim(
  cluster: SimCluster,
  namespace: string,
  spec: ComponentSpec,
  claim: string,
  volume: string,
): void {
  reapplyDeployment(cluster, namespace, spec.name, (d) => {
    const pod = d.spec.template.spec;
    pod.volumes = [
      ...(pod.volumes ?? []).filter((v) => v.name !== volume),
      { name: volume, persistentVolumeClaim: { claimName: claim } },
    ];
    const main = pod.containers.find((c) => c.name === spec.containerName) ?? pod.containers[0];
    if (main && !main.volumeMounts?.some((m) => m.name === volume))
      main.volumeMounts = [
        ...(main.volumeMounts ?? []),
        { name: volume, mountPath: spec.storage?.mountPath ?? '/data' },
      ];
  });
}

/** An object as `kubectl apply` would send it back: no status, uid, versions or controller bookkeeping. */
export function manifestOf(obj: JsonObject): JsonObject {
  const copy = cloneJson(obj);
  const meta = copy['metadata'] as JsonObject;
  const annotations = { ...((meta['annotations'] as Record<string, string> | undefined) ?? {}) };
  delete annotations['deployment.kubernetes.io/revision'];
  const out: JsonObject = {
    metadata: {
      name: meta['name'] ?? '',
      namespace: meta['namespace'] ?? '',
      labels: meta['labels'] ?? {},
      annotations,
    },
  };
  for (const key of Object.keys(copy))
    if (!['metadata', 'status', 'apiVersion', 'kind'].includes(key)) out[key] = copy[key]!;
  return out;
}

/** `kubectl rollout restart deployment <name>`. */
export function rolloutRestart(cluster: SimCluster, namespace: string, name: string): void {
  patchDeployment(cluster, namespace, name, (d) => {
    d.spec.template.metadata.annotations = {
      ...(d.spec.template.metadata.annotations ?? {}),
      'kubectl.kubernetes.io/restartedAt': new Date(cluster.clock.now()).toISOString(),
    };
  });
}

/** `kubectl delete pod` for every pod of a component (its ReplicaSet makes new ones). */
export function deletePods(cluster: SimCluster, namespace: string, component: string): void {
  const { app } = appIn(cluster, namespace);
  for (const pod of podsOf(cluster.world, namespace, app, component))
    cluster.controllers.kubelet.requestDeletion(pod as unknown as JsonObject);
}

/** The components that call this one. */
export function callersOf(cluster: SimCluster, namespace: string, component: string): string[] {
  return appIn(cluster, namespace)
    .app.components.filter((c) => c.calls.includes(component))
    .map((c) => c.name);
}
