import { z } from 'zod';
import { ActionKind, Quantity } from './actions.js';
import { LabelKey, LabelValue } from './k8s-names.js';
import { PolicyConstraints } from './policy-constraints.js';

export const PolicyEffect = z.enum(['allow', 'approve', 'deny']);
export type PolicyEffect = z.infer<typeof PolicyEffect>;

const ActionPattern = z.union([ActionKind, z.literal('*')]);

export const PolicyMatch = z.strictObject({
  actions: z
    .array(ActionPattern)
    .min(1)
    .superRefine((actions, ctx) => {
      if (actions.length > 1 && actions.includes('*')) {
        ctx.addIssue({ code: 'custom', message: '"*" matches every action and must stand alone' });
      }
    })
    .optional()
    .describe('Action kinds this rule covers; ["*"] or omitted means all'),
  namespaces: z
    .array(z.string().regex(/^[-a-z0-9*]+$/, 'must be a namespace or a glob like "test-*"'))
    .min(1)
    .optional()
    .describe('Namespaces (globs with "*") this rule covers; omitted means all'),
  labels: z.record(LabelKey, LabelValue).optional().describe('Labels the target must carry'),
  names: z
    .array(z.string().regex(/^[-a-z0-9.*]+$/, 'must be an object name or a glob like "frontend-*"'))
    .min(1)
    .optional()
    .describe('Target object names (globs with "*"); omitted means all'),
  commands: z
    .array(
      z.string().regex(/^[a-z]+( [a-z.]+)*$/, 'must be a kubectl verb and resource like "patch configmap"'),
    )
    .min(1)
    .optional()
    .describe('For kubectl actions: the verb and resource the argv must start with; omitted means all'),
});
export type PolicyMatch = z.infer<typeof PolicyMatch>;

export const PolicyLimits = z.strictObject({
  maxReplicas: z.int().min(0).optional(),
  maxPodsDeleted: z.int().min(0).optional(),
  maxActionsPerIncident: z.int().min(0).optional(),
  maxReplicaChange: z.int().min(0).optional().describe('Largest allowed |new - current| replica count'),
  maxResourceFactor: z
    .number()
    .min(1)
    .max(100)
    .optional()
    .describe(
      'setResources: each new limit/request within this factor of the current one; required to allow it',
    ),
  maxMemory: Quantity.optional().describe('setResources: no memory limit or request above this ceiling'),
  maxCpu: Quantity.optional().describe('setResources: no CPU limit or request above this ceiling'),
  maxProbeStartSeconds: z
    .int()
    .min(1)
    .max(3600)
    .optional()
    .describe(
      "setProbe: the start a changed probe grants (initialDelaySeconds + failureThreshold × periodSeconds) and its timeoutSeconds at most this; required to change a probe's timing",
    ),
});
export type PolicyLimits = z.infer<typeof PolicyLimits>;

export const PolicyRule = z.strictObject({
  id: z.string().min(1),
  match: PolicyMatch,
  effect: PolicyEffect,
  limits: PolicyLimits.optional(),
  reason: z.string().optional(),
});
export type PolicyRule = z.infer<typeof PolicyRule>;

export const Policy = z
  .strictObject({
    version: z.literal(1).default(1),
    name: z.string().optional(),
    // Fail closed: an action no rule matches is denied; an allow-by-default file would be a foot-gun.
    default: z.literal('deny').default('deny'),
    rules: z.array(PolicyRule),
    forbiddenNamespaces: z
      .array(z.string().regex(/^[-a-z0-9*]+$/))
      .optional()
      .describe('Namespaces (globs) where every action is denied, before any rule; kube-system always is'),
    constraints: PolicyConstraints.optional().describe(
      'What an allowed action may change (images, commands, env, scale, …); on with strict defaults when absent',
    ),
  })
  .superRefine((policy, ctx) => {
    const seen = new Set<string>();
    policy.rules.forEach((rule, index) => {
      if (seen.has(rule.id)) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicate rule id "${rule.id}"`,
          path: ['rules', index, 'id'],
        });
      }
      seen.add(rule.id);
    });
  });
export type Policy = z.infer<typeof Policy>;
