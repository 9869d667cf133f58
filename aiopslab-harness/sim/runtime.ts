/**
 * What a container does when the kubelet starts it, decided from the cluster's state: a chain of behaviour
 * hooks, the first that answers wins. Faults (a later layer) add hooks in front of the base ones here.
 */
import type { PodGraveyard } from './telemetry/graveyard.js';
import type { AppSpec, ComponentSpec } from './apps/types.js';
import type { Container, Pod } from './model.js';
import type { ObjectStore } from './store.js';
import type { SimClock } from './clock.js';
import type { DynamicLogSource } from './logs.js';
import { resourceByKind } from './api/resources.js';

export type ContainerPlan =
  | {
      outcome: 'run';
      /** False when the readiness probe keeps failing. */
      ready: boolean;
      readinessFailure?: string;
      startupLogs: string[];
      steadyLogs: string[];
      steadyEveryMs?: number;
      /** Lines decided when the log is read (from the health model at that time), in place of steady ones. */
      dynamicLogs?: DynamicLogSource;
    }
  | {
      outcome: 'exit';
      afterMs: number;
      exitCode: number;
      reason: 'Error' | 'Completed' | 'OOMKilled';
      logs: string[];
    }
  | { outcome: 'startError'; message: string }
  | { outcome: 'imagePull'; message: string }
  | { outcome: 'config'; message: string };

export interface AppInstance {
  app: AppSpec;
  namespace: string;
}

export interface SimWorld {
  store: ObjectStore;
  clock: SimClock;
  /** Apps deployed, by namespace. */
  apps: Map<string, AppInstance>;
  /** Pods deleted recently, whose series telemetry still serves for the time they lived. */
  graveyard?: PodGraveyard;
  /** Which Jaeger query API is served (telemetry/jaeger-api.ts); default v2.20, both v1 and v3. */
  jaegerRelease?: 'v2.20' | 'main';
}

export interface ContainerContext {
  pod: Pod;
  container: Container;
  world: SimWorld;
  restartCount: number;
}

export type BehaviourHook = (ctx: ContainerContext) => ContainerPlan | undefined;

/** Public images a pull succeeds for with any tag; anything else must be an app's own image. */
const PUBLIC_REPOSITORIES = new Set([
  'busybox',
  'alpine',
  'nginx',
  'redis',
  'mongo',
  'memcached',
  'ubuntu',
  'debian',
  'python',
  'node',
  'postgres',
  'curlimages/curl',
  'registry.k8s.io/pause',
  'registry.k8s.io/coredns/coredns',
]);

/** Further images that exist with exactly this tag: Chaos Mesh's pause image, AIOpsLab's buggy geo, wrk2. */
const KNOWN_IMAGES = new Set([
  'gcr.io/google-containers/pause:latest',
  'yinfangchen/geo:app3',
  'deathstarbench/wrk2-client:latest',
]);

const SHELL_BINARIES = new Set(['sh', '/bin/sh', 'bash', '/bin/bash', 'sleep', 'echo', 'cat', 'true', 'env']);

export function componentOf(
  world: SimWorld,
  pod: Pod,
): { instance: AppInstance; component: ComponentSpec } | undefined {
  const instance = world.apps.get(pod.metadata.namespace ?? '');
  if (!instance) return undefined;
  const name = pod.metadata.labels?.[instance.app.componentLabel];
  const component = instance.app.components.find((c) => c.name === name);
  return component ? { instance, component } : undefined;
}

function splitImage(image: string): { repository: string; tag: string } {
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const colon = ref.lastIndexOf(':');
  const hasTag = colon > ref.lastIndexOf('/');
  const repository = (hasTag ? ref.slice(0, colon) : ref).replace(/^docker\.io\/(library\/)?/, '');
  return { repository, tag: hasTag ? ref.slice(colon + 1) : 'latest' };
}

