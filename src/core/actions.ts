import { z } from 'zod';
import { EvidenceId } from './evidence.js';
import { K8sLabel, K8sName, LabelKey, LabelValue } from './k8s-names.js';

export const ActionKind = z.enum([
  'scaleDeployment',
  'rolloutRestart',
  'deletePod',
  'patchService',
  'setImage',
  'setCommand',
  'setEnv',
  'rollbackDeployment',
  'patchNodeSelector',
  'kubectl',
  'setConfigValue',
  'releaseVolume',
  'setResources',
  'setProbe',
]);
export type ActionKind = z.infer<typeof ActionKind>;
export const ACTION_KINDS: readonly ActionKind[] = ActionKind.options;

const common = {
  rationale: z.string().min(1).describe('Why this action fixes the diagnosed fault'),
  evidence: z.array(EvidenceId).min(1).describe('Ids of the evidence that justifies this action'),
};
const target = {
  namespace: K8sLabel,
  name: K8sName,
};
const Port = z.int().min(1).max(65535);

export const ScaleDeploymentAction = z.object({
  kind: z.literal('scaleDeployment'),
  ...target,
  replicas: z.int().min(0),
  ...common,
});

export const RolloutRestartAction = z.object({
  kind: z.literal('rolloutRestart'),
  ...target,
  workload: z.enum(['Deployment', 'StatefulSet']).default('Deployment'),
  ...common,
});

export const DeletePodAction = z.object({
  kind: z.literal('deletePod'),
  ...target,
  ...common,
});

export const ServicePortPatch = z.object({
  name: K8sLabel.optional().describe('Port name; identifies the port to change when the Service has several'),
  port: Port,
  targetPort: z.union([Port, z.string().regex(/^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/)]),
});
export type ServicePortPatch = z.infer<typeof ServicePortPatch>;

export const PatchServiceAction = z.object({
  kind: z.literal('patchService'),
  ...target,
  ports: z.array(ServicePortPatch).min(1),
  ...common,
});

export const SetImageAction = z.object({
  kind: z.literal('setImage'),
  ...target,
  container: K8sLabel,
  image: z.string().min(1).max(512).regex(/^\S+$/, 'must not contain whitespace'),
  ...common,
});

const CommandWord = z
  .string()
  .min(1)
  .max(1024)
  .refine((word) => !word.includes('\0'), 'must not contain NUL');

export const SetCommandAction = z.object({
  kind: z.literal('setCommand'),
  ...target,
  container: K8sLabel,
  command: z
    .array(CommandWord)
    .min(1)
    .max(64)
    .describe('The container command, one argv item each (no shell)'),
  args: z.array(CommandWord).max(64).optional().describe('The container args; left as they are when absent'),
  ...common,
});

const EnvName = z.string().regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/, 'must be an environment variable name');

export const SetEnvAction = z.object({
  kind: z.literal('setEnv'),
  ...target,
  container: K8sLabel,
  env: z
    .record(EnvName, z.string().nullable())
    .refine((env) => Object.keys(env).length > 0, 'must set or remove at least one variable')
    .describe('Variables to set; null removes the variable'),
  ...common,
});

export const RollbackDeploymentAction = z.object({
  kind: z.literal('rollbackDeployment'),
  ...target,
  toRevision: z.int().min(1).optional().describe('Revision to return to; omitted means the previous one'),
  ...common,
});

export const PatchNodeSelectorAction = z.object({
  kind: z.literal('patchNodeSelector'),
  ...target,
  nodeSelector: z.record(LabelKey, LabelValue.nullable()).describe('Labels to require; null removes the key'),
  ...common,
});

const ArgvItem = z.string().regex(/^[^\0]+$/, 'must be non-empty and contain no NUL');

export const KubectlAction = z.object({
  kind: z.literal('kubectl'),
  argv: z
    .array(ArgvItem)
    .min(1)
    .refine((argv) => argv[0] !== 'kubectl' && !argv[0]?.endsWith('/kubectl'), {
      message: 'is the argv after "kubectl"; do not repeat the program name',
    })
    .describe('Arguments after "kubectl", one per item; never a shell string'),
  namespace: K8sLabel.optional(),
  ...common,
});

/** Path segments that would reach an object's prototype in JavaScript; never a config key worth setting. */
export const FORBIDDEN_PATH_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

const ConfigPathKey = z
  .string()
  .min(1)
  .max(128)
  .refine((key) => ![...key].some((c) => c < ' ' || c === '\u007f'), 'must not contain control characters')
  .refine((key) => !FORBIDDEN_PATH_KEYS.includes(key), 'must not be __proto__, constructor or prototype');

/** A ConfigMap data key (the Kubernetes rule). */
const ConfigMapKey = z
  .string()
  .max(253)
  .regex(/^[-._a-zA-Z0-9]+$/, 'must be a ConfigMap key (a-z, A-Z, 0-9, "-", "_", ".")');

