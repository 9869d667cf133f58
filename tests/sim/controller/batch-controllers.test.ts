import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../aiopslab-harness/sim/api/json.js';
import { text } from '../../../aiopslab-harness/sim/api/json.js';
import { hotelReservation } from '../../../aiopslab-harness/sim/apps/hotel-reservation.js';
import { CRONJOBS, JOBS } from '../../../aiopslab-harness/sim/faults/batch.js';
import type { Pod } from '../../../aiopslab-harness/sim/model.js';
import { mostRecentRun, nextRun, parseCron } from '../../../src/core/cron.js';
import { PODS, events, up } from '../faults/helpers.js';

const NS = hotelReservation.defaultNamespace;
const at = (iso: string) => Date.parse(iso);

function job(name: string, script: string, spec: JsonObject = {}): JsonObject {
  return {
    metadata: { name, namespace: NS },
    spec: {
      ...spec,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'task', image: 'busybox:1.36', command: ['/bin/sh', '-c', script] }],
        },
      },
    },
  };
}

describe('the cron schedule', () => {
  it.each([
    ['0 2 * * *', '2026-01-01T02:00:00Z', '2026-01-02T02:00:00Z'],
    ['*/15 * * * *', '2026-01-01T00:07:00Z', '2026-01-01T00:15:00Z'],
    ['30 9 * * mon-fri', '2026-01-02T10:00:00Z', '2026-01-05T09:30:00Z'],
    ['0 0 1,15 * *', '2026-01-01T00:00:00Z', '2026-01-15T00:00:00Z'],
    ['0 0 13 * 5', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'],
    ['@monthly', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'],
    ['0 12 * 2 7', '2026-01-01T00:00:00Z', '2026-02-01T12:00:00Z'],
  ])('%s after %s is %s', (schedule, after, next) => {
    expect(new Date(nextRun(parseCron(schedule), at(after))!).toISOString()).toBe(
      new Date(next).toISOString(),
    );
  });

  it('counts missed runs as the controller does, and refuses what robfig/cron refuses', () => {
    expect(
      mostRecentRun(parseCron('0 * * * *'), at('2026-01-01T00:00:00Z'), at('2026-01-06T00:30:00Z')),
    ).toEqual({
      at: at('2026-01-06T00:00:00Z'),
      missed: 120,
    });
    expect(
      mostRecentRun(parseCron('0 2 * * *'), at('2026-01-01T02:00:00Z'), at('2026-01-01T03:00:00Z')),
    ).toBeUndefined();
    expect(() => parseCron('61 * * * *')).toThrow(/out of range/);
    expect(() => parseCron('* * * *')).toThrow(/exactly 5 fields/);
    expect(nextRun(parseCron('0 0 30 2 *'), at('2026-01-01T00:00:00Z'))).toBeUndefined();
  });
});

describe('the Job controller', () => {
  it('backs off 10 s, 20 s, 40 s … capped at 6 minutes between failed pods', () => {
    const cluster = up(hotelReservation);
    cluster.store.create(
      JOBS,
      job('always-fails', 'mongodump --host nowhere --collection x', { backoffLimit: 7 }),
    );
    cluster.advance(30 * 60_000);
    const tries = cluster.store
      .peekAll(PODS, NS)
      .map((p) => p as unknown as Pod)
      .filter((p) => p.metadata.ownerReferences?.[0]?.name === 'always-fails')
      .sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp));
    expect(tries).toHaveLength(8);
    const gaps = tries.slice(1).map((p, i) => {
      const ended = Date.parse(tries[i]!.status.containerStatuses![0]!.state.terminated!.finishedAt);
      return Math.round((Date.parse(p.metadata.creationTimestamp) - ended) / 1000);
    });
    expect(gaps).toEqual([10, 20, 40, 80, 160, 320, 360]);
    expect(events(cluster, NS, 'BackoffLimitExceeded')).toHaveLength(1);
  });
});

