/**
 * An AIOpsLab problem as data: which app, which fault, which task, and the answer AIOpsLab scores against.
 * Parsed in two stages: a permissive `expect` first, so that a superRefine over the whole problem can say
 * that `expect` does not fit the task (with the path at `expect`); then the typed form, a union narrowed
 * by `task`, so that `problem.expect` has the right shape wherever `problem.task` was checked.
 */
import { z } from 'zod';
import { FaultType, SystemLevel, TaskType } from '../../src/core/aiopslab.js';

export const AppName = z.enum(['hotel-reservation', 'social-network', 'astronomy-shop']);
export type AppName = z.infer<typeof AppName>;

/** Where AIOpsLab deploys each app. */
export const APP_NAMESPACES: Readonly<Record<AppName, string>> = {
  'hotel-reservation': 'test-hotel-reservation',
  'social-network': 'test-social-network',
  'astronomy-shop': 'astronomy-shop',
};

/**
 * Every Kubernetes fault in AIOpsLab's registry (`feature_flag` covers the astronomy-shop `flag:<name>` ones),
 * then the on-call catalog's kinds.
 */
export const FaultKind = z.enum([
  'misconfig_k8s_target_port',
  'auth_miss_mongodb',
  'revoke_auth_mongodb',
  'user_unregistered_mongodb',
  'misconfig_app',
  'scale_pods_to_zero',
  'assign_to_non_existent_node',
  'redeploy_without_pv',
  'wrong_bin_usage',
  'container_kill',
  'pod_failure',
  'pod_kill',
  'network_loss',
  'network_delay',
  'feature_flag',
  'noop',
  // The on-call catalog (problems/oncall/, docs/oncall-catalog.md): incidents outside AIOpsLab's registry.
  'oom_killed',
  'liveness_probe_failure',
  'slow_start_liveness',
  'readiness_probe_failure',
  'missing_config_ref',
  'bad_image_rollout',
  'init_container_failure',
  'expired_certificate',
  'expiring_certificate',
  'cluster_dns_down',
  'pvc_pending',
  'pvc_no_matching_pv',
  'resource_quota_exceeded',
  'limit_range_violation',
  'hpa_at_max_replicas',
  'node_not_ready',
  'node_memory_pressure',
  'job_backoff_limit_exceeded',
  'cronjob_not_running',
]);
export type FaultKind = z.infer<typeof FaultKind>;

/** Fault kinds that act on the whole namespace (or on nothing), so they name no target. */
export const UNTARGETED_FAULTS: ReadonlySet<FaultKind> = new Set([
  'noop',
  'redeploy_without_pv',
  'cluster_dns_down',
]);

export const Fault = z.strictObject({
  kind: FaultKind,
  target: z.string().min(1).optional(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});
export type Fault = z.infer<typeof Fault>;

/** Benign distractors the simulator adds so that "any error means an incident" fails. */
export const NoiseKind = z.enum([
  'benign_error_logs',
  'completed_job',
  'recent_rollout',
  'restarted_once',
  'healthy_batch',
  'healthy_autoscaler',
]);
export type NoiseKind = z.infer<typeof NoiseKind>;

/** The mitigation check families of AIOpsLab's evaluators (see the facts file's mitigation table). */
export const MitigationCheck = z.enum([
  'targetPort',
  'podsOk',
  'deploymentAvailable',
  'podExistsAndOk',
  'wrongBin',
  'allReadyWithin60s',
  'kafkaPodsOk',
]);
export type MitigationCheck = z.infer<typeof MitigationCheck>;

export const DetectionExpect = z.strictObject({ detection: z.enum(['Yes', 'No']) });
export type DetectionExpect = z.infer<typeof DetectionExpect>;

export const LocalizationExpect = z.strictObject({
  faultyComponents: z.array(z.string().min(1)).min(1),
  /** Other names AIOpsLab also accepts, e.g. `geo` for `mongodb-geo`. */
  accepted: z.array(z.string().min(1)).optional(),
});
export type LocalizationExpect = z.infer<typeof LocalizationExpect>;

export const AnalysisExpect = z.strictObject({ systemLevel: SystemLevel, faultType: FaultType });
export type AnalysisExpect = z.infer<typeof AnalysisExpect>;

export const MitigationExpect = z.strictObject({ mitigation: MitigationCheck });
export type MitigationExpect = z.infer<typeof MitigationExpect>;

const EXPECT_BY_TASK = {
  detection: DetectionExpect,
  localization: LocalizationExpect,
  analysis: AnalysisExpect,
  mitigation: MitigationExpect,
} as const satisfies Record<TaskType, z.ZodType>;

const EXPECT_HINT: Record<TaskType, string> = {
  detection: "{ detection: 'Yes' | 'No' }",
  localization: '{ faultyComponents: [...], accepted?: [...] }',
  analysis: '{ systemLevel, faultType }',
  mitigation: `{ mitigation: ${MitigationCheck.options.join(' | ')} }`,
};

const Provenance = z.strictObject({
  /** Whether the id is in the 86-task set AOI reported on. */
  in86: z.boolean().default(true),
});

const base = {
  id: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'ids are letters, digits and _ . : -'),
  app: AppName,
  namespace: z.string().min(1).optional(),
  task: TaskType,
  fault: Fault,
  noise: z.array(NoiseKind).default([]),
  aiopslab: Provenance.default({ in86: true }),
};

