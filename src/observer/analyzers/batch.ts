/**
 * Batch work: a Job the Job controller gave up on, and a CronJob that has stopped starting its runs.
 *
 * A Job is failed when its `Failed` (or the interim `FailureTarget`) condition is True; the condition's
 * reason and message are the controller's own words (BackoffLimitExceeded: "Job has reached the specified
 * backoff limit"). Why its pods failed is in their logs: the last line of the newest failed pod is quoted,
 * and what it says (an authentication refusal, a name or port that does not answer, a refused argument) and
 * the host the Job talks to are attributes, so a diagnosis can say a dependency refused it.
 *
 * A CronJob is late when, by its own schedule and status alone, two or more scheduled times have passed since
 * it last started a run (`status.lastScheduleTime`, else its creation), counted as the CronJob controller
 * counts them (src/core/cron.ts). Why is read from its spec and status: suspended, or concurrencyPolicy
 * Forbid with a run still active; its Warning events (TooManyMissedTimes, MissSchedule, FailedCreate) are
 * quoted. A Job a CronJob owns is reported as that CronJob, the object a person edits.
 */
import { mostRecentRun, parseCron } from '../../core/cron.js';
import type { CronJob, Job, KEvent, Pod } from '../k8s-types.js';
import { asArray, nameOf } from '../k8s-types.js';
import type { PodLog } from '../snapshot.js';
import type { Finding } from './finding.js';
import { clip, subjectOf } from './finding.js';

/** How many scheduled runs may pass unstarted before a CronJob is reported: one is a controller's lag. */
export const MISSED_RUNS_REPORTED = 2;

const CAUSES: readonly [string, RegExp][] = [
  [
    'authentication',
    /AuthenticationFailed|Authentication failed|auth error|password authentication failed|NOAUTH|WRONGPASS|Access denied/i,
  ],
  [
    'unreachable',
    /no such host|Name or service not known|connection refused|server selection|i\/o timeout|timed out|could not connect/i,
  ],
  ['argument', /cannot \w+ .* without|unknown option|unrecognized|invalid argument|usage:/i],
];

function owningCronJob(o: Job): string | undefined {
  return asArray(o.metadata?.ownerReferences).find((r) => r.kind === 'CronJob')?.name;
}

function podsOf(job: Job, pods: readonly Pod[]): Pod[] {
  const ns = job.metadata?.namespace;
  return pods.filter(
    (p) =>
      p.metadata?.namespace === ns &&
      asArray(p.metadata?.ownerReferences).some((r) => r.kind === 'Job' && r.name === nameOf(job)),
  );
}

/** The last line the newest pod (failed ones first) of the Job printed, with the pod's name. */
function lastWords(
  pods: Pod[],
  logs: readonly PodLog[],
  phase?: string,
): { pod: string; line: string } | undefined {
  const ordered = [...pods]
    .filter((p) => phase === undefined || p.status?.phase === phase)
    .sort((a, b) => (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? ''));
  for (const pod of ordered) {
    const log = logs.find(
      (l) => l.pod === nameOf(pod) && l.namespace === pod.metadata?.namespace && !l.previous,
    );
    const line = log?.text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1);
    if (line) return { pod: nameOf(pod), line };
  }
  return undefined;
}

/** The host a Job's container talks to: a MongoDB URI's host, or a `--host` / `-h` option. */
function hostOf(job: Job): string | undefined {
  const words = asArray(job.spec?.template?.spec?.containers)
    .flatMap((c) => [...asArray(c.command), ...asArray(c.args)])
    .join(' ');
  const uri = /\b(?:mongodb|postgres(?:ql)?|redis|mysql):\/\/(?:[^@\s/]+@)?([A-Za-z0-9.-]+)/.exec(words)?.[1];
  return uri ?? /(?:--host|\s-h)[=\s]+([A-Za-z0-9.-]+)/.exec(words)?.[1];
}

function warningsOn(kind: string, o: Job | CronJob, events: readonly KEvent[]): string[] {
  return events
    .filter(
      (e) =>
        e.type === 'Warning' &&
        e.involvedObject?.kind === kind &&
        e.involvedObject.name === nameOf(o) &&
        e.involvedObject.namespace === o.metadata?.namespace,
    )
    .map((e) => `${e.reason ?? '?'} (x${e.count ?? 1}): ${e.message ?? ''}`);
}

