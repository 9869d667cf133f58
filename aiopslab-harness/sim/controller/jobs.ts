/**
 * The Job controller (kubernetes/kubernetes pkg/controller/job/job_controller.go), for non-indexed Jobs:
 * creates pods from the template, counts the failed and succeeded ones, re-creates failed pods after the
 * pod-failure back-off (10 s doubling per failure since the last success, capped at 6 minutes:
 * DefaultJobPodFailureBackOff / MaxJobPodFailureBackOff, backoff_utils.go), and finishes the Job:
 *   - failed pods > spec.backoffLimit (or, for restartPolicy OnFailure, container restarts >= backoffLimit:
 *     pastBackoffLimitOnFailure) → the interim condition FailureTarget, then (no pod left running) Failed, both
 *     reason BackoffLimitExceeded, message "Job has reached the specified backoff limit", and the Warning
 *     event of the same reason and message (recordJobFinished);
 *   - succeeded pods >= completions → SuccessCriteriaMet, then Complete, reason CompletionsReached, message
 *     "Reached expected number of succeeded pods", completionTime, and the Normal event Completed "Job completed";
 *   - active longer than spec.activeDeadlineSeconds (pastActiveDeadline) → FailureTarget, then Failed, reason
 *     DeadlineExceeded, "Job was active longer than specified deadline", its running pods deleted.
 * A suspended Job's running pods are deleted and none is created (manageJob); its Suspended condition is not
 * modelled.
 * Pod creation is recorded as the pod control does (controller_utils.go): Normal SuccessfulCreate
 * "Created pod: <name>". The API server's Job defaulting (backoffLimit 6, completions and parallelism 1, the
 * selector and the `batch.kubernetes.io/controller-uid` / `job-name` labels) is applied on the first sync.
 */
import type { JsonObject } from '../api/json.js';
import { resourceByKind } from '../api/resources.js';
import type { Pod, PodTemplate } from '../model.js';
import { asView } from '../model.js';
import type { ControllerContext } from './context.js';
import type { Kubelet } from './kubelet.js';
import { defaultPodSpec, podFromTemplate } from './pod-template.js';

const JOBS = resourceByKind('Job');
const PODS = resourceByKind('Pod');
const SOURCE = { component: 'job-controller' };
export const BACKOFF_BASE_MS = 10_000;
export const BACKOFF_MAX_MS = 6 * 60_000;
const BACKOFF_MESSAGE = 'Job has reached the specified backoff limit';

export interface JobCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
}

export interface JobView {
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    labels?: Record<string, string>;
    deletionTimestamp?: string;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
  };
  spec: {
    backoffLimit?: number;
    completions?: number;
    parallelism?: number;
    suspend?: boolean;
    activeDeadlineSeconds?: number;
    selector?: { matchLabels?: Record<string, string> };
    template: PodTemplate;
  };
  status?: {
    active?: number;
    ready?: number;
    failed?: number;
    succeeded?: number;
    terminating?: number;
    startTime?: string;
    completionTime?: string;
    conditions?: JobCondition[];
  };
}

