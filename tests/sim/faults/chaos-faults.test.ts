import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { text } from '../../../aiopslab-harness/sim/api/json.js';
import type { JsonObject } from '../../../aiopslab-harness/sim/api/json.js';
import { hotelReservation } from '../../../aiopslab-harness/sim/apps/hotel-reservation.js';
import { PAUSE_IMAGE } from '../../../aiopslab-harness/sim/faults/topology.js';
import { injectFault } from '../../../aiopslab-harness/sim/faults/index.js';
import type { SimCluster } from '../../../aiopslab-harness/sim/cluster.js';
import {
  CONFIGMAPS,
  component,
  edge,
  events,
  expectHealthy,
  health,
  logs,
  pods,
  restarts,
  rolloutRestart,
  up,
} from './helpers.js';

const HOTEL = hotelReservation.defaultNamespace;

function chaos(cluster: SimCluster, name: string): { labels: Record<string, string>; status: JsonObject } {
  const cm = cluster.store.peek(CONFIGMAPS, HOTEL, name);
  if (!cm) throw new Error(`no chaos object ${name}`);
  const data = cm['data'] as Record<string, string>;
  return {
    labels: (cm['metadata'] as { labels: Record<string, string> }).labels,
    status: parse(data['status.yaml'] ?? '{}') as JsonObject,
  };
}

function deleteChaos(cluster: SimCluster, name: string): void {
  cluster.store.remove(CONFIGMAPS, HOTEL, name);
  cluster.reconcile();
}

