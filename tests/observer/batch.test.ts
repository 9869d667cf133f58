import { afterEach, describe, expect, it } from 'vitest';
import { SimServer } from '../../aiopslab-harness/sim/index.js';
import { analyzeBatch } from '../../src/observer/analyzers/batch.js';
import { observe } from '../../src/observer/observe.js';
import { diagnoseByRules } from '../../src/reasoner/rules-backend.js';
import { apiReader, prepareCluster } from './sim-helpers.js';

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function evidenceOf(scenario: Parameters<typeof prepareCluster>[0]) {
  const { cluster, namespace } = prepareCluster(scenario);
  server = await SimServer.start({ cluster });
  const observed = await observe(apiReader(server), {
    namespace,
    maxEvidenceTokens: 8000,
    now: () => new Date(cluster.clock.now()),
  });
  if (!observed.ok) throw new Error(observed.error.message);
  return { namespace, report: observed.value };
}

describe('batch work', () => {
  it('a backup Job past its backoff limit is the root, and its log says the database refused its user', async () => {
    const { namespace, report } = await evidenceOf({
      app: 'hotel-reservation',
      fault: 'job_backoff_limit_exceeded',
      target: 'mongodb-geo',
    });
    const found = report.evidence.find((e) => e.signal === 'JobFailed');
    expect(found).toMatchObject({
      severity: 'error',
      component: 'mongodb-geo-backup',
      subject: { kind: 'Job', name: 'mongodb-geo-backup', namespace },
      attributes: {
        reason: 'BackoffLimitExceeded',
        cause: 'authentication',
        dependency: 'mongodb-geo',
        failedPods: 3,
      },
    });
    expect(found?.excerpt).toContain('Job has reached the specified backoff limit');
    expect(found?.excerpt).toContain('(AuthenticationFailed) Authentication failed.');
    const diagnosis = diagnoseByRules({ evidence: report.evidence, namespace });
    expect(diagnosis.faultyComponents).toEqual(['mongodb-geo-backup']);
    expect(diagnosis.rootCause).toMatchObject({
      systemLevel: 'Application',
      faultType: 'Authentication Issue',
    });
    expect(diagnosis.rootCause?.summary).toContain('it cannot authenticate to mongodb-geo');
    expect(diagnosis.rootCause?.summary).toContain('Authentication failed.');
    expect(diagnosis.hypotheses[0]?.evidence).toContain(found!.id);
    expect(diagnosis.proposals).toEqual([]);
  });

  it('a Job that dials a host no Service has is a misconfiguration, and says the name does not resolve', async () => {
    const { namespace, report } = await evidenceOf({
      app: 'astronomy-shop',
      fault: 'job_backoff_limit_exceeded',
      target: 'valkey-cart',
    });
    const found = report.evidence.find((e) => e.signal === 'JobFailed');
    expect(found?.attributes).toMatchObject({ cause: 'unreachable', dependency: 'valkey-cart-primary' });
    expect(found?.excerpt).toContain(
      'Could not connect to Redis at valkey-cart-primary:6379: Name or service not known',
    );
    const diagnosis = diagnoseByRules({ evidence: report.evidence, namespace });
    expect(diagnosis.faultyComponents).toEqual(['valkey-cart-backup']);
    expect(diagnosis.rootCause).toMatchObject({ systemLevel: 'Application', faultType: 'Misconfiguration' });
  });

  it('a suspended CronJob that missed eight nightly runs is the root; nothing is proposed', async () => {
    const { namespace, report } = await evidenceOf({
      app: 'social-network',
      fault: 'cronjob_not_running',
      target: 'user-mongodb',
    });
    const found = report.evidence.find((e) => e.signal === 'CronJobNotRunning');
    expect(found).toMatchObject({
      component: 'user-mongodb-nightly-backup',
      attributes: { suspended: true, missedRuns: 8, schedule: '0 2 * * *' },
    });
    const diagnosis = diagnoseByRules({ evidence: report.evidence, namespace });
    expect(diagnosis.faultyComponents).toEqual(['user-mongodb-nightly-backup']);
    expect(diagnosis.rootCause).toMatchObject({
      systemLevel: 'Virtualization',
      faultType: 'Operation Error',
    });
    expect(diagnosis.rootCause?.summary).toContain('because it is suspended');
    expect(diagnosis.proposals).toEqual([]);
  });

  it('a Forbid CronJob blocked by a hung run names the run and what it waits for', async () => {
    const { namespace, report } = await evidenceOf({
      app: 'hotel-reservation',
      fault: 'cronjob_not_running',
      target: 'mongodb-rate',
      params: { mode: 'forbid' },
    });
    const found = report.evidence.find((e) => e.signal === 'CronJobNotRunning');
    expect(found?.attributes).toMatchObject({
      suspended: false,
      concurrencyPolicy: 'Forbid',
      missedRuns: 120,
    });
    expect(found?.attributes?.['activeJob']).toMatch(/^mongodb-rate-nightly-backup-\d+$/);
    expect(found?.excerpt).toContain('TooManyMissedTimes');
    const diagnosis = diagnoseByRules({ evidence: report.evidence, namespace });
    expect(diagnosis.faultyComponents).toEqual(['mongodb-rate-nightly-backup']);
    expect(diagnosis.rootCause?.summary).toContain('waiting for mongodb-rate-replica:27017');
  });

  it('a completed Job and a CronJob running on time are no incident', async () => {
    const { namespace, report } = await evidenceOf({ app: 'hotel-reservation', noise: 'healthy_batch' });
    expect(
      report.evidence.filter((e) => e.signal === 'JobFailed' || e.signal === 'CronJobNotRunning'),
    ).toEqual([]);
    expect(report.coverage.kinds).toMatchObject({ jobs: 3, cronjobs: 1 });
    expect(report.incident).toBe(false);
    expect(diagnoseByRules({ evidence: report.evidence, namespace }).detected).toBe(false);
  });
});

describe('a CronJob judged by its schedule and status alone', () => {
  const now = '2026-01-10T12:00:00Z';
  const cron = (spec: Record<string, unknown>, status: Record<string, unknown>) => ({
    metadata: { name: 'nightly', namespace: 'ops', creationTimestamp: '2025-12-01T00:00:00Z' },
    spec: { schedule: '0 2 * * *', ...spec },
    status,
  });
  const judge = (cj: ReturnType<typeof cron>) =>
    analyzeBatch({ jobs: [], cronJobs: [cj], pods: [], events: [], logs: [], now }).map((f) => [
      f.signal,
      f.severity,
      f.attributes?.['missedRuns'],
    ]);

  it.each([
    ['ran today', {}, { lastScheduleTime: '2026-01-10T02:00:00Z' }, []],
    ['one run late (a controller lag)', {}, { lastScheduleTime: '2026-01-09T02:00:00Z' }, []],
    [
      'two runs missed',
      {},
      { lastScheduleTime: '2026-01-08T02:00:00Z' },
      [['CronJobNotRunning', 'error', 2]],
    ],
    ['never ran since its creation', {}, {}, [['CronJobNotRunning', 'error', 41]]],
    [
      'two missed in another time zone',
      { timeZone: 'Asia/Tokyo' },
      { lastScheduleTime: '2026-01-08T02:00:00Z' },
      [],
    ],
    [
      'a schedule it cannot read',
      { schedule: 'CRON_TZ=UTC 0 2 * * *' },
      {},
      [['CronJobScheduleUnread', 'info', undefined]],
    ],
  ])('%s', (_name, spec, status, expected) => {
    expect(judge(cron(spec, status))).toEqual(expected);
  });
});
