/**
 * The CronJob controller (kubernetes/kubernetes pkg/controller/cronjob/cronjob_controllerv2.go syncCronJob,
 * utils.go), in UTC, with its events in its own words:
 *   - finished Jobs leave `status.active` (Normal SawCompletedJob "Saw completed job: <name>, condition:
 *     <Complete|Failed>"); a succeeded one moves `status.lastSuccessfulTime`; an active Job that is gone is
 *     dropped (Normal MissingJob "Active job went missing: <name>");
 *   - `spec.suspend` true: nothing is started;
 *   - the most recent unmet schedule time after max(lastScheduleTime or creation, now − startingDeadlineSeconds);
 *     more than 100 of them → Warning TooManyMissedTimes "too many missed start times: <n>. Set or decrease
 *     .spec.startingDeadlineSeconds or check clock skew" (the run still starts);
 *   - later than startingDeadlineSeconds → Warning MissSchedule "Missed scheduled time to start a job: <RFC1123Z>";
 *     (kept as the code has it; since the look-back itself stops at now − startingDeadlineSeconds, a run that
 *     late is only found through the even-period estimate of uneven schedules: a dropped run is usually silent);
 *   - concurrencyPolicy Forbid with a Job active → Normal JobAlreadyActive "Not starting job because prior
 *     execution is running and concurrency policy is Forbid"; Replace deletes the active ones first;
 *   - otherwise a Job `<cronjob>-<scheduled unix minutes>` from the jobTemplate (Normal SuccessfulCreate
 *     "Created job <name>"), added to `status.active`, and `status.lastScheduleTime` set to the scheduled time;
 *   - finished Jobs beyond successfulJobsHistoryLimit (3) / failedJobsHistoryLimit (1) are deleted, oldest
 *     first (Normal SuccessfulDelete "Deleted job <name>").
 * It wakes itself at the next schedule time. `spec.timeZone` is not modelled (UTC).
 */
import type { JsonObject } from '../api/json.js';
import { cloneJson } from '../api/json.js';
import { resourceByKind } from '../api/resources.js';
import { asView } from '../model.js';
import { CronError, mostRecentRun, nextRun, parseCron } from '../../../src/core/cron.js';
import type { ControllerContext } from './context.js';
import type { JobView } from './jobs.js';
import { jobFinished } from './jobs.js';

const CRONJOBS = resourceByKind('CronJob');
const JOBS = resourceByKind('Job');
const SOURCE = { component: 'cronjob-controller' };
const MAX_MISSED = 100;

interface ActiveRef {
  kind?: string;
  namespace?: string;
  name: string;
  uid: string;
  apiVersion?: string;
  resourceVersion?: string;
}

export interface CronJobView {
  metadata: { name: string; namespace?: string; uid: string; creationTimestamp: string };
  spec: {
    schedule: string;
    suspend?: boolean;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
    jobTemplate: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: JsonObject;
    };
  };
  status?: { active?: ActiveRef[]; lastScheduleTime?: string; lastSuccessfulTime?: string };
}

