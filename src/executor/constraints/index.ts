/**
 * Which content constraints apply to each action kind, and their verdict. A kind listed here with no
 * constraint is one whose content cannot do harm beyond its kind (a restart, a pod delete); a kind missing
 * from the table (one added later) is refused until someone decides what bounds it.
 */
import type { ActionProposal } from '../../core/actions.js';
import type { Policy } from '../../core/policy.js';
import { DEFAULT_PROTECTED } from '../../core/policy-constraints.js';
import { classifyKubectlArgv } from '../kubectl-argv.js';
import { typedActionFor } from '../kubectl-to-action.js';
import { checkCommand, checkConfigValue, checkEnv, checkImage } from './content.js';
import type { ConstraintFacts } from './facts.js';
import {
  checkNodeSelector,
  checkProbePort,
  checkProtected,
  checkRollback,
  checkScale,
  checkServicePorts,
} from './shape.js';
import type { Refusal } from './types.js';

export type { Refusal } from './types.js';
export type { ConstraintFacts } from './facts.js';

export interface ConstraintVerdict {
  /** Every constraint that was checked, in order (shown in the approval prompt and the audit entry). */
  checked: string[];
  /** The first constraint that refused, or asked for approval; undefined when all passed. */
  refusal?: Refusal;
  /** Offline only: the constraints that need the cluster, left for the executor to check. */
  pending: string[];
}

type Check = (action: ActionProposal, policy: Policy, facts: ConstraintFacts) => Refusal | undefined;
type Named = [id: string, check: Check];

const protectedCheck: Named = [
  'protected',
  (_a, p, f) => checkProtected(p.constraints?.protected ?? DEFAULT_PROTECTED, f),
];

/** The constraints of each action kind, in the order they are checked. */
export const CONSTRAINTS_BY_KIND: Partial<Record<string, readonly Named[]>> = {
  scaleDeployment: [
    protectedCheck,
    [
      'scale',
      (a, p, f) => (a.kind === 'scaleDeployment' ? checkScale(a, p.constraints?.scale, f) : undefined),
    ],
  ],
  rolloutRestart: [protectedCheck],
  deletePod: [protectedCheck],
  patchService: [
    protectedCheck,
    ['service-ports', (a, _p, f) => (a.kind === 'patchService' ? checkServicePorts(a, f) : undefined)],
  ],
  setImage: [
    protectedCheck,
    ['images', (a, p, f) => (a.kind === 'setImage' ? checkImage(a, p.constraints?.images, f) : undefined)],
  ],
  setCommand: [
    protectedCheck,
    [
      'commands',
      (a, p, f) => (a.kind === 'setCommand' ? checkCommand(a, p.constraints?.commands, f) : undefined),
    ],
  ],
  setEnv: [
    protectedCheck,
    ['env', (a, p) => (a.kind === 'setEnv' ? checkEnv(a, p.constraints?.env) : undefined)],
  ],
  rollbackDeployment: [
    protectedCheck,
    [
      'rollback',
      (a, p, f) =>
        a.kind === 'rollbackDeployment' ? checkRollback(a, p.constraints?.rollback, f) : undefined,
    ],
  ],
  patchNodeSelector: [
    protectedCheck,
    ['node-selector', (a, _p, f) => (a.kind === 'patchNodeSelector' ? checkNodeSelector(a, f) : undefined)],
  ],
  setConfigValue: [
    protectedCheck,
    [
      'config-values',
      (a, p) => (a.kind === 'setConfigValue' ? checkConfigValue(a, p.constraints?.configValues) : undefined),
    ],
  ],
  releaseVolume: [protectedCheck],
  // How far resources may move is bounded by the allowing rule's limits (maxResourceFactor, maxMemory, maxCpu).
  setResources: [protectedCheck],
  setProbe: [protectedCheck, ['probe-port', (a, _p, f) => checkProbePort(a, f)]],
  kubectl: [['kubectl-writes', (a, p) => checkKubectl(a, p)]],
};

