/**
 * Reading an app out of the cluster state: which component a pod belongs to, which binary (and so which
 * component's code) its container actually runs, and the kind of client library its callers use.
 */
import { resourceByKind } from '../api/resources.js';
import type { AppSpec, ComponentSpec } from '../apps/types.js';
import type { Container, ContainerStatus, Pod } from '../model.js';
import type { AppInstance, SimWorld } from '../runtime.js';

export const R = {
  pods: resourceByKind('Pod'),
  services: resourceByKind('Service'),
  endpoints: resourceByKind('Endpoints'),
  deployments: resourceByKind('Deployment'),
  statefulsets: resourceByKind('StatefulSet'),
  replicasets: resourceByKind('ReplicaSet'),
  configmaps: resourceByKind('ConfigMap'),
  secrets: resourceByKind('Secret'),
  pvcs: resourceByKind('PersistentVolumeClaim'),
  pvs: resourceByKind('PersistentVolume'),
  namespaces: resourceByKind('Namespace'),
};

/** The image Chaos Mesh's pod-failure swaps in: it runs, prints nothing and listens on nothing. */
export const PAUSE_IMAGE = 'gcr.io/google-containers/pause:latest';

/**
 * How an app's processes talk and fail, by the stack its services are written in: hotel-reservation is Go
 * with gRPC and mgo (a database unreachable at start-up is a panic), social-network is C++ with Thrift and
 * the MongoDB C driver (it retries forever without serving), astronomy-shop is the OpenTelemetry demo.
 */
export type Dialect = 'go-grpc' | 'thrift' | 'otel' | 'generic';

export function dialectOf(app: AppSpec): Dialect {
  switch (app.name) {
    case 'hotel-reservation':
      return 'go-grpc';
    case 'social-network':
      return 'thrift';
    case 'astronomy-shop':
      return 'otel';
    default:
      return 'generic';
  }
}

/** What a callee speaks, from its image. */
export type Protocol = 'mongodb' | 'memcached' | 'redis' | 'rpc';

export function protocolOf(component: ComponentSpec): Protocol {
  const image = component.image.replace(/^docker\.io\/(library\/)?/, '');
  if (/^mongo(:|@|$)/.test(image)) return 'mongodb';
  if (/^memcached(:|@|$)/.test(image)) return 'memcached';
  if (/^(redis|valkey\/valkey)(:|@|$)/.test(image) || component.name.includes('valkey')) return 'redis';
  return 'rpc';
}

export function isMongoImage(image: string): boolean {
  return /^(docker\.io\/(library\/)?)?mongo(:|@|$)/.test(image);
}

export function appAt(world: SimWorld, namespace: string): AppInstance | undefined {
  return world.apps.get(namespace);
}

export function componentNamed(app: AppSpec, name: string): ComponentSpec | undefined {
  return app.components.find((c) => c.name === name);
}

/** The component a pod belongs to, by the app's component label. */
export function labelComponent(app: AppSpec, pod: Pod): ComponentSpec | undefined {
  const name = pod.metadata.labels?.[app.componentLabel];
  return name === undefined ? undefined : componentNamed(app, name);
}

/** The pod's main container: the one named as the component's container, else the first. */
export function mainContainer(
  app: AppSpec,
  pod: Pod,
): { container: Container; status: ContainerStatus | undefined } | undefined {
  const component = labelComponent(app, pod);
  const container =
    pod.spec.containers.find((c) => c.name === component?.containerName) ?? pod.spec.containers[0];
  if (!container) return undefined;
  return { container, status: pod.status.containerStatuses?.find((s) => s.name === container.name) };
}

/**
 * The component whose code a container runs: the app component whose binary is the container's command
 * (profile's pod started with `geo` runs geo), else the pod's own component.
 */
export function runningComponent(app: AppSpec, pod: Pod, container: Container): ComponentSpec | undefined {
  const binary = container.command?.[0];
  if (binary) {
    const own = labelComponent(app, pod);
    if (own?.command?.[0] === binary) return own;
    const other = app.components.find((c) => c.command?.[0] === binary);
    if (other) return other;
  }
  return labelComponent(app, pod);
}

/** Live (not terminating) pods of a component, by label. */
export function podsOf(world: SimWorld, namespace: string, app: AppSpec, component: string): Pod[] {
  return world.store
    .peekAll(R.pods, namespace)
    .map((p) => p as unknown as Pod)
    .filter((p) => p.metadata.labels?.[app.componentLabel] === component && !p.metadata.deletionTimestamp);
}

export function isPodReady(pod: Pod): boolean {
  return pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The MongoDB database a component's data lives in: hotel's mongodb-geo holds geo-db. */
export function databaseName(dbComponent: string): string {
  const owner = dbComponent.replace(/^mongodb-/, '').replace(/-mongodb$/, '');
  return `${owner}-db`;
}

/** A small stable hash, for deterministic choices (line numbers, which line a tick prints). */
export function hashText(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
