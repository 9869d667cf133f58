import { describe, expect, it } from 'vitest';
import { astronomyShop } from '../../../aiopslab-harness/sim/apps/astronomy-shop.js';
import { hotelReservation } from '../../../aiopslab-harness/sim/apps/hotel-reservation.js';
import { socialNetwork } from '../../../aiopslab-harness/sim/apps/social-network.js';
import { injectFault } from '../../../aiopslab-harness/sim/faults/index.js';
import { computeHealth } from '../../../aiopslab-harness/sim/health.js';
import type { Service } from '../../../aiopslab-harness/sim/model.js';
import { tinyApp } from '../fixtures.js';
import { SERVICES, component, edge, expectHealthy, health, logs, up } from './helpers.js';

const HOTEL = hotelReservation.defaultNamespace;

describe('health model', () => {
  it.each([hotelReservation, socialNetwork, astronomyShop, tinyApp])(
    'finds $name healthy once it is up: every component reachable, every call ok',
    (app) => {
      const cluster = up(app);
      expectHealthy(cluster, app.defaultNamespace);
      const h = health(cluster, app.defaultNamespace);
      expect(h.app).toBe(app.name);
      expect(h.components.map((c) => c.name)).toEqual(app.components.map((c) => c.name));
      expect(h.edges).toHaveLength(app.components.reduce((n, c) => n + c.calls.length, 0));
      for (const c of h.components) expect(c.ready).toBe(c.desired);
    },
  );

  it('is empty for a namespace without an app', () => {
    const cluster = up(tinyApp);
    expect(computeHealth(cluster.world, 'default', cluster.clock.now())).toMatchObject({
      components: [],
      edges: [],
    });
  });

  it('propagates a failure upstream as errors, without making the callers unready', () => {
    const cluster = up(hotelReservation);
    cluster.store.mutate(SERVICES, HOTEL, 'geo', (o) => {
      (o as unknown as Service).spec.ports![0]!.targetPort = 9999;
    });
    cluster.reconcile();
    const h = health(cluster, HOTEL);
    const geo = component(h, 'geo');
    expect(geo).toMatchObject({ ready: 1, desired: 1, reachable: false, errorRate: 1 });
    expect(geo.reason).toContain('connection refused');
    const ip = (cluster.store.peek(SERVICES, HOTEL, 'geo') as unknown as Service).spec.clusterIP;
    expect(edge(h, 'search', 'geo')).toMatchObject({
      ok: false,
      errorRate: 1,
      error: `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${ip}:8083: connect: connection refused"`,
    });
    const search = component(h, 'search');
    expect(search).toMatchObject({ reachable: true, ready: 1, errorRate: 1 });
    expect(edge(h, 'frontend', 'search').error).toMatch(/^rpc error: code = Unknown desc = connection error/);
    // The frontend fans out per endpoint: only the search share of its requests fails.
    expect(component(h, 'frontend').errorRate).toBeCloseTo(0.2);
    expect(edge(h, 'frontend', 'user').ok).toBe(true);
    expect(edge(h, 'search', 'jaeger')).toMatchObject({ ok: true, critical: false });
  });

  it('makes a caller that started long before a fault log errors only from the fault on', () => {
    const cluster = up(hotelReservation);
    cluster.advance(120_000);
    const before = logs(cluster, HOTEL, 'search');
    expect(before).not.toContain('connection refused');
    injectFault(cluster, HOTEL, { kind: 'misconfig_k8s_target_port', target: 'geo' });
    cluster.advance(90_000);
    const after = logs(cluster, HOTEL, 'search');
    // What was printed before the fault reads the same now.
    expect(after.startsWith(before)).toBe(true);
    const added = after.slice(before.length);
    expect(added).toMatch(
      /ERR services\/search\/server\.go:\d+ > rpc error: code = Unavailable .*8083: connect: connection refused/,
    );
    // And the frontend, one hop further, logs the error search passed on.
    expect(logs(cluster, HOTEL, 'frontend', { sinceSeconds: 90 })).toContain(
      'rpc error: code = Unknown desc',
    );
    cluster.store.mutate(SERVICES, HOTEL, 'geo', (o) => {
      (o as unknown as Service).spec.ports![0]!.targetPort = 8083;
    });
    cluster.reconcile();
    cluster.advance(5_000);
    const fixedAt = cluster.clock.now();
    cluster.advance(90_000);
    const since = Math.floor((cluster.clock.now() - fixedAt) / 1000) - 1;
    expect(logs(cluster, HOTEL, 'search', { sinceSeconds: since })).not.toContain('connection refused');
    expect(logs(cluster, HOTEL, 'search', { sinceSeconds: since })).toContain('INF services/search');
    expectHealthy(cluster, HOTEL);
  });
});
