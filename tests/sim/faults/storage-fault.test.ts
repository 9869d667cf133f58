import { describe, expect, it } from 'vitest';
import { text } from '../../../aiopslab-harness/sim/api/json.js';
import type { JsonObject } from '../../../aiopslab-harness/sim/api/json.js';
import { hotelReservation } from '../../../aiopslab-harness/sim/apps/hotel-reservation.js';
import { injectFault } from '../../../aiopslab-harness/sim/faults/index.js';
import {
  PVCS,
  PVS,
  component,
  events,
  expectHealthy,
  health,
  logs,
  pods,
  rolloutRestart,
  trouble,
  up,
} from './helpers.js';

const HOTEL = hotelReservation.defaultNamespace;
const DATABASES = hotelReservation.components.filter((c) => c.role === 'database').map((c) => c.name);

describe('redeploy_without_pv', () => {
  it('leaves the re-applied claims Pending on Released volumes until an operator frees them', () => {
    const cluster = up(hotelReservation);
    const oldPods = new Set(pods(cluster, HOTEL).map((p) => p.metadata.uid));
    injectFault(cluster, HOTEL, { kind: 'redeploy_without_pv' });
    cluster.advance(200_000);
    // A fresh namespace: every pod is new.
    expect(pods(cluster, HOTEL).some((p) => oldPods.has(p.metadata.uid))).toBe(false);
    const released = cluster.store
      .peekAll(PVS)
      .filter((pv) => (pv['status'] as JsonObject)['phase'] === 'Released');
    expect(released).toHaveLength(DATABASES.length);
    for (const pv of released)
      expect(((pv['spec'] as JsonObject)['claimRef'] as JsonObject)['namespace']).toBe(HOTEL);
    const claims = cluster.store.peekAll(PVCS, HOTEL);
    expect(claims.map((c) => (c['status'] as JsonObject)['phase'])).toEqual(DATABASES.map(() => 'Pending'));
    expect(
      events(cluster, HOTEL, 'FailedBinding').some((e) =>
        text(e['message']).includes('no persistent volumes available for this claim'),
      ),
    ).toBe(true);
    const { pending, failing } = trouble(cluster, HOTEL);
    expect(pending.map((n) => n.replace(/-[a-z0-9]+-[a-z0-9]+$/, '')).sort()).toEqual([...DATABASES].sort());
    expect(
      events(cluster, HOTEL, 'FailedScheduling').some((e) =>
        text(e['message']).includes('pod has unbound immediate PersistentVolumeClaims'),
      ),
    ).toBe(true);
    // The Go services that need a database crash-loop on "no reachable servers".
    expect(failing.length).toBeGreaterThanOrEqual(5);
    expect(logs(cluster, HOTEL, 'geo')).toContain('panic: no reachable servers');
    expect(component(health(cluster, HOTEL), 'mongodb-geo').reason).toMatch(/^Pending: /);
    // Wrong: restarting the crashing services.
    rolloutRestart(cluster, HOTEL, 'geo');
    cluster.advance(60_000);
    expect(trouble(cluster, HOTEL).pending.length).toBe(DATABASES.length);
    // Right: drop the stale claimRefs so the volumes become Available and the claims bind.
    for (const pv of released) {
      const name = text((pv['metadata'] as JsonObject)['name']);
      cluster.store.mutate(PVS, undefined, name, (o) => {
        delete (o['spec'] as JsonObject)['claimRef'];
      });
    }
    cluster.reconcile();
    expect(cluster.store.peekAll(PVCS, HOTEL).map((c) => (c['status'] as JsonObject)['phase'])).toEqual(
      DATABASES.map(() => 'Bound'),
    );
    cluster.advance(6 * 60_000);
    expectHealthy(cluster, HOTEL);
  });
});