function checkProblem(
  p: { task: TaskType; app: AppName; fault: Fault; expect: unknown },
  ctx: z.RefinementCtx,
) {
  const { kind, target, params } = p.fault;
  if (target === undefined && !UNTARGETED_FAULTS.has(kind))
    ctx.addIssue({ code: 'custom', path: ['fault', 'target'], message: `a ${kind} fault needs a target` });
  if (kind === 'feature_flag') {
    if (typeof params['flag'] !== 'string' || params['flag'] === '')
      ctx.addIssue({
        code: 'custom',
        path: ['fault', 'params', 'flag'],
        message: 'a feature_flag fault needs params.flag',
      });
    if (p.app !== 'astronomy-shop')
      ctx.addIssue({
        code: 'custom',
        path: ['fault', 'kind'],
        message: 'feature flags exist only in astronomy-shop',
      });
  }
  const parsed = EXPECT_BY_TASK[p.task].safeParse(p.expect);
  if (!parsed.success) {
    const other = TaskType.options.find((t) => EXPECT_BY_TASK[t].safeParse(p.expect).success);
    if (other) {
      ctx.addIssue({
        code: 'custom',
        path: ['expect'],
        message: `this is a ${other} answer but task is ${p.task}; expected ${EXPECT_HINT[p.task]}`,
      });
      return;
    }
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: 'custom', path: ['expect', ...issue.path], message: issue.message });
    return;
  }
  if (kind === 'noop' && p.task === 'detection' && (p.expect as DetectionExpect).detection !== 'No')
    ctx.addIssue({
      code: 'custom',
      path: ['expect', 'detection'],
      message: "a noop problem's answer is 'No'",
    });
}

const Typed = z.discriminatedUnion('task', [
  z.strictObject({ ...base, task: z.literal('detection'), expect: DetectionExpect }),
  z.strictObject({ ...base, task: z.literal('localization'), expect: LocalizationExpect }),
  z.strictObject({ ...base, task: z.literal('analysis'), expect: AnalysisExpect }),
  z.strictObject({ ...base, task: z.literal('mitigation'), expect: MitigationExpect }),
]);

/** Stage two: the checked problem as the typed union, with the namespace filled in. */
function typed(checked: unknown, ctx: z.RefinementCtx) {
  const parsed = Typed.safeParse(checked);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    return z.NEVER;
  }
  return { ...parsed.data, namespace: parsed.data.namespace ?? APP_NAMESPACES[parsed.data.app] };
}

export const Problem = z
  .strictObject({ ...base, expect: z.record(z.string(), z.unknown()) })
  .superRefine(checkProblem)
  .transform(typed);
export type Problem = z.infer<typeof Problem>;

export type ProblemOf<T extends TaskType> = Extract<Problem, { task: T }>;

/** One catalog file: a list of problems whose ids are unique. */
export const ProblemFile = z.array(Problem).superRefine((problems, ctx) => {
  const first = new Map<string, number>();
  problems.forEach((p, index) => {
    const seen = first.get(p.id);
    if (seen === undefined) first.set(p.id, index);
    else
      ctx.addIssue({
        code: 'custom',
        path: [index, 'id'],
        message: `duplicate id ${p.id} (first at [${seen}])`,
      });
  });
});
export type ProblemFile = z.infer<typeof ProblemFile>;