export const SetConfigValueAction = z.object({
  kind: z.literal('setConfigValue'),
  ...target,
  key: ConfigMapKey.describe("The ConfigMap's data key holding the document"),
  format: z.enum(['json', 'yaml']).describe("How the key's text is parsed and written back"),
  path: z
    .array(ConfigPathKey)
    .min(1)
    .max(16)
    .describe('Keys from the document root to the value; every parent must already exist as a mapping'),
  value: z
    .union([z.string().max(4096), z.number().finite(), z.boolean(), z.null()])
    .describe('The new value; null removes the key'),
  ...common,
});

/**
 * A PersistentVolume is cluster-scoped: it has no namespace of its own. Policies match this action on the
 * namespace of the claim it was released by (`claimNamespace`); `namespace` is filled in from it so every
 * proposal still names a namespace (given explicitly, it must be the same).
 */
export const ReleaseVolumeAction = z
  .object({
    kind: z.literal('releaseVolume'),
    name: K8sName.describe('The PersistentVolume (cluster-scoped)'),
    claimNamespace: K8sLabel.describe(
      'Namespace of the claim the volume was released by; policies match on it',
    ),
    claim: K8sName.describe("Name of that claim, as in the volume's spec.claimRef"),
    namespace: K8sLabel.optional().describe('Optional; when given, must equal claimNamespace'),
    ...common,
  })
  .refine((a) => a.namespace === undefined || a.namespace === a.claimNamespace, {
    message: 'must equal claimNamespace (a PersistentVolume has no namespace of its own)',
    path: ['namespace'],
  })
  .overwrite((a) => ({ ...a, namespace: a.claimNamespace }));

/** A resource quantity as Kubernetes writes one: "250m", "0.5", "64Mi", "1Gi". */
export const Quantity = z
  .string()
  .max(32)
  .regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/, 'must be a quantity like "250m", "512Mi" or "1"');

const ResourceList = z.strictObject({ cpu: Quantity.optional(), memory: Quantity.optional() });

/**
 * A container's limits and requests (only the ones given change). Policies bound it: a rule that allows it
 * must set limits.maxResourceFactor (the new value within that factor of the current one) and may set
 * maxMemory / maxCpu, a ceiling no value may exceed.
 */
export const SetResourcesAction = z
  .object({
    kind: z.literal('setResources'),
    ...target,
    container: K8sLabel,
    limits: ResourceList.optional().describe('New limits; a resource left out keeps its limit'),
    requests: ResourceList.optional().describe('New requests; a resource left out keeps its request'),
    ...common,
  })
  .refine(
    (a) => Object.keys({ ...a.limits, ...a.requests }).length > 0,
    'must change at least one limit or request',
  );

/**
 * Changes to a probe of a container: its endpoint (port, HTTP path) or its timing. A startup probe the container
 * does not have yet is created from its liveness probe's endpoint. Policies bound timing changes: a rule that
 * allows it must set limits.maxProbeStartSeconds.
 */
export const SetProbeAction = z
  .object({
    kind: z.literal('setProbe'),
    ...target,
    container: K8sLabel,
    probe: z.enum(['liveness', 'readiness', 'startup']),
    port: Port.optional().describe('The tcpSocket or httpGet port the probe dials'),
    path: z
      .string()
      .max(1024)
      .regex(/^\/[^\s]*$/, 'must be an HTTP path starting with "/", without whitespace')
      .optional()
      .describe('The httpGet path (only for an HTTP probe)'),
    initialDelaySeconds: z.int().min(0).max(3600).optional(),
    periodSeconds: z.int().min(1).max(3600).optional(),
    timeoutSeconds: z.int().min(1).max(3600).optional(),
    failureThreshold: z.int().min(1).max(100).optional(),
    ...common,
  })
  .refine(
    (a) =>
      [a.port, a.path, a.initialDelaySeconds, a.periodSeconds, a.timeoutSeconds, a.failureThreshold].some(
        (v) => v !== undefined,
      ),
    'must change at least one of port, path, initialDelaySeconds, periodSeconds, timeoutSeconds, failureThreshold',
  );

export const ActionProposal = z.discriminatedUnion('kind', [
  ScaleDeploymentAction,
  RolloutRestartAction,
  DeletePodAction,
  PatchServiceAction,
  SetImageAction,
  SetCommandAction,
  SetEnvAction,
  RollbackDeploymentAction,
  PatchNodeSelectorAction,
  KubectlAction,
  SetConfigValueAction,
  ReleaseVolumeAction,
  SetResourcesAction,
  SetProbeAction,
]);
export type ActionProposal = z.infer<typeof ActionProposal>;
