import { describe, expect, it } from 'vitest';
import { text } from '../../../aiopslab-harness/sim/api/json.js';
import type { JsonObject } from '../../../aiopslab-harness/sim/api/json.js';
import { hotelReservation } from '../../../aiopslab-harness/sim/apps/hotel-reservation.js';
import { socialNetwork } from '../../../aiopslab-harness/sim/apps/social-network.js';
import { injectFault } from '../../../aiopslab-harness/sim/faults/index.js';
import type { Service } from '../../../aiopslab-harness/sim/model.js';
import {
  ENDPOINTS,
  SERVICES,
  component,
  deletePods,
  edge,
  events,
  expectHealthy,
  health,
  logs,
  patchDeployment,
  pods,
  restarts,
  rolloutRestart,
  trouble,
  up,
} from './helpers.js';

const HOTEL = hotelReservation.defaultNamespace;

/** Per app: the target, a caller of it, and the port its Service targets. */
const CASES = [
  {
    app: hotelReservation,
    target: 'user',
    caller: 'frontend',
    port: 8086,
    refused: 'connect: connection refused',
  },
  {
    app: socialNetwork,
    target: 'user-service',
    caller: 'compose-post-service',
    port: 9090,
    refused: 'TSocket::open() connect() <Host: user-service Port: 9090>: Connection refused',
  },
];

describe.each(CASES)('Kubernetes object faults on $app.name', ({ app, target, caller, port, refused }) => {
  const ns = app.defaultNamespace;

  it('misconfig_k8s_target_port: endpoints move to 9999, pods stay Ready, callers are refused', () => {
    const cluster = up(app);
    injectFault(cluster, ns, { kind: 'misconfig_k8s_target_port', target });
    cluster.advance(60_000);
    const ep = cluster.store.peek(ENDPOINTS, ns, target) as JsonObject;
    expect(JSON.stringify(ep['subsets'])).toContain('"port":9999');
    expect(trouble(cluster, ns)).toEqual({ pending: [], failing: [] });
    for (const pod of pods(cluster, ns)) expect(restarts(pod)).toBe(0);
    const h = health(cluster, ns);
    expect(component(h, target)).toMatchObject({ ready: 1, reachable: false });
    expect(edge(h, caller, target).error).toContain(refused);
    expect(logs(cluster, ns, caller, { sinceSeconds: 50 })).toContain(refused);
    // Wrong: restarting the target's pods changes nothing.
    rolloutRestart(cluster, ns, target);
    cluster.advance(60_000);
    expect(edge(health(cluster, ns), caller, target).ok).toBe(false);
    // Right: point targetPort back at the port the container listens on.
    cluster.store.mutate(SERVICES, ns, target, (o) => {
      (o as unknown as Service).spec.ports![0]!.targetPort = port;
    });
    cluster.reconcile();
    cluster.advance(30_000);
    expectHealthy(cluster, ns);
  });

  it('scale_pods_to_zero: no pod, no endpoint, callers refused until scaled back', () => {
    const cluster = up(app);
    injectFault(cluster, ns, { kind: 'scale_pods_to_zero', target });
    cluster.advance(30_000);
    expect(pods(cluster, ns, target)).toHaveLength(0);
    expect((cluster.store.peek(ENDPOINTS, ns, target) as JsonObject)['subsets']).toBeUndefined();
    const h = health(cluster, ns);
    expect(component(h, target)).toMatchObject({ desired: 0, ready: 0, reachable: false });
    expect(component(h, target).reason).toBe('scaled to 0 replicas');
    expect(edge(h, caller, target).error).toContain(refused);
    rolloutRestart(cluster, ns, caller);
    cluster.advance(30_000);
    expect(edge(health(cluster, ns), caller, target).ok).toBe(false);
    patchDeployment(cluster, ns, target, (d) => (d.spec.replicas = 1));
    cluster.advance(30_000);
    expectHealthy(cluster, ns);
  });

  it('assign_to_non_existent_node: the re-applied pod stays Pending with FailedScheduling', () => {
    const cluster = up(app);
    injectFault(cluster, ns, { kind: 'assign_to_non_existent_node', target });
    cluster.advance(60_000);
    const mine = pods(cluster, ns, target);
    expect(mine.map((p) => p.status.phase)).toEqual(['Pending']);
    expect(mine[0]!.spec.nodeSelector).toEqual({ 'kubernetes.io/hostname': 'extra-node' });
    const failed = events(cluster, ns, 'FailedScheduling').map((e) => text(e['message']));
    expect(failed.some((m) => m.includes("didn't match Pod's node affinity/selector"))).toBe(true);
    expect(component(health(cluster, ns), target).reason).toMatch(/^Pending: 0\/4 nodes are available/);
    expect(edge(health(cluster, ns), caller, target).error).toContain(refused);
    // Wrong: deleting the Pending pod brings an identical one.
    deletePods(cluster, ns, target);
    cluster.advance(30_000);
    expect(pods(cluster, ns, target).map((p) => p.status.phase)).toEqual(['Pending']);
    patchDeployment(cluster, ns, target, (d) => delete d.spec.template.spec.nodeSelector);
    cluster.advance(30_000);
    expectHealthy(cluster, ns);
  });
});