describe('the Job controller’s other ends', () => {
  it('fails a Job active past activeDeadlineSeconds (DeadlineExceeded) and starts nothing while suspended', () => {
    const cluster = up(hotelReservation);
    cluster.store.create(JOBS, job('hangs', 'sleep infinity', { activeDeadlineSeconds: 30 }));
    cluster.store.create(JOBS, job('paused', 'sleep 5', { suspend: true }));
    cluster.advance(45_000);
    const conditions = (name: string) =>
      ((cluster.store.peek(JOBS, NS, name)!['status'] as { conditions?: JsonObject[] }).conditions ?? []).map(
        (c) => `${text(c['type'])} ${text(c['reason'])}`,
      );
    expect(conditions('hangs')).toEqual(['FailureTarget DeadlineExceeded', 'Failed DeadlineExceeded']);
    expect(events(cluster, NS, 'DeadlineExceeded').map((e) => text(e['message']))).toEqual([
      'Job was active longer than specified deadline',
    ]);
    const owned = (name: string) =>
      cluster.store
        .peekAll(PODS, NS)
        .filter(
          (p) =>
            (p['metadata'] as { ownerReferences?: { name: string }[] }).ownerReferences?.[0]?.name === name,
        );
    expect(owned('hangs')).toEqual([]);
    expect(owned('paused')).toEqual([]);
    cluster.store.mutate(JOBS, NS, 'paused', (o) => {
      (o['spec'] as JsonObject)['suspend'] = false;
    });
    cluster.advance(20_000);
    expect(conditions('paused')).toEqual([
      'SuccessCriteriaMet CompletionsReached',
      'Complete CompletionsReached',
    ]);
  });
});

describe('the CronJob controller', () => {
  it('keeps three successful jobs; under Forbid a schedule missed while a run lasts starts late, or not at all past startingDeadlineSeconds', () => {
    const cluster = up(hotelReservation);
    cluster.store.create(CRONJOBS, {
      metadata: { name: 'tick', namespace: NS },
      spec: { schedule: '*/2 * * * *', jobTemplate: { spec: job('x', 'sleep 5')['spec'] as JsonObject } },
    });
    cluster.advance(12 * 60_000, 5_000);
    const owned = () =>
      cluster.store
        .peekAll(JOBS, NS)
        .filter(
          (j) =>
            (j['metadata'] as { ownerReferences?: { name: string }[] }).ownerReferences?.[0]?.name === 'tick',
        );
    expect(owned()).toHaveLength(3);
    expect(events(cluster, NS, 'SuccessfulDelete').length).toBeGreaterThan(0);

    // Forbid with a run longer than the period: a schedule that falls while it runs is started late, when it
    // ends; with startingDeadlineSeconds 60 it is dropped instead (the controller looks back no further than
    // the deadline, so the v2 arithmetic finds no run late enough for a MissSchedule event).
    for (const [name, deadline] of [
      ['late', undefined],
      ['slow', 60],
    ] as const)
      cluster.store.create(CRONJOBS, {
        metadata: { name, namespace: NS },
        spec: {
          schedule: '*/5 * * * *',
          ...(deadline === undefined ? {} : { startingDeadlineSeconds: deadline }),
          concurrencyPolicy: 'Forbid',
          jobTemplate: { spec: job('x', 'sleep 420')['spec'] as JsonObject },
        },
      });
    cluster.advance(20 * 60_000, 5_000);
    const runs = (cron: string) =>
      cluster.store
        .peekAll(JOBS, NS)
        .filter(
          (j) =>
            (j['metadata'] as { ownerReferences?: { name: string }[] }).ownerReferences?.[0]?.name === cron,
        )
        .map((j) => Number(text((j['metadata'] as JsonObject)['name']).split('-')[1]) % 60);
    expect(runs('late').sort((a, b) => a - b)).toEqual([15, 20, 25]);
    expect(runs('slow').sort((a, b) => a - b)).toEqual([15, 25]);
    expect(events(cluster, NS, 'JobAlreadyActive').length).toBeGreaterThan(0);
    expect(events(cluster, NS, 'MissSchedule')).toEqual([]);
  });
});
