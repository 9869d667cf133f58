import { describe, expect, it } from 'vitest';
import { text } from '../../../aiopslab-harness/sim/api/json.js';
import { astronomyShop } from '../../../aiopslab-harness/sim/apps/astronomy-shop.js';
import { hotelReservation } from '../../../aiopslab-harness/sim/apps/hotel-reservation.js';
import { injectFault } from '../../../aiopslab-harness/sim/faults/index.js';
import type { Deployment, Pod } from '../../../aiopslab-harness/sim/model.js';
import {
  events,
  expectHealthy,
  logs,
  patchDeployment,
  pods,
  restarts,
  rolloutRestart,
  trouble,
  up,
} from './helpers.js';

const ASTRO = astronomyShop.defaultNamespace;
const HOTEL = hotelReservation.defaultNamespace;
const live = (p: Pod) => !p.metadata.deletionTimestamp;

function main(d: Deployment, name: string) {
  const c = d.spec.template.spec.containers.find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
}

/** Age at death of a terminated container state, in seconds. */
function ranFor(state: { startedAt?: string; finishedAt?: string } | undefined): number {
  return (Date.parse(state?.finishedAt ?? '') - Date.parse(state?.startedAt ?? '')) / 1000;
}

describe('slow_start_liveness', () => {
  it('kills a slow-starting JVM at the same age each time, mid-start; restarting changes nothing; a startup probe clears it', () => {
    const cluster = up(astronomyShop);
    injectFault(cluster, ASTRO, { kind: 'slow_start_liveness', target: 'ad' });
    cluster.advance(180_000);
    const unhealthy = events(cluster, ASTRO, 'Unhealthy').map((e) => text(e['message']));
    expect(
      unhealthy.some((m) =>
        /^Liveness probe failed: dial tcp [\d.]+:8080: connect: connection refused$/.test(m),
      ),
    ).toBe(true);
    expect(events(cluster, ASTRO, 'Killing').map((e) => text(e['message']))).toContain(
      'Container ad failed liveness probe, will be restarted',
    );
    const [pod] = pods(cluster, ASTRO, 'ad').filter(live);
    expect(restarts(pod)).toBeGreaterThanOrEqual(2);
    const last = pod!.status.containerStatuses![0]!.lastState.terminated;
    expect(last).toMatchObject({ reason: 'Error', exitCode: 143 });
    // initialDelaySeconds 5, then failures at 5, 10 and 15 s: killed at 15 s, every time.
    expect(ranFor(last)).toBe(15);
    const previous = logs(cluster, ASTRO, 'ad', { previous: true });
    expect(previous).toContain('Ad service starting.');
    expect(previous).not.toContain('listening on 8080');

    rolloutRestart(cluster, ASTRO, 'ad');
    cluster.advance(120_000);
    const [again] = pods(cluster, ASTRO, 'ad').filter(live);
    expect(restarts(again)).toBeGreaterThanOrEqual(1);

    // The same endpoint, given 5 minutes to start (the docs' failureThreshold 30 × periodSeconds 10).
    patchDeployment(cluster, ASTRO, 'ad', (d) => {
      const c = main(d, 'ad');
      c.startupProbe = { tcpSocket: { port: 8080 }, periodSeconds: 10, failureThreshold: 30 };
    });
    cluster.advance(300_000);
    expectHealthy(cluster, ASTRO);
    const [fixed] = pods(cluster, ASTRO, 'ad').filter(live);
    expect(restarts(fixed)).toBe(0);
    expect(fixed!.status.containerStatuses![0]).toMatchObject({ started: true, ready: true });
    expect(logs(cluster, ASTRO, 'ad')).toContain('Ad service started, listening on 8080');
  });

  it('a startup probe holds the pod unready until it passes, then liveness takes over', () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, HOTEL, {
      kind: 'slow_start_liveness',
      target: 'mongodb-geo',
      params: { startSeconds: 60 },
    });
    cluster.advance(120_000);
    expect(trouble(cluster, HOTEL).failing.some((p) => p.startsWith('mongodb-geo-'))).toBe(true);
    expect(logs(cluster, HOTEL, 'mongodb-geo', { previous: true })).not.toContain('Waiting for connections');

    patchDeployment(cluster, HOTEL, 'mongodb-geo', (d) => {
      const c = main(d, 'hotel-reserv-geo-mongo');
      c.startupProbe = { tcpSocket: { port: 27017 }, periodSeconds: 10, failureThreshold: 30 };
    });
    cluster.advance(30_000);
    const starting = pods(cluster, HOTEL, 'mongodb-geo')
      .filter(live)
      .find((p) => restarts(p) === 0)!;
    expect(starting.status.containerStatuses![0]).toMatchObject({ started: false, ready: false });
    expect(
      events(cluster, HOTEL, 'Unhealthy').some((e) =>
        text(e['message']).startsWith('Startup probe failed: dial tcp '),
      ),
    ).toBe(true);
    cluster.advance(270_000);
    expectHealthy(cluster, HOTEL);
  });

  it('a liveness initialDelaySeconds past the start clears it too; a startup probe too short is killed as a startup failure', () => {
    const cluster = up(astronomyShop);
    injectFault(cluster, ASTRO, { kind: 'slow_start_liveness', target: 'ad' });
    cluster.advance(60_000);
    patchDeployment(cluster, ASTRO, 'ad', (d) => {
      main(d, 'ad').startupProbe = { tcpSocket: { port: 8080 }, periodSeconds: 5, failureThreshold: 2 };
    });
    cluster.advance(120_000);
    expect(events(cluster, ASTRO, 'Killing').map((e) => text(e['message']))).toContain(
      'Container ad failed startup probe, will be restarted',
    );
    patchDeployment(cluster, ASTRO, 'ad', (d) => {
      const c = main(d, 'ad');
      delete c.startupProbe;
      c.livenessProbe = { ...c.livenessProbe, initialDelaySeconds: 60 };
    });
    cluster.advance(300_000);
    expectHealthy(cluster, ASTRO);
  });
});
