import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../aiopslab-harness/sim/api/json.js';
import { text } from '../../aiopslab-harness/sim/api/json.js';
import { resourceByKind } from '../../aiopslab-harness/sim/api/resources.js';
import { SimCluster } from '../../aiopslab-harness/sim/cluster.js';
import type { Deployment, Pod, ReplicaSet } from '../../aiopslab-harness/sim/model.js';
import { asView } from '../../aiopslab-harness/sim/model.js';
import { tinyApp } from './fixtures.js';

const PODS = resourceByKind('Pod');
const DEPLOYMENTS = resourceByKind('Deployment');
const RS = resourceByKind('ReplicaSet');
const EVENTS = resourceByKind('Event');
const ENDPOINTS = resourceByKind('Endpoints');

function pods(cluster: SimCluster, prefix = ''): Pod[] {
  return cluster.store
    .peekAll(PODS, 'tiny')
    .map((p) => asView<Pod>(p))
    .filter((p) => p.metadata.name.startsWith(prefix));
}

function events(cluster: SimCluster, reason: string): JsonObject[] {
  return cluster.store.peekAll(EVENTS, 'tiny').filter((e) => e['reason'] === reason);
}

function patchDeployment(cluster: SimCluster, change: (d: Deployment) => void): void {
  cluster.store.mutate(DEPLOYMENTS, 'tiny', 'web', (o) => change(asView<Deployment>(o)));
  cluster.reconcile();
}

function fresh(): SimCluster {
  const cluster = new SimCluster({ seed: 7 });
  cluster.deployApp(tinyApp);
  expect(cluster.settle()).toBe(true);
  return cluster;
}

