/**
 * The on-call catalog's batch faults (docs/oncall-catalog.md). The apps ship no Jobs, so each fault adds the
 * batch work a team runs beside them, as `kubectl apply` would; the Job and CronJob controllers and the batch
 * task model (batch-tasks.ts) derive every symptom.
 *
 * job_backoff_limit_exceeded: a backup Job of the target database whose container exits non-zero on every
 * try, until the Job controller gives up (BackoffLimitExceeded). `params.mode`:
 *   - `auth` (default, MongoDB targets): it connects as user `backup`, which the database does not have
 *     (AuthenticationFailed). Fix: a person creates the user (or points the Job at one that exists), then
 *     re-creates the Job (a Job's pod template is immutable; a failed Job never runs again).
 *   - `host`: it dials `<target>-primary`, a name no Service has (no such host). Fix: correct the host, re-create.
 *   - `argument` (MongoDB): `mongodump --collection` without `--db`, refused at once. Fix: the argument.
 * cronjob_not_running: a nightly backup CronJob of the target database that has not run for days.
 *   - `suspended` (default): `spec.suspend: true` left in place after maintenance, lastScheduleTime
 *     `params.days` (9) days ago. Fix: a person decides it may run again and un-suspends it.
 *   - `forbid`: hourly, concurrencyPolicy Forbid, and the run started `params.days` (5) days ago still waits
 *     for a replica host that does not exist: every schedule since is skipped (JobAlreadyActive; over 100
 *     missed: TooManyMissedTimes). Fix: a person deletes the stuck Job (and fixes what it waits for).
 */
import type { JsonObject } from '../api/json.js';
import { resourceByKind } from '../api/resources.js';
import type { SimCluster } from '../cluster.js';
import { R, componentNamed, databaseName, protocolOf } from './topology.js';
import type { Injector } from './util.js';
import { appIn, faultError, param, targetOf } from './util.js';

export const JOBS = resourceByKind('Job');
export const CRONJOBS = resourceByKind('CronJob');
const DAY = 86_400_000;
const HOUR = 3_600_000;

function databaseOf(cluster: SimCluster, namespace: string, target: string) {
  const component = componentNamed(appIn(cluster, namespace).app, target);
  if (!component) throw faultError(`namespace ${namespace} has no component ${target}`);
  const protocol = protocolOf(component);
  if (protocol !== 'mongodb' && protocol !== 'redis')
    throw faultError(`${target} is not a MongoDB or Redis-protocol database`);
  return { component, protocol, port: component.ports[0]?.port ?? (protocol === 'mongodb' ? 27017 : 6379) };
}

/** The backup command, pointed at `host`, as user `user` (MongoDB), optionally with a broken argument. */
function backupScript(
  protocol: 'mongodb' | 'redis',
  host: string,
  port: number,
  db: string,
  options: { user?: string; badArgument?: boolean } = {},
): { image: string; script: string } {
  if (protocol === 'redis')
    return { image: 'redis:7.2', script: `redis-cli -h ${host} -p ${port} --rdb /backup/dump.rdb` };
  const credentials = options.user ? `${options.user}:$(MONGO_PASSWORD)@` : '';
  const where = options.badArgument
    ? `--host ${host} --port ${port} --collection hotels`
    : `--uri=mongodb://${credentials}${host}:${port}/${db}`;
  return { image: 'mongo:4.4.6', script: `mongodump ${where} --gzip --archive=/backup/${db}.archive.gz` };
}

function podTemplate(image: string, script: string, secret?: string): JsonObject {
  return {
    metadata: { labels: { 'app.kubernetes.io/component': 'backup' } },
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'backup',
          image,
          command: ['/bin/sh', '-c', script],
          ...(secret
            ? {
                env: [
                  { name: 'MONGO_PASSWORD', valueFrom: { secretKeyRef: { name: secret, key: 'password' } } },
                ],
              }
            : {}),
          volumeMounts: [{ name: 'backup', mountPath: '/backup' }],
        },
      ],
      volumes: [{ name: 'backup', emptyDir: {} }],
    },
  };
}

function credentialsSecret(cluster: SimCluster, namespace: string, name: string): void {
  if (cluster.store.peek(R.secrets, namespace, name)) return;
  cluster.store.create(R.secrets, {
    metadata: { name, namespace },
    type: 'Opaque',
    data: { password: Buffer.from('b4ckup-2026').toString('base64') },
  });
}