/** `time.RFC1123Z` of a UTC time, as the MissSchedule event prints it. */
function rfc1123z(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

export class CronJobController {
  private readonly wakeUps = new Map<string, { at: number; cancel: () => void }>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly enqueue: (key: string) => void,
  ) {}

  sync(namespace: string, name: string): void {
    const json = this.ctx.store.peek(CRONJOBS, namespace, name);
    if (!json) return;
    const cj = asView<CronJobView>(cloneJson(json));
    const status = (cj.status ??= {});
    const active = [...(status.active ?? [])];
    const jobs = this.ctx.store.peekOwnedBy(cj.metadata.uid).map((j) => asView<JobView>(j));
    for (const job of jobs) {
      const finished = jobFinished(job);
      const listed = active.some((a) => a.uid === job.metadata.uid);
      if (!finished && !listed)
        this.event(
          json,
          'Warning',
          'UnexpectedJob',
          `Saw a job that the controller did not create or forgot: ${job.metadata.name}`,
        );
      if (!finished) continue;
      if (listed) {
        active.splice(
          active.findIndex((a) => a.uid === job.metadata.uid),
          1,
        );
        this.event(
          json,
          'Normal',
          'SawCompletedJob',
          `Saw completed job: ${job.metadata.name}, condition: ${finished}`,
        );
      }
      const done = job.status?.completionTime;
      if (finished === 'Complete' && done && (!status.lastSuccessfulTime || done > status.lastSuccessfulTime))
        status.lastSuccessfulTime = done;
    }
    for (const ref of [...active]) {
      if (jobs.some((j) => j.metadata.uid === ref.uid)) continue;
      this.event(json, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
      active.splice(active.indexOf(ref), 1);
    }
    status.active = active;
    this.start(json, cj, active);
    this.cleanUp(json, cj, jobs);
    this.ctx.store.mutate(CRONJOBS, namespace, name, (o) => {
      const s = { ...cj.status };
      if ((s.active ?? []).length === 0) delete s.active;
      o['status'] = s as unknown as JsonObject;
    });
  }

  /** The schedule part of syncCronJob: starts the run due now, if any, and sets the next wake-up. */
  private start(json: JsonObject, cj: CronJobView, active: ActiveRef[]): void {
    if (cj.spec.suspend) return;
    let schedule;
    try {
      schedule = parseCron(cj.spec.schedule);
    } catch (e) {
      const why = e instanceof CronError ? e.message : String(e);
      this.event(
        json,
        'Warning',
        'UnparseableSchedule',
        `unparseable schedule: "${cj.spec.schedule}" : ${why}`,
      );
      return;
    }
    const now = this.ctx.clock.now();
    const status = cj.status!;
    let earliest = Date.parse(status.lastScheduleTime ?? cj.metadata.creationTimestamp);
    const deadline = cj.spec.startingDeadlineSeconds;
    if (deadline !== undefined) earliest = Math.max(earliest, now - deadline * 1000);
    const next = nextRun(schedule, now);
    if (next !== undefined) this.wakeUp(cj, next);
    const due = earliest > now ? undefined : mostRecentRun(schedule, earliest, now);
    if (!due) return;
    if (due.missed > MAX_MISSED)
      this.event(
        json,
        'Warning',
        'TooManyMissedTimes',
        `too many missed start times: ${due.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`,
      );
    if (deadline !== undefined && due.at + deadline * 1000 < now) {
      this.event(
        json,
        'Warning',
        'MissSchedule',
        `Missed scheduled time to start a job: ${rfc1123z(due.at)}`,
      );
      return;
    }
    const jobName = `${cj.metadata.name}-${Math.floor(due.at / 60_000)}`;
    const scheduled = this.ctx.clock.iso(due.at);
    if (active.some((a) => a.name === jobName) || status.lastScheduleTime === scheduled) return;
    const policy = cj.spec.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && active.length > 0) {
      this.event(
        json,
        'Normal',
        'JobAlreadyActive',
        'Not starting job because prior execution is running and concurrency policy is Forbid',
      );
      return;
    }
    if (policy === 'Replace') for (const ref of active.splice(0)) this.deleteJob(json, cj, ref.name);
    const namespace = cj.metadata.namespace ?? 'default';
    const template = cj.spec.jobTemplate;
    const created = this.ctx.store.create(JOBS, {
      metadata: {
        name: jobName,
        namespace,
        labels: { ...(template.metadata?.labels ?? {}) },
        annotations: {
          ...(template.metadata?.annotations ?? {}),
          'batch.kubernetes.io/cronjob-scheduled-timestamp': scheduled,
        },
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            name: cj.metadata.name,
            uid: cj.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: cloneJson(template.spec),
    });
    this.event(json, 'Normal', 'SuccessfulCreate', `Created job ${jobName}`);
    const meta = created['metadata'] as { uid: string; resourceVersion: string };
    active.push({
      kind: 'Job',
      namespace,
      name: jobName,
      uid: meta.uid,
      apiVersion: 'batch/v1',
      resourceVersion: meta.resourceVersion,
    });
    status.lastScheduleTime = scheduled;
  }

  private cleanUp(json: JsonObject, cj: CronJobView, jobs: JobView[]): void {
    const limits = {
      Complete: cj.spec.successfulJobsHistoryLimit ?? 3,
      Failed: cj.spec.failedJobsHistoryLimit ?? 1,
    };
    for (const outcome of ['Complete', 'Failed'] as const) {
      const done = jobs
        .filter(
          (j) =>
            jobFinished(j) === outcome && this.ctx.store.peek(JOBS, j.metadata.namespace, j.metadata.name),
        )
        .sort(
          (a, b) =>
            (a.status?.startTime ?? '').localeCompare(b.status?.startTime ?? '') ||
            a.metadata.name.localeCompare(b.metadata.name),
        );
      for (const job of done.slice(0, Math.max(0, done.length - limits[outcome])))
        this.deleteJob(json, cj, job.metadata.name);
    }
  }

  private deleteJob(json: JsonObject, cj: CronJobView, name: string): void {
    const namespace = cj.metadata.namespace ?? 'default';
    if (!this.ctx.store.peek(JOBS, namespace, name)) return;
    this.ctx.store.remove(JOBS, namespace, name);
    this.event(json, 'Normal', 'SuccessfulDelete', `Deleted job ${name}`);
  }

  private wakeUp(cj: CronJobView, at: number): void {
    const key = `${cj.metadata.namespace ?? ''}/${cj.metadata.name}`;
    const pending = this.wakeUps.get(key);
    if (pending?.at === at) return;
    pending?.cancel();
    this.wakeUps.set(key, {
      at,
      cancel: this.ctx.clock.at(at, () => {
        this.wakeUps.delete(key);
        this.enqueue(key);
      }),
    });
  }

  private event(json: JsonObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.ctx.events.record(json, type, reason, message, SOURCE);
  }
}