/** A kubectl write that is not a typed action in disguise (those are checked as that action, below). */
function checkKubectl(action: ActionProposal, policy: Policy): Refusal | undefined {
  if (action.kind !== 'kubectl' || policy.constraints?.kubectlWrites === 'allow') return undefined;
  if (typedActionFor(action)) return undefined;
  return isKubectlWrite(action)
    ? {
        constraint: 'kubectl-writes',
        reason:
          'a kubectl write that is not a typed action cannot be bounded by content constraints; use the typed action, or set constraints.kubectlWrites: allow',
      }
    : undefined;
}

/** An argv the classifier refuses never gets here (the engine denies it first); treat it as a write anyway. */
function isKubectlWrite(action: Extract<ActionProposal, { kind: 'kubectl' }>): boolean {
  const c = classifyKubectlArgv(action.argv);
  return !c.ok || c.write;
}

/** `offline`: no cluster was read (facts empty); a check that needs the cluster is pending, not a refusal. */
export function checkConstraints(
  action: ActionProposal,
  policy: Policy,
  facts: ConstraintFacts,
  offline = false,
): ConstraintVerdict {
  // The executor runs such a kubectl write as the typed action: the same constraints bound it everywhere.
  const typed = action.kind === 'kubectl' ? typedActionFor(action) : undefined;
  if (typed) return checkConstraints(typed, policy, facts, offline);
  const constraints = CONSTRAINTS_BY_KIND[action.kind];
  if (constraints === undefined)
    return {
      pending: [],
      checked: ['unreviewed-kind'],
      refusal: {
        constraint: 'unreviewed-kind',
        reason: `no content constraint bounds ${action.kind} yet; refused until one does`,
      },
    };
  const checked: string[] = [];
  const pending: string[] = [];
  let approval: Refusal | undefined;
  for (const [id, check] of constraints) {
    const refusal = check(action, policy, facts);
    if (offline && refusal?.unread === true) {
      pending.push(id);
      continue;
    }
    checked.push(id);
    if (refusal?.effect === 'approve') approval ??= refusal;
    else if (refusal) return { checked, pending, refusal };
  }
  return approval ? { checked, pending, refusal: approval } : { checked, pending };
}

/** The constraints an action of this kind is checked against (for `aoi policy explain`). */
export function constraintsFor(kind: string): string[] {
  return (CONSTRAINTS_BY_KIND[kind] ?? [['unreviewed-kind']]).map(([id]) => id);
}

const DESCRIPTIONS: Record<string, string> = {
  protected:
    'the target (or, for a pod, its workload) carries none of the protected labels or annotations (constraints.protected)',
  scale:
    'no scale to 0 of a workload a Service selects; to 0 otherwise or down by more than maxScaleDownFraction needs constraints.scale (approve or deny)',
  'service-ports':
    'targetPort is a port (number or name) a container behind the Service declares; the port number itself never changes',
  images:
    "the image's repository is in the workload's revision history or constraints.images (repositories, registries); optional digest pinning",
  commands:
    "no shell or interpreter with an inline program (unless constraints.commands.inlinePrograms names it); the argv is in the workload's history, another workload's of the same image, or constraints.commands.allowed",
  env: 'no variable of the built-in deny-list or constraints.env.deny; only constraints.env.allow when given',
  rollback:
    'the revision exists, is not the current one and has an available pod (unless constraints.rollback.requireAvailablePod is false)',
  'node-selector':
    'removing keys is always allowed; with a key added or changed, some schedulable node carries the whole selector',
  'config-values': 'namespace, ConfigMap, key, path (and value) are granted by constraints.configValues',
  'kubectl-writes':
    'a kubectl write that is not a typed action is refused unless constraints.kubectlWrites is allow',
  'probe-port': 'a probe dials only a port its container declares',
  'unreviewed-kind': 'no constraint bounds this action kind yet: refused',
};

export function describeConstraint(id: string): string {
  return DESCRIPTIONS[id] ?? id;
}