describe('hotel-reservation binary and image faults', () => {
  it('wrong_bin_usage: profile runs geo, listens on 8083, the frontend cannot reach profile', () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, HOTEL, { kind: 'wrong_bin_usage', target: 'profile' });
    cluster.advance(60_000);
    const [pod] = pods(cluster, HOTEL, 'profile');
    expect(pod?.status.phase).toBe('Running');
    expect(pod?.spec.containers[0]?.command).toEqual(['geo']);
    const out = logs(cluster, HOTEL, 'profile');
    expect(out).toContain('INF cmd/geo/main.go:36 > Read database URL: mongodb-geo:27017');
    expect(out).toContain('Read target port: 8083');
    const h = health(cluster, HOTEL);
    expect(component(h, 'profile')).toMatchObject({ ready: 1, reachable: false });
    expect(edge(h, 'frontend', 'profile').error).toContain(':8081: connect: connection refused');
    expect(logs(cluster, HOTEL, 'frontend', { sinceSeconds: 50 })).toContain(
      ':8081: connect: connection refused',
    );
    rolloutRestart(cluster, HOTEL, 'profile');
    cluster.advance(60_000);
    expect(component(health(cluster, HOTEL), 'profile').reachable).toBe(false);
    patchDeployment(
      cluster,
      HOTEL,
      'profile',
      (d) => (d.spec.template.spec.containers[0]!.command = ['profile']),
    );
    cluster.advance(60_000);
    expectHealthy(cluster, HOTEL);
    expect(logs(cluster, HOTEL, 'profile')).toContain('cmd/profile/main.go');
  });

  it('misconfig_app: the new geo image dials mongodb-geo:27777, panics and crash-loops', () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, HOTEL, { kind: 'misconfig_app', target: 'geo' });
    cluster.advance(180_000);
    const bad = pods(cluster, HOTEL, 'geo').find(
      (p) => p.spec.containers[0]!.image === 'yinfangchen/geo:app3',
    );
    expect(bad).toBeDefined();
    const status = bad!.status.containerStatuses![0]!;
    expect(status.restartCount).toBeGreaterThanOrEqual(2);
    expect(status.lastState.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(trouble(cluster, HOTEL).failing).toEqual([bad!.metadata.name]);
    const instance =
      cluster.logs.current(bad!.metadata.uid, 'hotel-reserv-geo') ??
      cluster.logs.previous(bad!.metadata.uid, 'hotel-reserv-geo');
    const out = cluster.logs.render(instance!, cluster.clock.now(), {}, (t) => t);
    expect(out).toContain('Read database URL: mongodb-geo:27777');
    expect(out).toContain('PNC cmd/geo/db.go:26 > no reachable servers');
    expect(out).toContain('panic: no reachable servers');
    expect(events(cluster, HOTEL, 'BackOff').length).toBeGreaterThan(0);
    expect(component(health(cluster, HOTEL), 'mongodb-geo')).toMatchObject({ reachable: true, errorRate: 0 });
    // Wrong: restarting the database does not fix the image's config.
    rolloutRestart(cluster, HOTEL, 'mongodb-geo');
    cluster.advance(120_000);
    expect(trouble(cluster, HOTEL).failing).toHaveLength(1);
    patchDeployment(
      cluster,
      HOTEL,
      'geo',
      (d) => (d.spec.template.spec.containers[0]!.image = 'yinfangchen/hotelreservation:latest'),
    );
    cluster.advance(60_000);
    expectHealthy(cluster, HOTEL);
    expect(pods(cluster, HOTEL, 'geo')).toHaveLength(1);
  });
});