function analyzeJob(job: Job, pods: readonly Pod[], logs: readonly PodLog[]): Finding | undefined {
  const conditions = asArray(job.status?.conditions);
  const failed =
    conditions.find((c) => c.type === 'Failed' && c.status === 'True') ??
    conditions.find((c) => c.type === 'FailureTarget' && c.status === 'True');
  if (!failed) return undefined;
  const name = nameOf(job);
  const mine = podsOf(job, pods);
  const said = lastWords(mine, logs, 'Failed') ?? lastWords(mine, logs);
  const cause = said ? CAUSES.find(([, re]) => re.test(said.line))?.[0] : undefined;
  const host = hostOf(job);
  const reason = failed.reason ?? 'Failed';
  const count = job.status?.failed ?? mine.filter((p) => p.status?.phase === 'Failed').length;
  return {
    source: 'kubernetes',
    subject: subjectOf('Job', job),
    component: owningCronJob(job) ?? name,
    signal: 'JobFailed',
    severity: 'error',
    score: 92,
    summary: clip(
      `Job ${name} failed: ${reason} (${failed.message ?? 'no message'}) after ${count} failed pod(s)` +
        (job.spec?.backoffLimit === undefined ? '' : `, backoffLimit ${job.spec.backoffLimit}`) +
        (said ? `; its last pod ${said.pod} logged: ${said.line}` : '; no log of its pods could be read'),
      600,
    ),
    excerpt: clip(
      `${failed.type} ${reason}: ${failed.message ?? ''}${said ? `\n${said.pod}: ${said.line}` : ''}`,
    ),
    attributes: {
      job: name,
      reason,
      failedPods: count,
      ...(job.spec?.backoffLimit === undefined ? {} : { backoffLimit: job.spec.backoffLimit }),
      ...(owningCronJob(job) ? { cronJob: owningCronJob(job)! } : {}),
      ...(cause ? { cause } : {}),
      ...(host ? { dependency: host } : {}),
      ...(said ? { logLine: clip(said.line, 300), logPod: said.pod } : {}),
    },
  };
}

function analyzeCronJob(
  cj: CronJob,
  jobs: readonly Job[],
  pods: readonly Pod[],
  events: readonly KEvent[],
  logs: readonly PodLog[],
  now: number,
): Finding | undefined {
  const scheduleText = cj.spec?.schedule;
  if (!scheduleText) return undefined;
  const name = nameOf(cj);
  let schedule;
  try {
    schedule = parseCron(scheduleText);
  } catch (e) {
    // Not judged is not healthy: say so, without calling it an incident.
    return {
      source: 'kubernetes',
      subject: subjectOf('CronJob', cj),
      component: name,
      signal: 'CronJobScheduleUnread',
      severity: 'info',
      score: 5,
      summary: clip(
        `CronJob ${name}: its schedule "${scheduleText}" was not checked for missed runs: ${String(e)}`,
      ),
    };
  }
  const since = cj.status?.lastScheduleTime ?? cj.metadata?.creationTimestamp;
  if (!since) return undefined;
  const missed = mostRecentRun(schedule, Date.parse(since), now)?.missed ?? 0;
  // The schedule is read in UTC; in another spec.timeZone a count may be one off at a period's edge.
  const zoned = cj.spec?.timeZone !== undefined && !['UTC', 'Etc/UTC'].includes(cj.spec.timeZone);
  if (missed < MISSED_RUNS_REPORTED + (zoned ? 1 : 0)) return undefined;
  const suspended = cj.spec?.suspend === true;
  const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
  const activeName = asArray(cj.status?.active)[0]?.name;
  const active = activeName
    ? jobs.find((j) => nameOf(j) === activeName && j.metadata?.namespace === cj.metadata?.namespace)
    : undefined;
  const activeSaid = active ? lastWords(podsOf(active, pods), logs) : undefined;
  const why = suspended
    ? 'it is suspended (spec.suspend: true)'
    : policy === 'Forbid' && activeName
      ? `concurrencyPolicy Forbid and its job ${activeName} is still active` +
        (active?.status?.startTime ? ` (started ${active.status.startTime})` : '') +
        (activeSaid ? `, whose pod logs: ${activeSaid.line}` : '')
      : 'the CronJob controller started none (see its events)';
  const warnings = warningsOn('CronJob', cj, events);
  return {
    source: 'kubernetes',
    subject: subjectOf('CronJob', cj),
    component: name,
    signal: 'CronJobNotRunning',
    severity: 'error',
    score: 90,
    summary: clip(
      `CronJob ${name} (schedule "${scheduleText}") has started no job since ${since}: ${missed} scheduled runs ` +
        `missed; ${why}`,
      600,
    ),
    excerpt: clip(
      [
        `lastScheduleTime: ${cj.status?.lastScheduleTime ?? '(never)'}, lastSuccessfulTime: ${cj.status?.lastSuccessfulTime ?? '(never)'}`,
        ...warnings,
      ].join('\n'),
    ),
    attributes: {
      cronJob: name,
      schedule: scheduleText,
      missedRuns: missed,
      since,
      suspended,
      concurrencyPolicy: policy,
      ...(activeName ? { activeJob: activeName } : {}),
      ...(activeSaid ? { logLine: clip(activeSaid.line, 300), logPod: activeSaid.pod } : {}),
    },
  };
}

export function analyzeBatch(input: {
  jobs: readonly Job[];
  cronJobs: readonly CronJob[];
  pods: readonly Pod[];
  events: readonly KEvent[];
  logs: readonly PodLog[];
  now: string;
}): Finding[] {
  const now = Date.parse(input.now);
  return [
    ...input.jobs.flatMap((j) => analyzeJob(j, input.pods, input.logs) ?? []),
    ...input.cronJobs.flatMap(
      (c) => analyzeCronJob(c, input.jobs, input.pods, input.events, input.logs, now) ?? [],
    ),
  ];
}
