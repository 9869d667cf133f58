import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../aiopslab-harness/sim/api/json.js';
import { text } from '../../../aiopslab-harness/sim/api/json.js';
import { astronomyShop } from '../../../aiopslab-harness/sim/apps/astronomy-shop.js';
import { hotelReservation } from '../../../aiopslab-harness/sim/apps/hotel-reservation.js';
import { injectFault } from '../../../aiopslab-harness/sim/faults/index.js';
import {
  PVCS,
  PVS,
  component,
  events,
  expectHealthy,
  health,
  rolloutRestart,
  trouble,
  up,
} from './helpers.js';

const HOTEL = hotelReservation.defaultNamespace;
const ASTRO = astronomyShop.defaultNamespace;
const phaseOf = (o: JsonObject | undefined) => (o?.['status'] as { phase?: string } | undefined)?.phase;

/** What a person does: a PersistentVolume that satisfies the claim (aoi never creates one). */
function createVolume(
  cluster: ReturnType<typeof up>,
  name: string,
  size: string,
  modes: string[],
  sync = true,
): void {
  cluster.store.create(PVS, {
    metadata: { name },
    spec: {
      capacity: { storage: size },
      accessModes: modes,
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: '',
      hostPath: { path: `/mnt/data/${name}`, type: 'DirectoryOrCreate' },
    },
  });
  if (sync) cluster.reconcile();
}

describe('pvc_no_matching_pv', () => {
  it('leaves a claim no volume satisfies Pending (a Normal FailedBinding) and its pod unschedulable; a matching volume fixes it', () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, HOTEL, { kind: 'pvc_no_matching_pv', target: 'mongodb-geo' });
    cluster.advance(120_000);
    expect(phaseOf(cluster.store.peek(PVCS, HOTEL, 'mongodb-geo-pvc'))).toBe('Pending');
    // The hand-made volume is too small: it stays Available, unbound.
    expect(phaseOf(cluster.store.peek(PVS, undefined, `${HOTEL}-mongodb-geo-pv`))).toBe('Available');
    const binding = events(cluster, HOTEL, 'FailedBinding');
    expect(binding.map((e) => [e['type'], text(e['message'])])).toContainEqual([
      'Normal',
      'no persistent volumes available for this claim and no storage class is set',
    ]);
    expect(
      events(cluster, HOTEL, 'FailedScheduling').some((e) =>
        text(e['message']).includes('pod has unbound immediate PersistentVolumeClaims'),
      ),
    ).toBe(true);
    expect(trouble(cluster, HOTEL).pending.some((p) => p.startsWith('mongodb-geo-'))).toBe(true);
    expect(component(health(cluster, HOTEL), 'mongodb-geo').reason).toMatch(/^Pending: /);

    // Restarting what fails because of it changes nothing.
    rolloutRestart(cluster, HOTEL, 'geo');
    rolloutRestart(cluster, HOTEL, 'mongodb-geo');
    cluster.advance(60_000);
    expect(phaseOf(cluster.store.peek(PVCS, HOTEL, 'mongodb-geo-pvc'))).toBe('Pending');

    createVolume(cluster, 'mongodb-geo-10g', '10Gi', ['ReadWriteOnce']);
    cluster.advance(300_000);
    const claim = cluster.store.peek(PVCS, HOTEL, 'mongodb-geo-pvc');
    expect(phaseOf(claim)).toBe('Bound');
    expect((claim?.['spec'] as { volumeName?: string }).volumeName).toBe('mongodb-geo-10g');
    expectHealthy(cluster, HOTEL);
  });

  it('does not bind a volume with the wrong access mode, and of those that fit binds the smallest', () => {
    const cluster = up(astronomyShop);
    injectFault(cluster, ASTRO, {
      kind: 'pvc_no_matching_pv',
      target: 'valkey-cart',
      params: { mismatch: 'accessMode' },
    });
    cluster.advance(60_000);
    expect(phaseOf(cluster.store.peek(PVCS, ASTRO, 'valkey-cart-pvc'))).toBe('Pending');
    createVolume(cluster, 'rwx-big', '50Gi', ['ReadWriteMany', 'ReadWriteOnce'], false);
    createVolume(cluster, 'rwx-small', '5Gi', ['ReadWriteMany']);
    cluster.advance(120_000);
    const claim = cluster.store.peek(PVCS, ASTRO, 'valkey-cart-pvc');
    expect((claim?.['spec'] as { volumeName?: string }).volumeName).toBe('rwx-small');
    expect(phaseOf(cluster.store.peek(PVS, undefined, 'rwx-big'))).toBe('Available');
  });
});