export function jobFinished(job: JobView): 'Complete' | 'Failed' | undefined {
  const c = (job.status?.conditions ?? []).find(
    (x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True',
  );
  return c?.type as 'Complete' | 'Failed' | undefined;
}

function finishedAt(pod: Pod): number {
  const times = (pod.status.containerStatuses ?? [])
    .map((s) => s.state.terminated?.finishedAt)
    .filter((t): t is string => t !== undefined)
    .map(Date.parse);
  return times.length > 0 ? Math.max(...times) : Date.parse(pod.metadata.creationTimestamp);
}

export class JobController {
  /** Per Job uid and reason (back-off, active deadline), the pending wake-up (a cancel function). */
  private readonly wakeUps = new Map<string, () => void>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly kubelet: Kubelet,
    private readonly enqueue: (key: string) => void,
  ) {}

  sync(namespace: string, name: string): void {
    const json = this.ctx.store.peek(JOBS, namespace, name);
    if (!json) return;
    this.applyDefaults(json);
    const job = asView<JobView>(this.ctx.store.peek(JOBS, namespace, name)!);
    if (job.metadata.deletionTimestamp || jobFinished(job)) return;
    const pods = this.ctx.store.peekOwnedBy(job.metadata.uid).map((p) => asView<Pod>(p));
    const failedPods = pods.filter((p) => p.status.phase === 'Failed');
    const succeeded = pods.filter((p) => p.status.phase === 'Succeeded').length;
    const active = pods.filter(
      (p) => !p.metadata.deletionTimestamp && p.status.phase !== 'Failed' && p.status.phase !== 'Succeeded',
    );
    const terminating = pods.filter(
      (p) => p.metadata.deletionTimestamp && p.status.phase !== 'Failed' && p.status.phase !== 'Succeeded',
    );
    const limit = job.spec.backoffLimit ?? 6;
    const completions = job.spec.completions ?? 1;
    const restarts = active.reduce(
      (n, p) => n + (p.status.containerStatuses ?? []).reduce((m, s) => m + s.restartCount, 0),
      0,
    );
    const onFailure = job.spec.template.spec.restartPolicy === 'OnFailure';
    const pastLimit =
      failedPods.length > limit || (onFailure && (limit === 0 ? restarts > 0 : restarts >= limit));
    let finished: JobCondition | undefined;
    const deadline = job.spec.activeDeadlineSeconds;
    const started = job.status?.startTime ? Date.parse(job.status.startTime) : undefined;
    const pastDeadline =
      !job.spec.suspend &&
      deadline !== undefined &&
      started !== undefined &&
      this.ctx.clock.now() - started >= deadline * 1000;
    if (pastLimit) finished = this.condition('FailureTarget', 'BackoffLimitExceeded', BACKOFF_MESSAGE);
    else if (pastDeadline)
      finished = this.condition(
        'FailureTarget',
        'DeadlineExceeded',
        'Job was active longer than specified deadline',
      );
    else if (succeeded >= completions)
      finished = this.condition(
        'SuccessCriteriaMet',
        'CompletionsReached',
        'Reached expected number of succeeded pods',
      );
    if (finished) {
      // When the Job is finished every pod still running is removed (and counted failed on a failure).
      for (const pod of active) this.kubelet.requestDeletion(pod as unknown as JsonObject);
      this.finish(job, finished, active.length + terminating.length > 0, {
        failed: failedPods.length + (finished.type === 'FailureTarget' ? active.length : 0),
        succeeded,
      });
      return;
    }
    // A suspended Job's running pods are deleted (manageJob); they do not count as failures.
    if (job.spec.suspend)
      for (const pod of active) this.kubelet.requestDeletion(pod as unknown as JsonObject);
    else if (deadline !== undefined && started !== undefined)
      this.wakeUp(job, started + deadline * 1000 - this.ctx.clock.now(), 'deadline');
    let created = 0;
    const want = job.spec.suspend ? 0 : Math.min(job.spec.parallelism ?? 1, completions - succeeded);
    if (active.length < want) {
      const wait = this.backoffRemaining(failedPods, pods);
      if (wait > 0) this.wakeUp(job, wait, 'backoff');
      else for (let i = active.length; i < want; i++, created++) this.createPod(json, job);
    }
    this.ctx.store.mutate(JOBS, namespace, name, (o) => {
      const view = asView<JobView>(o);
      const status = (view.status ??= {});
      if (!job.spec.suspend) status.startTime ??= this.ctx.clock.iso();
      const ready = active.filter((p) =>
        p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      ).length;
      setCount(status, 'active', active.length + created);
      setCount(status, 'ready', ready, true);
      setCount(status, 'failed', failedPods.length);
      setCount(status, 'succeeded', succeeded);
      setCount(status, 'terminating', terminating.length, true);
      o['status'] = { ...status, uncountedTerminatedPods: {} } as unknown as JsonObject;
    });
  }

  /** The back-off before the next pod: 10 s × 2^(failures since the last success − 1), capped at 6 minutes. */
  private backoffRemaining(failedPods: Pod[], pods: Pod[]): number {
    const lastSuccess = Math.max(
      0,
      ...pods.filter((p) => p.status.phase === 'Succeeded').map((p) => finishedAt(p)),
    );
    const failures = failedPods.map(finishedAt).filter((t) => t >= lastSuccess);
    if (failures.length === 0) return 0;
    const delay = Math.min(BACKOFF_BASE_MS * 2 ** (failures.length - 1), BACKOFF_MAX_MS);
    return Math.max(0, Math.max(...failures) + delay - this.ctx.clock.now());
  }

  private wakeUp(job: JobView, ms: number, why: 'backoff' | 'deadline'): void {
    const id = `${job.metadata.uid}/${why}`;
    this.wakeUps.get(id)?.();
    const key = `${job.metadata.namespace ?? ''}/${job.metadata.name}`;
    this.wakeUps.set(
      id,
      this.ctx.clock.after(ms, () => {
        this.wakeUps.delete(id);
        this.enqueue(key);
      }),
    );
  }

  private condition(type: string, reason: string, message: string): JobCondition {
    const now = this.ctx.clock.iso();
    return { type, status: 'True', reason, message, lastProbeTime: now, lastTransitionTime: now };
  }

  /** The interim condition first; the terminal one (and its event) once no pod of the Job still runs. */
  private finish(
    job: JobView,
    interim: JobCondition,
    podsLeft: boolean,
    counts: { failed: number; succeeded: number },
  ): void {
    const failure = interim.type === 'FailureTarget';
    const terminal = { ...interim, type: failure ? 'Failed' : 'Complete' };
    const namespace = job.metadata.namespace ?? 'default';
    const updated = this.ctx.store.mutate(JOBS, namespace, job.metadata.name, (o) => {
      const status = (asView<JobView>(o).status ??= {});
      const conditions = (status.conditions ??= []);
      if (!conditions.some((c) => c.type === interim.type)) conditions.push(interim);
      status.active = 0;
      setCount(status, 'ready', 0, true);
      setCount(status, 'failed', counts.failed);
      setCount(status, 'succeeded', counts.succeeded);
      if (podsLeft) return;
      conditions.push(terminal);
      if (!failure) status.completionTime = this.ctx.clock.iso();
    });
    if (podsLeft || !updated) return;
    if (failure) this.ctx.events.record(updated, 'Warning', terminal.reason!, terminal.message!, SOURCE);
    else this.ctx.events.record(updated, 'Normal', 'Completed', 'Job completed', SOURCE);
  }

  private createPod(json: JsonObject, job: JobView): void {
    const namespace = job.metadata.namespace ?? 'default';
    let name = `${job.metadata.name}-${this.ctx.random.suffix()}`;
    while (this.ctx.store.peek(PODS, namespace, name))
      name = `${job.metadata.name}-${this.ctx.random.suffix()}`;
    const pod = podFromTemplate(
      job.spec.template,
      { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, uid: job.metadata.uid },
      namespace,
      name,
    );
    (pod['metadata'] as JsonObject)['generateName'] = `${job.metadata.name}-`;
    this.ctx.store.create(PODS, pod);
    this.ctx.events.record(json, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`, SOURCE);
  }

  /** What the API server fills in when a Job is created (pkg/apis/batch/v1/defaults.go, job strategy). */
  private applyDefaults(json: JsonObject): void {
    const job = asView<JobView>(json);
    const labels = {
      'batch.kubernetes.io/controller-uid': job.metadata.uid,
      'batch.kubernetes.io/job-name': job.metadata.name,
      'controller-uid': job.metadata.uid,
      'job-name': job.metadata.name,
    };
    const template = job.spec.template;
    const done =
      job.spec.backoffLimit !== undefined &&
      template.metadata?.labels?.['batch.kubernetes.io/controller-uid'] === job.metadata.uid;
    if (done) return;
    this.ctx.store.mutate(JOBS, job.metadata.namespace, job.metadata.name, (o) => {
      const spec = asView<JobView>(o).spec;
      spec.backoffLimit ??= 6;
      spec.completions ??= 1;
      spec.parallelism ??= 1;
      spec.suspend ??= false;
      spec.selector ??= { matchLabels: { 'batch.kubernetes.io/controller-uid': job.metadata.uid } };
      spec.template.metadata = {
        ...(spec.template.metadata ?? {}),
        labels: { ...(spec.template.metadata?.labels ?? {}), ...labels },
      };
      spec.template.spec.restartPolicy ??= 'Never';
      defaultPodSpec(spec.template);
    });
  }
}

function setCount(status: Record<string, unknown>, key: string, n: number, keepZero = false): void {
  if (n > 0 || keepZero) status[key] = n;
  else delete status[key];
}
