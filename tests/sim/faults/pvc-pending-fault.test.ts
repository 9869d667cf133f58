import { describe, expect, it } from 'vitest';
import { text } from '../../../aiopslab-harness/sim/api/json.js';
import type { JsonObject } from '../../../aiopslab-harness/sim/api/json.js';
import { hotelReservation } from '../../../aiopslab-harness/sim/apps/hotel-reservation.js';
import { socialNetwork } from '../../../aiopslab-harness/sim/apps/social-network.js';
import { injectFault } from '../../../aiopslab-harness/sim/faults/index.js';
import { PVCS, component, events, expectHealthy, health, rolloutRestart, trouble, up } from './helpers.js';

const HOTEL = hotelReservation.defaultNamespace;
const SOCIAL = socialNetwork.defaultNamespace;

/** What a person does: the class is immutable, so the claim (which never bound) is re-created with one that exists. */
function recreateClaim(cluster: ReturnType<typeof up>, namespace: string, name: string): void {
  const claim = cluster.store.get(PVCS, namespace, name)!;
  cluster.store.remove(PVCS, namespace, name);
  const spec = claim['spec'] as JsonObject;
  delete spec['storageClassName'];
  cluster.store.create(PVCS, { metadata: { name, namespace }, spec, status: { phase: 'Pending' } });
  cluster.reconcile();
}

describe('pvc_pending', () => {
  it('leaves a claim naming a missing StorageClass Pending and its pod unschedulable; a claim with a real class fixes it', () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, HOTEL, { kind: 'pvc_pending', target: 'mongodb-geo' });
    cluster.advance(120_000);
    const claim = cluster.store.peek(PVCS, HOTEL, 'mongodb-geo-pvc')!;
    expect((claim['status'] as { phase: string }).phase).toBe('Pending');
    expect(
      events(cluster, HOTEL, 'ProvisioningFailed').some(
        (e) => text(e['message']) === 'storageclass.storage.k8s.io "premium-rwo" not found',
      ),
    ).toBe(true);
    expect(
      events(cluster, HOTEL, 'FailedScheduling').some((e) =>
        text(e['message']).includes('pod has unbound immediate PersistentVolumeClaims'),
      ),
    ).toBe(true);
    expect(trouble(cluster, HOTEL).pending.some((p) => p.startsWith('mongodb-geo-'))).toBe(true);
    expect(component(health(cluster, HOTEL), 'mongodb-geo').reason).toMatch(/^Pending: /);

    // Restarting what fails because of it changes nothing.
    rolloutRestart(cluster, HOTEL, 'geo');
    cluster.advance(30_000);
    expect(trouble(cluster, HOTEL).pending.some((p) => p.startsWith('mongodb-geo-'))).toBe(true);

    recreateClaim(cluster, HOTEL, 'mongodb-geo-pvc');
    cluster.advance(240_000);
    expect((cluster.store.peek(PVCS, HOTEL, 'mongodb-geo-pvc')!['status'] as { phase: string }).phase).toBe(
      'Bound',
    );
    expectHealthy(cluster, HOTEL);
  });

  it('adds the claim to a workload that had none', () => {
    const cluster = up(socialNetwork);
    injectFault(cluster, SOCIAL, {
      kind: 'pvc_pending',
      target: 'user-mongodb',
      params: { storageClass: 'gp3' },
    });
    cluster.advance(60_000);
    expect(
      events(cluster, SOCIAL, 'ProvisioningFailed').some(
        (e) => text(e['message']) === 'storageclass.storage.k8s.io "gp3" not found',
      ),
    ).toBe(true);
    expect(trouble(cluster, SOCIAL).pending.some((p) => p.startsWith('user-mongodb-'))).toBe(true);
  });
});