describe('simulated control plane', () => {
  it('brings an app up: pods running and ready, endpoints filled, the usual events', () => {
    const cluster = fresh();
    const web = pods(cluster, 'web-');
    expect(web).toHaveLength(2);
    for (const pod of web) {
      expect(pod.status.phase).toBe('Running');
      expect(pod.spec.nodeName).toMatch(/^kind-worker/);
      expect(pod.status.containerStatuses?.[0]?.state.running).toBeDefined();
    }
    expect(pods(cluster, 'db-0')).toHaveLength(1);
    const ep = cluster.store.peek(ENDPOINTS, 'tiny', 'web') as JsonObject;
    const subset = (ep['subsets'] as JsonObject[])[0]!;
    expect((subset['addresses'] as JsonObject[]).length).toBe(2);
    expect(subset['ports']).toEqual([{ port: 8080, protocol: 'TCP', name: 'http' }]);
    for (const reason of [
      'Scheduled',
      'Pulled',
      'Created',
      'Started',
      'SuccessfulCreate',
      'ScalingReplicaSet',
    ]) {
      expect(events(cluster, reason).length, reason).toBeGreaterThan(0);
    }
    const deploy = asView<Deployment>(cluster.store.peek(DEPLOYMENTS, 'tiny', 'web')!);
    expect(deploy.status?.['availableReplicas']).toBe(2);
  });

  it('scales a deployment up and down', () => {
    const cluster = fresh();
    patchDeployment(cluster, (d) => (d.spec.replicas = 4));
    cluster.settle();
    expect(pods(cluster, 'web-')).toHaveLength(4);
    patchDeployment(cluster, (d) => (d.spec.replicas = 0));
    cluster.advance(5000);
    expect(pods(cluster, 'web-')).toHaveLength(0);
    const ep = cluster.store.peek(ENDPOINTS, 'tiny', 'web') as JsonObject;
    expect(ep['subsets']).toBeUndefined();
  });

  it('leaves pods Pending with FailedScheduling when no node matches the nodeSelector', () => {
    const cluster = fresh();
    patchDeployment(cluster, (d) => (d.spec.template.spec.nodeSelector = { disktype: 'nvme' }));
    cluster.advance(10_000);
    const pending = pods(cluster, 'web-').filter((p) => p.status.phase === 'Pending');
    expect(pending.length).toBeGreaterThan(0);
    const condition = pending[0]!.status.conditions?.find((c) => c.type === 'PodScheduled');
    expect(condition?.reason).toBe('Unschedulable');
    const webEvent = events(cluster, 'FailedScheduling').find((e) =>
      text((e['involvedObject'] as JsonObject)['name']).startsWith('web-'),
    );
    expect(text(webEvent?.['message'])).toBe(
      "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.",
    );
    // The rolling update keeps the old pods serving meanwhile.
    expect(pods(cluster, 'web-').filter((p) => p.status.phase === 'Running').length).toBeGreaterThanOrEqual(
      1,
    );
    patchDeployment(cluster, (d) => delete d.spec.template.spec.nodeSelector);
    expect(cluster.settle()).toBe(true);
  });

  it('turns a bad image into ErrImagePull then ImagePullBackOff', () => {
    const cluster = fresh();
    patchDeployment(
      cluster,
      (d) => (d.spec.template.spec.containers[0]!.image = 'example/tiny:does-not-exist'),
    );
    cluster.advance(3000);
    const reasons = pods(cluster, 'web-').map((p) => p.status.containerStatuses?.[0]?.state.waiting?.reason);
    expect(reasons).toContain('ImagePullBackOff');
    expect(
      events(cluster, 'Failed').some((e) =>
        text(e['message']).startsWith('Failed to pull image "example/tiny:does-not-exist"'),
      ),
    ).toBe(true);
  });

  it('crash-loops a container whose binary does not exist, with growing restarts and back-off', () => {
    const cluster = fresh();
    patchDeployment(cluster, (d) => (d.spec.template.spec.containers[0]!.command = ['no-such-binary']));
    cluster.advance(90_000);
    const crashing = pods(cluster, 'web-').filter(
      (p) => (p.status.containerStatuses?.[0]?.restartCount ?? 0) > 0,
    );
    expect(crashing.length).toBeGreaterThan(0);
    const status = crashing[0]!.status.containerStatuses![0]!;
    expect(status.restartCount).toBeGreaterThanOrEqual(3);
    expect(status.lastState.terminated?.reason).toBe('StartError');
    expect(events(cluster, 'BackOff').length).toBeGreaterThan(0);
    // Old pods keep serving: maxUnavailable 25% of 2 rounds down to 0.
    expect(pods(cluster, 'web-').filter((p) => p.status.containerStatuses?.[0]?.ready).length).toBe(2);
  });

  it('rolls out a restart through a new ReplicaSet and records the revision', () => {
    const cluster = fresh();
    const before = new Set(pods(cluster, 'web-').map((p) => p.metadata.name));
    patchDeployment(
      cluster,
      (d) =>
        (d.spec.template.metadata.annotations = {
          'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z',
        }),
    );
    expect(cluster.settle()).toBe(true);
    cluster.advance(5000);
    const after = pods(cluster, 'web-');
    expect(after).toHaveLength(2);
    for (const p of after) expect(before.has(p.metadata.name)).toBe(false);
    const sets = cluster.store.peekAll(RS, 'tiny').map((r) => asView<ReplicaSet>(r));
    expect(sets).toHaveLength(2);
    const revisions = sets
      .map((r) => [r.metadata.annotations?.['deployment.kubernetes.io/revision'], r.spec.replicas])
      .sort();
    expect(revisions).toEqual([
      ['1', 0],
      ['2', 2],
    ]);
  });

  it('replaces a deleted pod under a new name, and keeps logs per container instance', () => {
    const cluster = fresh();
    const victim = pods(cluster, 'web-')[0]!;
    cluster.controllers.kubelet.requestDeletion(victim as unknown as JsonObject);
    cluster.reconcile();
    expect(cluster.store.peek(PODS, 'tiny', victim.metadata.name)?.['metadata']).toHaveProperty(
      'deletionTimestamp',
    );
    expect(cluster.settle()).toBe(true);
    cluster.advance(3000);
    const names = pods(cluster, 'web-').map((p) => p.metadata.name);
    expect(names).toHaveLength(2);
    expect(names).not.toContain(victim.metadata.name);
    const fresh0 = pods(cluster, 'web-')[0]!;
    const instance = cluster.logs.current(fresh0.metadata.uid, 'web')!;
    const text = cluster.logs.render(instance, cluster.clock.now(), {}, (t) => t.replace('{port}', '8080'));
    expect(text.split('\n')[0]).toBe('web starting on 8080');
  });
});
