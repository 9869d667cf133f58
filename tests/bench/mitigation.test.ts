import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { scoreMitigation, simClusterState } from '../../aiopslab-harness/bench/evaluate.js';
import type { ClusterState } from '../../aiopslab-harness/bench/evaluate.js';
import { loadProblems } from '../../aiopslab-harness/bench/load-problems.js';
import { Problem } from '../../aiopslab-harness/bench/problem.js';
import type { JsonObject } from '../../aiopslab-harness/sim/api/json.js';
import { resourceByKind } from '../../aiopslab-harness/sim/api/resources.js';
import { getApp } from '../../aiopslab-harness/sim/apps/index.js';
import { SimCluster } from '../../aiopslab-harness/sim/cluster.js';

const NS = 'test-hotel-reservation';
const DEPLOYMENT = resourceByKind('Deployment');

function mitigation(id: string, fault: object, check: string, app = 'hotel-reservation'): Problem {
  return Problem.parse({ id, app, task: 'mitigation', fault, expect: { mitigation: check } });
}

const geoPodsOk = mitigation('geo-pods', { kind: 'revoke_auth_mongodb', target: 'mongodb-geo' }, 'podsOk');
const geoPort = mitigation('geo-port', { kind: 'misconfig_k8s_target_port', target: 'geo' }, 'targetPort');
const geoNode = mitigation(
  'geo-node',
  { kind: 'assign_to_non_existent_node', target: 'geo' },
  'podExistsAndOk',
);
const geoScale = mitigation(
  'geo-scale',
  { kind: 'scale_pods_to_zero', target: 'geo' },
  'deploymentAvailable',
);
const geoReady = mitigation('geo-ready', { kind: 'misconfig_app', target: 'geo' }, 'allReadyWithin60s');

async function both(problem: Problem, state: ClusterState) {
  const faithful = await scoreMitigation(problem, state, 'faithful');
  const strict = await scoreMitigation(problem, state);
  return { faithful: faithful.success, strict: strict.success, detail: strict.detail };
}

function healthyHotel(): SimCluster {
  const cluster = new SimCluster({ seed: 21 });
  cluster.deployApp(getApp('hotel-reservation')!);
  expect(cluster.settle()).toBe(true);
  return cluster;
}

function mutateGeo(cluster: SimCluster, change: (spec: JsonObject) => void): void {
  cluster.store.mutate(DEPLOYMENT, NS, 'geo', (o) => change(o['spec'] as JsonObject));
  cluster.reconcile();
  cluster.advance(90_000);
}

function podSpec(deploymentSpec: JsonObject): JsonObject {
  return (deploymentSpec['template'] as JsonObject)['spec'] as JsonObject;
}

describe('scoreMitigation on a simulated hotel-reservation', () => {
  let cluster: SimCluster;
  let state: ClusterState;
  beforeEach(() => {
    cluster = healthyHotel();
    state = simClusterState(cluster);
  });

  it('passes every check on a healthy app, in both modes', async () => {
    for (const problem of [geoPodsOk, geoNode, geoScale, geoReady])
      expect(await both(problem, state), problem.id).toMatchObject({ faithful: true, strict: true });
    // AIOpsLab's target-port eval wants the literal 9090 (social-network's port); geo listens on 8083.
    expect(await both(geoPort, state)).toMatchObject({ faithful: false, strict: true });
  });

  it('fails pods OK, naming the pod, when geo runs a missing binary', async () => {
    mutateGeo(cluster, (spec) => {
      const [container] = podSpec(spec)['containers'] as JsonObject[];
      container!['command'] = ['no-such-binary'];
    });
    const result = await scoreMitigation(geoPodsOk, state, 'faithful');
    expect(result.success).toBe(false);
    expect(result.detail).toMatch(
      /pod geo-[a-z0-9]+-[a-z0-9]+ container hotel-reserv-geo (is waiting in CrashLoopBackOff|terminated)/,
    );
    expect((await scoreMitigation(geoReady, state)).detail).toMatch(/pod geo-\S+ is not ready/);
  });

  it('fails the targetPort check in both modes when the Service points elsewhere', async () => {
    cluster.store.mutate(resourceByKind('Service'), NS, 'geo', (o) => {
      const [port] = (o['spec'] as JsonObject)['ports'] as JsonObject[];
      port!['targetPort'] = 9999;
    });
    cluster.advance(10_000);
    const result = await both(geoPort, state);
    expect(result).toMatchObject({ faithful: false, strict: false });
    expect((await scoreMitigation(geoPort, state, 'faithful')).detail).toContain(
      'service geo targetPort is 9999, not 9090',
    );
    expect(result.detail).toContain('targets 9999, which no selected pod of geo listens on');
  });

  it('lets a Pending pod pass faithfully (AIOpsLab skips it) but not strictly', async () => {
    mutateGeo(cluster, (spec) => {
      podSpec(spec)['nodeSelector'] = { 'kubernetes.io/hostname': 'no-such-node' };
    });
    const result = await both(geoNode, state);
    expect(result).toMatchObject({ faithful: true, strict: false });
    expect(result.detail).toMatch(/pod geo-\S+ of geo is Pending/);
    expect(result.detail).toContain('which no node has');
  });

  it('needs the deployment back at one available replica', async () => {
    mutateGeo(cluster, (spec) => {
      spec['replicas'] = 0;
    });
    expect(await both(geoScale, state)).toMatchObject({ faithful: false, strict: false });
    mutateGeo(cluster, (spec) => {
      spec['replicas'] = 1;
    });
    expect(await both(geoScale, state)).toMatchObject({ faithful: true, strict: true });
  });
});

describe('the catalog mitigation problems', () => {
  let problems: Problem[];
  beforeAll(async () => {
    problems = await loadProblems();
  });

  it('pass on a healthy hotel-reservation, in both modes', async () => {
    const state = simClusterState(healthyHotel());
    const hotel = problems.filter((p) => p.task === 'mitigation' && p.app === 'hotel-reservation');
    expect(hotel.length).toBeGreaterThan(0);
    for (const problem of hotel)
      expect(await both(problem, state), problem.id).toMatchObject({ faithful: true, strict: true });
  });

  it('score the Kafka flag leniently when faithful and require it off when strict', async () => {
    const kafka = problems.find((p) => p.id === 'astronomy_shop_kafka_queue_problems-mitigation-1')!;
    const cluster = new SimCluster({ seed: 5 });
    cluster.createNamespace('astronomy-shop');
    const flags = (variant: string) => ({
      'demo.flagd.json': JSON.stringify({
        flags: {
          kafkaQueueProblems: { state: 'ENABLED', variants: { on: 100, off: 0 }, defaultVariant: variant },
        },
      }),
    });
    cluster.store.create(resourceByKind('ConfigMap'), {
      metadata: { name: 'flagd-config', namespace: 'astronomy-shop' },
      data: flags('on'),
    });
    const state = simClusterState(cluster);
    const result = await both(kafka, state);
    expect(result).toMatchObject({ faithful: true, strict: false });
    expect(result.detail).toContain('flag kafkaQueueProblems defaultVariant is "on", not "off"');
    cluster.store.mutate(resourceByKind('ConfigMap'), 'astronomy-shop', 'flagd-config', (o) => {
      o['data'] = flags('off');
    });
    expect(await both(kafka, state)).toMatchObject({ faithful: true, strict: true });
  });

  it('refuses a problem of another task', async () => {
    const detection = problems.find((p) => p.task === 'detection')!;
    await expect(scoreMitigation(detection, simClusterState(new SimCluster()))).rejects.toThrow(
      /not mitigation/,
    );
  });
});
