/**
 * The Chaos Mesh faults: each creates the experiment AIOpsLab applies (same name, action, mode, duration),
 * as a chaos ConfigMap (chaos.ts); the chaos controller and the health model do the rest. Fix: delete the
 * experiment (`kubectl delete configmap <name>`, standing for `kubectl delete podchaos/networkchaos <name>`);
 * each also ends by itself when its duration runs out.
 */
import type { SimCluster } from '../cluster.js';
import type { ChaosKind, ChaosSpec } from './chaos.js';
import { chaosObject } from './chaos.js';
import { R } from './topology.js';
import type { FaultSpec, Injector } from './util.js';
import { appIn, componentOf, param, targetOf } from './util.js';

function createChaos(
  cluster: SimCluster,
  namespace: string,
  kind: ChaosKind,
  name: string,
  spec: ChaosSpec,
): void {
  if (cluster.store.peek(R.configmaps, namespace, name)) cluster.store.remove(R.configmaps, namespace, name);
  cluster.store.create(R.configmaps, chaosObject(kind, name, namespace, spec));
}

function selector(cluster: SimCluster, namespace: string, fault: FaultSpec): ChaosSpec['selector'] {
  const { app } = appIn(cluster, namespace);
  return { namespaces: [namespace], labelSelectors: { [app.componentLabel]: targetOf(fault) } };
}

/** PodChaos container-kill (200 s): the target's container is killed once and restarted by the kubelet. */
export const containerKill: Injector = (cluster, namespace, fault) => {
  const container =
    param(fault, 'container') ?? componentOf(cluster, namespace, targetOf(fault)).containerName;
  createChaos(cluster, namespace, 'PodChaos', 'container-kill', {
    action: 'container-kill',
    mode: 'one',
    duration: param(fault, 'duration') ?? '200s',
    selector: selector(cluster, namespace, fault),
    containerNames: [container],
  });
};

/** PodChaos pod-failure (100 s): the target pod's containers run the pause image and serve nothing. */
export const podFailure: Injector = (cluster, namespace, fault) => {
  createChaos(cluster, namespace, 'PodChaos', 'pod-failure-experiment', {
    action: 'pod-failure',
    mode: 'one',
    duration: param(fault, 'duration') ?? '100s',
    selector: selector(cluster, namespace, fault),
  });
};

/**
 * AIOpsLab's pod_kill problem today: a PodChaos named pod-kill whose action is pod-failure (100 s).
 * `params.action: pod-kill` gives the older behaviour (the pod is deleted and replaced at once).
 */
export const podKill: Injector = (cluster, namespace, fault) => {
  createChaos(cluster, namespace, 'PodChaos', 'pod-kill', {
    action: param(fault, 'action') ?? 'pod-failure',
    mode: 'one',
    duration: param(fault, 'duration') ?? '100s',
    selector: selector(cluster, namespace, fault),
  });
};

/** NetworkChaos loss (99 %, correlation 100, 200 s) on the target pod's traffic: its calls time out. */
export const networkLoss: Injector = (cluster, namespace, fault) => {
  createChaos(cluster, namespace, 'NetworkChaos', 'loss', {
    action: 'loss',
    mode: 'one',
    duration: param(fault, 'duration') ?? '200s',
    selector: selector(cluster, namespace, fault),
    loss: { loss: param(fault, 'loss') ?? '99', correlation: '100' },
  });
};

/** NetworkChaos delay (+10 s, jitter 0, 200 s) on the target pod's traffic: calls through it are slow. */
export const networkDelay: Injector = (cluster, namespace, fault) => {
  createChaos(cluster, namespace, 'NetworkChaos', 'delay', {
    action: 'delay',
    mode: 'one',
    duration: param(fault, 'duration') ?? '200s',
    selector: selector(cluster, namespace, fault),
    delay: {
      latency: param(fault, 'latency') ?? '10s',
      correlation: '100',
      jitter: param(fault, 'jitter') ?? '0ms',
    },
  });
};
