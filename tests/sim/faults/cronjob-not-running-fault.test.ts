import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../aiopslab-harness/sim/api/json.js';
import { text } from '../../../aiopslab-harness/sim/api/json.js';
import { hotelReservation } from '../../../aiopslab-harness/sim/apps/hotel-reservation.js';
import { CRONJOBS, JOBS } from '../../../aiopslab-harness/sim/faults/batch.js';
import { injectFault } from '../../../aiopslab-harness/sim/faults/index.js';
import { events, rolloutRestart, up } from './helpers.js';

const NS = hotelReservation.defaultNamespace;

function cronStatus(cluster: ReturnType<typeof up>, name: string) {
  return cluster.store.peek(CRONJOBS, NS, name)!['status'] as {
    lastScheduleTime?: string;
    lastSuccessfulTime?: string;
    active?: { name: string }[];
  };
}

function jobsOf(cluster: ReturnType<typeof up>, cron: string): string[] {
  return cluster.store
    .peekAll(JOBS, NS)
    .map((j) => j['metadata'] as { name: string; ownerReferences?: { name: string }[] })
    .filter((m) => m.ownerReferences?.some((r) => r.name === cron))
    .map((m) => m.name)
    .sort();
}

function messages(cluster: ReturnType<typeof up>, reason: string): string[] {
  return events(cluster, NS, reason).map((e) => text(e['message']));
}

describe('cronjob_not_running', () => {
  it('a suspended nightly CronJob starts nothing until a person resumes it; then it runs the latest missed schedule', () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, NS, { kind: 'cronjob_not_running', target: 'mongodb-profile' });
    const name = 'mongodb-profile-nightly-backup';
    const before = cronStatus(cluster, name);
    expect(before.lastScheduleTime).toBe('2025-12-23T02:00:00Z');
    // A day passes (on the driven clock): 02:00 comes and goes, nothing starts.
    cluster.clock.advance(26 * 3_600_000);
    cluster.reconcile();
    expect(jobsOf(cluster, name)).toEqual([]);
    expect(cronStatus(cluster, name)).toEqual(before);

    // Restarting the database it backs up changes nothing.
    rolloutRestart(cluster, NS, 'mongodb-profile');
    cluster.advance(60_000);
    expect(jobsOf(cluster, name)).toEqual([]);

    // The fix: a person resumes it. The controller starts the most recent missed run at once, and it completes.
    cluster.store.mutate(CRONJOBS, NS, name, (o) => {
      (o['spec'] as JsonObject)['suspend'] = false;
    });
    cluster.advance(30_000);
    const minutes = Math.floor(Date.parse('2026-01-02T02:00:00Z') / 60_000);
    expect(jobsOf(cluster, name)).toEqual([`${name}-${minutes}`]);
    expect(messages(cluster, 'SuccessfulCreate')).toContain(`Created job ${name}-${minutes}`);
    expect(messages(cluster, 'SawCompletedJob')).toContain(
      `Saw completed job: ${name}-${minutes}, condition: Complete`,
    );
    const after = cronStatus(cluster, name);
    expect(after.lastScheduleTime).toBe('2026-01-02T02:00:00Z');
    expect(after.lastSuccessfulTime! > '2026-01-02T02:00:00Z').toBe(true);
    expect(after.active).toBeUndefined();
  });

  it('a hung run under concurrencyPolicy Forbid blocks every schedule (JobAlreadyActive, TooManyMissedTimes) until a person removes it', () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, NS, {
      kind: 'cronjob_not_running',
      target: 'mongodb-rate',
      params: { mode: 'forbid' },
    });
    const name = 'mongodb-rate-nightly-backup';
    const stuck = cronStatus(cluster, name).active![0]!.name;
    expect(messages(cluster, 'TooManyMissedTimes')).toEqual([
      'too many missed start times: 120. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
    ]);
    expect(messages(cluster, 'JobAlreadyActive')).toEqual([
      'Not starting job because prior execution is running and concurrency policy is Forbid',
    ]);
    // The next hourly schedule is skipped again.
    cluster.advance(3_600_000, 60_000);
    expect(jobsOf(cluster, name)).toEqual([stuck]);
    expect(events(cluster, NS, 'JobAlreadyActive')[0]!['count']).toBe(2);

    // The fix: a person makes the run stop waiting for a replica that does not exist, and deletes the hung one.
    cluster.store.mutate(CRONJOBS, NS, name, (o) => {
      const template = ((o['spec'] as JsonObject)['jobTemplate'] as JsonObject)['spec'] as JsonObject;
      const container = (
        ((template['template'] as JsonObject)['spec'] as JsonObject)['containers'] as JsonObject[]
      )[0]!;
      const script = (container['command'] as string[])[2]!;
      container['command'] = ['/bin/sh', '-c', script.slice(script.indexOf('done; ') + 'done; '.length)];
    });
    cluster.store.remove(JOBS, NS, stuck);
    cluster.advance(60_000);
    expect(messages(cluster, 'MissingJob')).toEqual([`Active job went missing: ${stuck}`]);
    const status = cronStatus(cluster, name);
    expect(status.lastScheduleTime! > '2026-01-01T00:00:00Z').toBe(true);
    expect(status.lastSuccessfulTime).toBeDefined();
    expect(jobsOf(cluster, name)).toHaveLength(1);
  });
});
