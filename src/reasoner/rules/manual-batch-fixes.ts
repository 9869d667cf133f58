/**
 * Batch faults (docs/oncall-catalog.md) no typed action undoes safely, so nothing is proposed:
 * - a failed Job: a Job whose pods reached the backoff limit never runs again, and running a migration or a
 *   backup a second time may not be idempotent; what broke it (credentials, a host name, an argument, or the
 *   dependency itself) is in its pods' logs and is a person's to fix before re-creating it;
 * - a CronJob that starts no runs: un-suspending it, or deleting the run that blocks a Forbid policy, may start
 *   work someone stopped on purpose or cut a run short. The words are instructions, never commands aoi runs.
 */
import type { Evidence } from '../../core/evidence.js';
import type { ComponentView } from './graph.js';

const str = (ev: Evidence, key: string): string | undefined => {
  const v = ev.attributes?.[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

const WHAT_BROKE: Readonly<Record<string, (dependency: string) => string>> = {
  authentication: (d) =>
    `it cannot authenticate to ${d}: its credentials (user, password Secret) are wrong for ${d}, or ${d} lacks that user`,
  unreachable: (d) =>
    `it cannot reach ${d}: the host or port it dials does not answer (a wrong name, or ${d} is down)`,
  argument: () => 'its command is refused before it does any work: an argument is wrong',
};

export function fixFailedJob(root: ComponentView): string | undefined {
  const ev = root.own.find((e) => e.signal === 'JobFailed');
  if (!ev) return undefined;
  const job = str(ev, 'job') ?? ev.subject.name;
  const ns = ev.subject.namespace ?? 'default';
  const cause = str(ev, 'cause');
  const dependency = str(ev, 'dependency') ?? 'its dependency';
  const because = cause && WHAT_BROKE[cause] ? `: ${WHAT_BROKE[cause](dependency)}` : '';
  const said = str(ev, 'logLine');
  const cron = str(ev, 'cronJob');
  return (
    `no automatic fix: Job ${ns}/${job} failed (${str(ev, 'reason') ?? 'Failed'})${because}` +
    (said ? ` (its pod ${str(ev, 'logPod') ?? '?'} logged: ${said})` : '') +
    `. A person must fix that first, then ${cron ? `let CronJob ${cron} start the next run (or create one from it: kubectl create job --from=cronjob/${cron} …)` : `re-create the Job (kubectl delete job ${job}, then apply it again: a failed Job does not retry)`}` +
    `, after checking that running it again is safe (a migration or restore may have done part of its work)`
  );
}

export function restartCronJob(root: ComponentView): string | undefined {
  const ev = root.own.find((e) => e.signal === 'CronJobNotRunning');
  if (!ev) return undefined;
  const cron = str(ev, 'cronJob') ?? ev.subject.name;
  const ns = ev.subject.namespace ?? 'default';
  const missed = ev.attributes?.['missedRuns'];
  const active = str(ev, 'activeJob');
  const head = `no automatic fix: CronJob ${ns}/${cron} has missed ${typeof missed === 'number' ? missed : 'several'} scheduled runs since ${str(ev, 'since') ?? '?'}`;
  if (ev.attributes?.['suspended'] === true)
    return (
      `${head} because it is suspended. A person must find out who suspended it and why, and only then resume it ` +
      `(kubectl patch cronjob ${cron} -p '{"spec":{"suspend":false}}'); consider running the missed work once ` +
      `(kubectl create job --from=cronjob/${cron} …)`
    );
  if (active)
    return (
      `${head} because concurrencyPolicy is Forbid and its run ${active} never finished` +
      (str(ev, 'logLine') ? ` (its pod logs: ${str(ev, 'logLine')})` : '') +
      `. A person must find why that run hangs, then delete it (kubectl delete job ${active}) so the next ` +
      `schedule starts, and consider activeDeadlineSeconds on the job template so a hung run ends`
    );
  return `${head}. A person must read its cronjob-controller events (kubectl describe cronjob ${cron}) for why no job was created`;
}