describe('Chaos Mesh faults on hotel-reservation', () => {
  it('container_kill: geo restarts once; the PodChaos stays visible; nothing else breaks', () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, HOTEL, { kind: 'container_kill', target: 'geo' });
    const [geo] = pods(cluster, HOTEL, 'geo');
    const { labels, status } = chaos(cluster, 'container-kill');
    expect(labels['chaos-mesh.org/kind']).toBe('PodChaos');
    expect(status).toMatchObject({ phase: 'Running', records: [{ id: `${HOTEL}/${geo!.metadata.name}` }] });
    expect(events(cluster, HOTEL, 'Applied')).toHaveLength(1);
    expect(component(health(cluster, HOTEL), 'geo').reachable).toBe(false);
    cluster.advance(30_000);
    const after = pods(cluster, HOTEL, 'geo')[0]!.status.containerStatuses![0]!;
    expect(after.restartCount).toBe(1);
    expect(after.lastState.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    expectHealthy(cluster, HOTEL);
    deleteChaos(cluster, 'container-kill');
    cluster.advance(300_000);
    expect(restarts(pods(cluster, HOTEL, 'geo')[0])).toBe(1);
    expectHealthy(cluster, HOTEL);
  });

  it.each([
    { kind: 'pod_failure', name: 'pod-failure-experiment' },
    { kind: 'pod_kill', name: 'pod-kill' },
  ])(
    '$kind: the user pod runs the pause image and serves nothing until the PodChaos goes',
    ({ kind, name }) => {
      const cluster = up(hotelReservation);
      injectFault(cluster, HOTEL, { kind, target: 'user' });
      cluster.advance(30_000);
      const [user] = pods(cluster, HOTEL, 'user');
      const status = user!.status.containerStatuses![0]!;
      expect(user!.spec.containers[0]!.image).toBe(PAUSE_IMAGE);
      expect(status).toMatchObject({ image: PAUSE_IMAGE, restartCount: 1, ready: true });
      expect(user!.status.phase).toBe('Running');
      expect(logs(cluster, HOTEL, 'user')).toBe('');
      expect(logs(cluster, HOTEL, 'user', { previous: true })).toContain('cmd/user/main.go');
      const h = health(cluster, HOTEL);
      expect(component(h, 'user')).toMatchObject({ ready: 1, reachable: false });
      expect(edge(h, 'frontend', 'user').error).toContain(':8086: connect: connection refused');
      expect(logs(cluster, HOTEL, 'frontend', { sinceSeconds: 29 })).toContain(
        ':8086: connect: connection refused',
      );
      rolloutRestart(cluster, HOTEL, 'frontend');
      cluster.advance(20_000);
      expect(component(health(cluster, HOTEL), 'user').reachable).toBe(false);
      deleteChaos(cluster, name);
      cluster.advance(10_000);
      const restored = pods(cluster, HOTEL, 'user')[0]!;
      expect(restored.spec.containers[0]!.image).toBe('yinfangchen/hotelreservation:latest');
      expect(restarts(restored)).toBe(2);
      expectHealthy(cluster, HOTEL);
    },
  );

  it('pod_failure ends by itself when its 100 s are up', () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, HOTEL, { kind: 'pod_failure', target: 'user' });
    cluster.advance(120_000);
    expect(chaos(cluster, 'pod-failure-experiment').status).toMatchObject({
      phase: 'Finished',
      records: [{ phase: 'Recovered' }],
    });
    expectHealthy(cluster, HOTEL);
  });

  it('pod_kill with the old action deletes the pod, which its ReplicaSet replaces', () => {
    const cluster = up(hotelReservation);
    const before = pods(cluster, HOTEL, 'user')[0]!.metadata.name;
    injectFault(cluster, HOTEL, { kind: 'pod_kill', target: 'user', params: { action: 'pod-kill' } });
    cluster.advance(20_000);
    const now = pods(cluster, HOTEL, 'user');
    expect(now).toHaveLength(1);
    expect(now[0]!.metadata.name).not.toBe(before);
    expectHealthy(cluster, HOTEL);
  });

  it('network_loss: 99% loss on the user pod times its callers out; pods stay Ready', () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, HOTEL, { kind: 'network_loss', target: 'user' });
    cluster.advance(60_000);
    expect(chaos(cluster, 'loss').labels['chaos-mesh.org/kind']).toBe('NetworkChaos');
    expect(restarts(pods(cluster, HOTEL, 'user')[0])).toBe(0);
    const h = health(cluster, HOTEL);
    expect(component(h, 'user')).toMatchObject({ ready: 1, reachable: true });
    const call = edge(h, 'frontend', 'user');
    expect(call).toMatchObject({ ok: false });
    expect(call.lossRate).toBeCloseTo(0.99);
    expect(call.error).toContain(':8086: i/o timeout');
    // The user pod's own calls suffer too.
    expect(edge(h, 'user', 'mongodb-user').lossRate).toBeCloseTo(0.99);
    expect(logs(cluster, HOTEL, 'frontend', { sinceSeconds: 59 })).toContain('i/o timeout');
    rolloutRestart(cluster, HOTEL, 'frontend');
    cluster.advance(20_000);
    expect(edge(health(cluster, HOTEL), 'frontend', 'user').ok).toBe(false);
    deleteChaos(cluster, 'loss');
    expectHealthy(cluster, HOTEL);
  });

  it('network_delay: calls through the user pod take 10 s more, without errors', () => {
    const cluster = up(hotelReservation);
    const baseline = edge(health(cluster, HOTEL), 'frontend', 'user').latencyMs;
    injectFault(cluster, HOTEL, { kind: 'network_delay', target: 'user' });
    cluster.advance(30_000);
    const h = health(cluster, HOTEL);
    const call = edge(h, 'frontend', 'user');
    expect(call.ok).toBe(true);
    expect(call.latencyMs).toBeGreaterThanOrEqual(10_000);
    expect(component(h, 'frontend').latencyMs).toBeGreaterThan(2_000);
    expect(text(chaos(cluster, 'delay').status['phase'])).toBe('Running');
    deleteChaos(cluster, 'delay');
    expect(edge(health(cluster, HOTEL), 'frontend', 'user').latencyMs).toBe(baseline);
    expectHealthy(cluster, HOTEL);
  });
});
