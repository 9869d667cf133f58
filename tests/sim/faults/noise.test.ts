import { FaultKind } from '../../../aiopslab-harness/bench/problem.js';
import { describe, expect, it } from 'vitest';
import { astronomyShop } from '../../../aiopslab-harness/sim/apps/astronomy-shop.js';
import { hotelReservation } from '../../../aiopslab-harness/sim/apps/hotel-reservation.js';
import { socialNetwork } from '../../../aiopslab-harness/sim/apps/social-network.js';
import {
  FAULT_KINDS,
  NOISE_KINDS,
  injectFault,
  injectNoise,
} from '../../../aiopslab-harness/sim/faults/index.js';
import type { Deployment } from '../../../aiopslab-harness/sim/model.js';
import { CRONJOBS, JOBS } from '../../../aiopslab-harness/sim/faults/batch.js';
import { DEPLOYMENTS, expectHealthy, logs, pods, restarts, up } from './helpers.js';

const HOTEL = hotelReservation.defaultNamespace;

describe('noise stays benign', () => {
  it.each([hotelReservation, socialNetwork, astronomyShop])('every distractor at once on $name', (app) => {
    const ns = app.defaultNamespace;
    const cluster = up(app);
    for (const kind of NOISE_KINDS) injectNoise(cluster, ns, kind);
    cluster.advance(300_000);
    expectHealthy(cluster, ns);
  });

  it('benign_error_logs: the frontend prints ERROR lines that mean nothing', () => {
    const cluster = up(hotelReservation);
    expect(logs(cluster, HOTEL, 'frontend')).not.toContain(' ERR ');
    injectNoise(cluster, HOTEL, 'benign_error_logs');
    cluster.advance(300_000);
    expect(logs(cluster, HOTEL, 'frontend')).toContain(
      'ERR services/frontend/server.go:64 > open static/favicon.ico',
    );
    expectHealthy(cluster, HOTEL);
  });

  it('completed_job: a wrk2 pod that ran to completion', () => {
    const cluster = up(hotelReservation);
    injectNoise(cluster, HOTEL, 'completed_job');
    cluster.advance(60_000);
    const job = pods(cluster, HOTEL).find((p) => p.metadata.name.startsWith('wrk2-job-'));
    expect(job?.status.phase).toBe('Succeeded');
    expect(job?.status.containerStatuses?.[0]?.state.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
    const instance = cluster.logs.current(job!.metadata.uid, 'wrk2')!;
    expect(cluster.logs.render(instance, cluster.clock.now(), {}, (t) => t)).toContain('Requests/sec:');
    expectHealthy(cluster, HOTEL);
  });

  it('healthy_batch: a migration Job that completes and a CronJob whose runs complete on time', () => {
    const cluster = up(hotelReservation);
    injectNoise(cluster, HOTEL, 'healthy_batch');
    cluster.advance(300_000);
    const job = cluster.store.peek(JOBS, HOTEL, 'schema-migrate')!;
    expect((job['status'] as { succeeded?: number }).succeeded).toBe(1);
    const cron = cluster.store.peek(CRONJOBS, HOTEL, 'report-cleanup')!['status'] as {
      lastScheduleTime: string;
      lastSuccessfulTime: string;
    };
    expect(cluster.clock.now() - Date.parse(cron.lastScheduleTime)).toBeLessThanOrEqual(120_000);
    // The latest run may still be running; the one before it finished.
    expect(cluster.clock.now() - Date.parse(cron.lastSuccessfulTime)).toBeLessThanOrEqual(130_000);
    expectHealthy(cluster, HOTEL);
  });

  it('recent_rollout: a healthy deployment rolled to a new ReplicaSet', () => {
    const cluster = up(hotelReservation);
    const before = pods(cluster, HOTEL, 'recommendation')[0]!.metadata.name;
    injectNoise(cluster, HOTEL, 'recent_rollout');
    cluster.advance(60_000);
    const deploy = cluster.store.peek(DEPLOYMENTS, HOTEL, 'recommendation') as unknown as Deployment;
    expect(deploy.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeDefined();
    expect(pods(cluster, HOTEL, 'recommendation')[0]!.metadata.name).not.toBe(before);
    expectHealthy(cluster, HOTEL);
  });

  it('restarted_once: one container exited once and has run fine since', () => {
    const cluster = up(hotelReservation);
    injectNoise(cluster, HOTEL, 'restarted_once');
    cluster.advance(300_000);
    const [pod] = pods(cluster, HOTEL, 'reservation');
    expect(restarts(pod)).toBe(1);
    expect(pod!.status.containerStatuses![0]!.lastState.terminated).toMatchObject({ exitCode: 2 });
    expect(pod!.status.containerStatuses![0]!.ready).toBe(true);
    expectHealthy(cluster, HOTEL);
  });

  it('noop changes nothing; unknown kinds are refused', () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, HOTEL, { kind: 'noop' });
    cluster.advance(300_000);
    expectHealthy(cluster, HOTEL);
    expect(() => injectFault(cluster, HOTEL, { kind: 'no_such_fault' })).toThrow(/unknown fault kind/);
    expect(() => injectNoise(cluster, HOTEL, 'no_such_noise')).toThrow(/unknown noise kind/);
    // Every kind a problem may name (AIOpsLab's 16 and the on-call catalog's) has an injector, and no other.
    expect([...FAULT_KINDS].sort()).toEqual([...FaultKind.options].sort());
  });
});