export const jobBackoffLimitExceeded: Injector = (cluster, namespace, fault) => {
  const target = targetOf(fault);
  const { protocol, port } = databaseOf(cluster, namespace, target);
  const mode = param(fault, 'mode') ?? (protocol === 'mongodb' ? 'auth' : 'host');
  if (!['auth', 'host', 'argument'].includes(mode))
    throw faultError('job_backoff_limit_exceeded: mode is auth, host or argument');
  if (protocol === 'redis' && mode !== 'host')
    throw faultError(`job_backoff_limit_exceeded: ${target} only supports mode host`);
  const name = param(fault, 'job') ?? `${target}-backup`;
  const secret = protocol === 'mongodb' && mode === 'auth' ? `${name}-credentials` : undefined;
  if (secret) credentialsSecret(cluster, namespace, secret);
  const host = mode === 'host' ? `${target}-primary` : target;
  const { image, script } = backupScript(protocol, host, port, databaseName(target), {
    ...(mode === 'auth' ? { user: 'backup' } : {}),
    badArgument: mode === 'argument',
  });
  cluster.store.create(JOBS, {
    metadata: { name, namespace, labels: { 'app.kubernetes.io/component': 'backup' } },
    spec: {
      backoffLimit: Number(param(fault, 'backoffLimit') ?? 2),
      template: podTemplate(image, script, secret),
    },
  });
  cluster.reconcile();
};

export const cronJobNotRunning: Injector = (cluster, namespace, fault) => {
  const target = targetOf(fault);
  const { protocol, port } = databaseOf(cluster, namespace, target);
  const mode = param(fault, 'mode') ?? 'suspended';
  if (mode !== 'suspended' && mode !== 'forbid')
    throw faultError('cronjob_not_running: mode is suspended or forbid');
  const name = param(fault, 'cronjob') ?? `${target}-nightly-backup`;
  const forbid = mode === 'forbid';
  const now = cluster.clock.now();
  const days = Number(param(fault, 'days') ?? (forbid ? 5 : 9));
  const schedule = forbid ? '0 * * * *' : '0 2 * * *';
  const lastRun = forbid
    ? Math.floor((now - days * DAY) / HOUR) * HOUR
    : Math.floor((now - days * DAY) / DAY) * DAY + 2 * HOUR;
  const { image, script } = backupScript(protocol, target, port, databaseName(target));
  // The forbid case: the run waits for a replica that was never created, so it never finishes.
  const waiting = `until nc -z ${target}-replica ${port}; do echo "waiting for ${target}-replica:${port}"; sleep 10; done; ${script}`;
  const jobTemplate = {
    metadata: { labels: { 'app.kubernetes.io/component': 'backup' } },
    spec: { backoffLimit: 1, template: podTemplate(image, forbid ? waiting : script) },
  };
  const iso = (ms: number) => cluster.clock.iso(ms);
  const cronJob = cluster.store.create(CRONJOBS, {
    metadata: { name, namespace, labels: { 'app.kubernetes.io/component': 'backup' } },
    spec: {
      schedule,
      suspend: !forbid,
      concurrencyPolicy: forbid ? 'Forbid' : 'Allow',
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate,
    },
    status: forbid
      ? { lastScheduleTime: iso(lastRun) }
      : { lastScheduleTime: iso(lastRun), lastSuccessfulTime: iso(lastRun + 4 * 60_000) },
  });
  if (forbid) {
    const meta = cronJob['metadata'] as { uid: string };
    const jobName = `${name}-${Math.floor(lastRun / 60_000)}`;
    const job = cluster.store.create(JOBS, {
      metadata: {
        name: jobName,
        namespace,
        labels: { 'app.kubernetes.io/component': 'backup' },
        annotations: { 'batch.kubernetes.io/cronjob-scheduled-timestamp': iso(lastRun) },
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            name,
            uid: meta.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: jobTemplate.spec,
      status: { startTime: iso(lastRun + 1000) },
    });
    const jobMeta = job['metadata'] as { uid: string; resourceVersion: string };
    cluster.store.mutate(CRONJOBS, namespace, name, (o) => {
      (o['status'] as Record<string, unknown>)['active'] = [
        {
          kind: 'Job',
          namespace,
          name: jobName,
          uid: jobMeta.uid,
          apiVersion: 'batch/v1',
          resourceVersion: jobMeta.resourceVersion,
        },
      ];
    });
  }
  cluster.reconcile();
};

/**
 * Healthy batch work beside the app (noise `healthy_batch`): a migration Job that completes and a CronJob
 * every two minutes whose runs complete on time. Nothing about them is an incident.
 */
export function healthyBatch(cluster: SimCluster, namespace: string): void {
  const quick = (seconds: number) =>
    podTemplate('busybox:1.36', `echo "applying migrations"; sleep ${seconds}; echo "done"`);
  cluster.store.create(JOBS, {
    metadata: { name: 'schema-migrate', namespace, labels: { 'app.kubernetes.io/component': 'migration' } },
    spec: { backoffLimit: 2, template: quick(3) },
  });
  cluster.store.create(CRONJOBS, {
    metadata: { name: 'report-cleanup', namespace, labels: { 'app.kubernetes.io/component': 'cleanup' } },
    spec: {
      schedule: '*/2 * * * *',
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { spec: { backoffLimit: 1, template: quick(5) } },
    },
  });
  cluster.reconcile();
}