function appImages(world: SimWorld): Map<string, Set<string>> {
  const byImage = new Map<string, Set<string>>();
  for (const { app } of world.apps.values()) {
    for (const c of app.components) {
      const { repository, tag } = splitImage(c.image);
      const key = `${repository}:${tag}`;
      const binaries = byImage.get(key) ?? new Set<string>();
      if (c.command?.[0]) binaries.add(c.command[0]);
      byImage.set(key, binaries);
    }
  }
  return byImage;
}

export const imagePullHook: BehaviourHook = ({ container, world }) => {
  const { repository, tag } = splitImage(container.image);
  const ref = `${repository}:${tag}`;
  if (PUBLIC_REPOSITORIES.has(repository) || KNOWN_IMAGES.has(ref) || appImages(world).has(ref))
    return undefined;
  const full = repository.includes('/')
    ? `docker.io/${repository}:${tag}`
    : `docker.io/library/${repository}:${tag}`;
  return {
    outcome: 'imagePull',
    message:
      `rpc error: code = NotFound desc = failed to pull and unpack image "${full}": failed to resolve reference ` +
      `"${full}": ${full}: not found`,
  };
};

export const configRefHook: BehaviourHook = ({ pod, container, world }) => {
  const namespace = pod.metadata.namespace ?? 'default';
  for (const env of container.env ?? []) {
    const cmRef = env.valueFrom?.configMapKeyRef;
    if (cmRef && !cmRef.optional) {
      const cm = world.store.peek(resourceByKind('ConfigMap'), namespace, cmRef.name);
      if (!cm) return { outcome: 'config', message: `configmap "${cmRef.name}" not found` };
      const data = cm['data'] as Record<string, string> | undefined;
      if (!data || !(cmRef.key in data)) {
        return {
          outcome: 'config',
          message: `couldn't find key ${cmRef.key} in ConfigMap ${namespace}/${cmRef.name}`,
        };
      }
    }
    const secretRef = env.valueFrom?.secretKeyRef;
    if (secretRef && !secretRef.optional) {
      const secret = world.store.peek(resourceByKind('Secret'), namespace, secretRef.name);
      if (!secret) return { outcome: 'config', message: `secret "${secretRef.name}" not found` };
      const data = secret['data'] as Record<string, string> | undefined;
      if (!data || !(secretRef.key in data)) {
        return {
          outcome: 'config',
          message: `couldn't find key ${secretRef.key} in Secret ${namespace}/${secretRef.name}`,
        };
      }
    }
  }
  return undefined;
};

export const executableHook: BehaviourHook = ({ container, world }) => {
  const binary = container.command?.[0];
  if (!binary) return undefined;
  const { repository, tag } = splitImage(container.image);
  const known = appImages(world).get(`${repository}:${tag}`);
  if (!known || known.has(binary) || SHELL_BINARIES.has(binary)) return undefined;
  return {
    outcome: 'startError',
    message:
      'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: ' +
      `unable to start container process: exec: "${binary}": executable file not found in $PATH: unknown`,
  };
};

/**
 * An app component runs and prints its own logs; anything else runs quietly. (The control plane puts the
 * state-derived behaviour of faults/behaviour.ts after the base hooks, so this is the last resort.)
 */
export const appComponentHook: BehaviourHook = ({ pod, world }) => {
  const found = componentOf(world, pod);
  if (!found) return { outcome: 'run', ready: true, startupLogs: [], steadyLogs: [] };
  return {
    outcome: 'run',
    ready: true,
    startupLogs: found.component.startupLogs,
    steadyLogs: found.component.steadyLogs,
  };
};

export const BASE_HOOKS: readonly BehaviourHook[] = [imagePullHook, configRefHook, executableHook];

export function planContainer(hooks: readonly BehaviourHook[], ctx: ContainerContext): ContainerPlan {
  for (const hook of hooks) {
    const plan = hook(ctx);
    if (plan) return plan;
  }
  return appComponentHook(ctx)!;
}
