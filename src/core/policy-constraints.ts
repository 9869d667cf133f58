/**
 * Content constraints: what an action may change, not only which kind it is. They are checked after the
 * rules allowed (or asked approval for) an action and before its dry run; every one is on even when a policy
 * says nothing about it, with the strictest settings. A policy's `constraints` block only widens allow-lists,
 * extends deny-lists or chooses what happens to a large scale-down. `--approve` never lifts a constraint.
 */
import { z } from 'zod';
import { LabelKey, LabelValue } from './k8s-names.js';

const Glob = (what: string) =>
  z
    .string()
    .min(1)
    .max(512)
    .regex(/^[^\s]+$/, `must be ${what} (globs with "*"), without whitespace`);

export const ImageConstraints = z.strictObject({
  repositories: z
    .array(Glob('a repository like "docker.io/library/mongo" or "ghcr.io/org/*"'))
    .optional()
    .describe('Repositories (registry/path, globs) an image may come from besides the workload history'),
  registries: z
    .array(Glob('a registry host like "ghcr.io"'))
    .optional()
    .describe('Registries (hosts, globs) any of whose repositories may be used'),
  requireDigest: z.boolean().optional().describe('Refuse an image not pinned by @sha256 digest'),
});
export type ImageConstraints = z.infer<typeof ImageConstraints>;

export const CommandConstraints = z.strictObject({
  allowed: z
    .array(z.array(z.string().min(1)).min(1))
    .optional()
    .describe('Whole argv (command then args) allowed anywhere; an item "*" matches any one word'),
  inlinePrograms: z
    .array(z.string().regex(/^[a-z0-9._-]+$/, 'must be an interpreter name like "python3"'))
    .optional()
    .describe('Shells or interpreters allowed to run an inline program (sh -c, python -c, node -e, …)'),
});
export type CommandConstraints = z.infer<typeof CommandConstraints>;

export const EnvConstraints = z.strictObject({
  deny: z
    .array(Glob('a variable name like "MY_HOOK" or "FOO_*"'))
    .optional()
    .describe('Names (globs, case-insensitive) refused on top of the built-in deny-list'),
  allow: z
    .array(Glob('a variable name'))
    .optional()
    .describe('When given, only these names (globs, case-insensitive) may be set or removed'),
});
export type EnvConstraints = z.infer<typeof EnvConstraints>;

const ScaleEffect = z.enum(['approve', 'deny']);

export const ScaleConstraints = z.strictObject({
  maxScaleDownFraction: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('Largest (current - new) / current allowed without `overFraction`; default 0.5'),
  overFraction: ScaleEffect.optional().describe('What a larger scale-down needs; default deny'),
  toZero: ScaleEffect.optional().describe(
    'What a scale to 0 of a workload no Service selects needs; default deny (one a Service selects: always deny)',
  ),
});
export type ScaleConstraints = z.infer<typeof ScaleConstraints>;

export const ProtectedSelector = z.strictObject({
  labels: z.record(LabelKey, LabelValue).optional(),
  annotations: z.record(LabelKey, z.string().max(1024)).optional(),
});
export type ProtectedSelector = z.infer<typeof ProtectedSelector>;

const PathSegment = z.string().min(1).max(128);

export const ConfigValueGrant = z.strictObject({
  namespaces: z.array(Glob('a namespace')).min(1).describe('Namespaces (globs)'),
  configMaps: z.array(Glob('a ConfigMap name')).min(1).describe('ConfigMap names (globs)'),
  keys: z.array(Glob('a data key')).min(1).describe('Data keys (globs)'),
  paths: z
    .array(z.array(PathSegment).min(1).max(16))
    .min(1)
    .describe('Paths inside the document, one glob per segment ("*" matches one segment)'),
  values: z
    .array(z.union([z.string(), z.number(), z.boolean(), z.null()]))
    .optional()
    .describe('When given, the only values that may be written'),
});
export type ConfigValueGrant = z.infer<typeof ConfigValueGrant>;

export const RollbackConstraints = z.strictObject({
  requireAvailablePod: z
    .boolean()
    .optional()
    .describe(
      'Default true: the revision must have an available pod now (the only evidence Kubernetes keeps that it once worked)',
    ),
});
export type RollbackConstraints = z.infer<typeof RollbackConstraints>;

export const PolicyConstraints = z.strictObject({
  rollback: RollbackConstraints.optional(),
  images: ImageConstraints.optional(),
  commands: CommandConstraints.optional(),
  env: EnvConstraints.optional(),
  scale: ScaleConstraints.optional(),
  protected: ProtectedSelector.optional().describe(
    'Objects carrying any of these labels or annotations are never changed (default aoi.dev/protected: "true")',
  ),
  configValues: z
    .array(ConfigValueGrant)
    .optional()
    .describe('The only ConfigMap values setConfigValue may write; none when absent'),
  kubectlWrites: z
    .enum(['deny', 'allow'])
    .optional()
    .describe(
      'kubectl writes that are not a typed action (patch, label, annotate, …); default deny: no content constraint can read them',
    ),
});
export type PolicyConstraints = z.infer<typeof PolicyConstraints>;

/** The marker protecting an object when a policy names no selector of its own. */
export const DEFAULT_PROTECTED: ProtectedSelector = {
  labels: { 'aoi.dev/protected': 'true' },
  annotations: { 'aoi.dev/protected': 'true' },
};
