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
]);
export type ActionProposal = z.infer<typeof ActionProposal>;
