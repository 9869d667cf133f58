import { describe, expect, it } from 'vitest';
import { text } from '../../../aiopslab-harness/sim/api/json.js';
import type { JsonObject } from '../../../aiopslab-harness/sim/api/json.js';
import { hotelReservation } from '../../../aiopslab-harness/sim/apps/hotel-reservation.js';
import { JOBS } from '../../../aiopslab-harness/sim/faults/batch.js';
import { injectFault } from '../../../aiopslab-harness/sim/faults/index.js';
import { grantRole } from '../../../aiopslab-harness/sim/faults/mongo-state.js';
import type { Pod } from '../../../aiopslab-harness/sim/model.js';
import { PODS, events, pods, rolloutRestart, up } from './helpers.js';

const NS = hotelReservation.defaultNamespace;
const FAULT = { kind: 'job_backoff_limit_exceeded', target: 'mongodb-geo' } as const;

function jobPods(cluster: ReturnType<typeof up>, job: string): Pod[] {
  return cluster.store
    .peekAll(PODS, NS)
    .map((p) => p as unknown as Pod)
    .filter((p) => p.metadata.ownerReferences?.some((r) => r.kind === 'Job' && r.name === job))
    .sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp));
}

function conditions(
  cluster: ReturnType<typeof up>,
  job: string,
): { type: string; reason?: string; message?: string }[] {
  const status = cluster.store.peek(JOBS, NS, job)!['status'] as { conditions?: JsonObject[] };
  return (status.conditions ?? []).map((c) => ({
    type: text(c['type']),
    reason: text(c['reason']),
    message: text(c['message']),
  }));
}

function podLog(cluster: ReturnType<typeof up>, pod: Pod): string {
  const instance = cluster.logs.current(pod.metadata.uid, 'backup');
  return instance ? cluster.logs.render(instance, cluster.clock.now(), {}, (t) => t) : '';
}

describe('job_backoff_limit_exceeded', () => {
  it('retries with back-off until the Job controller gives up; only creating the user and re-creating the Job fixes it', () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, NS, FAULT);
    cluster.advance(180_000);
    const tries = jobPods(cluster, 'mongodb-geo-backup');
    // backoffLimit 2: the third failed pod ends it; 10 s, then 20 s between a failure and the next pod.
    expect(tries.map((p) => p.status.phase)).toEqual(['Failed', 'Failed', 'Failed']);
    expect(tries[0]!.metadata.labels).toMatchObject({
      'batch.kubernetes.io/job-name': 'mongodb-geo-backup',
      'job-name': 'mongodb-geo-backup',
    });
    expect(tries[0]!.metadata.labels?.['batch.kubernetes.io/controller-uid']).toBe(
      (cluster.store.peek(JOBS, NS, 'mongodb-geo-backup')!['metadata'] as { uid: string }).uid,
    );
    const started = tries.map((p) => Date.parse(p.metadata.creationTimestamp));
    const ended = tries.map((p) => Date.parse(p.status.containerStatuses![0]!.state.terminated!.finishedAt));
    expect(started[1]! - ended[0]!).toBeGreaterThanOrEqual(10_000);
    expect(started[1]! - ended[0]!).toBeLessThan(12_000);
    expect(started[2]! - ended[1]!).toBeGreaterThanOrEqual(20_000);
    expect(started[2]! - ended[1]!).toBeLessThan(22_000);
    expect(conditions(cluster, 'mongodb-geo-backup')).toEqual([
      {
        type: 'FailureTarget',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      },
      {
        type: 'Failed',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      },
    ]);
    const warning = events(cluster, NS, 'BackoffLimitExceeded');
    expect(warning).toHaveLength(1);
    expect(warning[0]).toMatchObject({
      type: 'Warning',
      message: 'Job has reached the specified backoff limit',
      source: { component: 'job-controller' },
    });
    expect(podLog(cluster, tries[2]!)).toContain('(AuthenticationFailed) Authentication failed.');

    // Restarting the database, or deleting the failed pods, starts nothing: a failed Job is finished.
    rolloutRestart(cluster, NS, 'mongodb-geo');
    for (const p of tries) cluster.controllers.kubelet.requestDeletion(p as unknown as JsonObject, 0);
    cluster.advance(120_000);
    expect(jobPods(cluster, 'mongodb-geo-backup')).toHaveLength(0);
    expect(conditions(cluster, 'mongodb-geo-backup').map((c) => c.type)).toContain('Failed');

    // The fix: a person creates the user the Job logs in as, then deletes and re-applies the Job.
    const mongo = pods(cluster, NS, 'mongodb-geo').find((p) => p.status.phase === 'Running')!;
    grantRole(cluster.world, mongo, 'backup', { role: 'backup', db: 'admin' });
    cluster.store.remove(JOBS, NS, 'mongodb-geo-backup');
    cluster.reconcile();
    injectFault(cluster, NS, FAULT);
    cluster.advance(60_000);
    expect(conditions(cluster, 'mongodb-geo-backup').map((c) => c.type)).toEqual([
      'SuccessCriteriaMet',
      'Complete',
    ]);
    expect(events(cluster, NS, 'Completed').some((e) => e['message'] === 'Job completed')).toBe(true);
    const done = jobPods(cluster, 'mongodb-geo-backup');
    expect(done.map((p) => p.status.phase)).toEqual(['Succeeded']);
    expect(podLog(cluster, done[0]!)).toContain('done dumping geo-db');
  });

  it('a backup that dials a name no Service has fails after the driver’s 30 s server selection', () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, NS, { ...FAULT, params: { mode: 'host' } });
    cluster.advance(180_000);
    const tries = jobPods(cluster, 'mongodb-geo-backup');
    expect(tries).toHaveLength(3);
    expect(podLog(cluster, tries[0]!)).toContain(
      'Last error: dial tcp: lookup mongodb-geo-primary on 10.96.0.10:53: no such host',
    );
    expect(conditions(cluster, 'mongodb-geo-backup').map((c) => c.type)).toEqual(['FailureTarget', 'Failed']);
  });
});
