/**
 * Writing kubectl commands that say what a typed action says become that action, so the typed action's
 * policy rules, limits, pre-image, dry run, verification and rollback apply to them too. Anything else
 * stays a kubectl action under the kubectl rules.
 */
import type { ActionProposal } from '../core/actions.js';
import { ActionProposal as ActionSchema } from '../core/actions.js';
import { classifyKubectlArgv } from './kubectl-argv.js';

function flag(argv: readonly string[], name: string): string | undefined {
  for (const [i, arg] of argv.entries()) {
    if (arg === name) return argv[i + 1];
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  }
  return undefined;
}

const wholeNumber = (text: string | undefined): number | undefined =>
  text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;

export function typedActionFor(
  action: Extract<ActionProposal, { kind: 'kubectl' }>,
): ActionProposal | undefined {
  const c = classifyKubectlArgv(action.argv);
  if (!c.ok || !c.write || c.namespace === undefined || c.names.length !== 1) return undefined;
  const [name] = c.names as [string];
  const base = {
    namespace: c.namespace,
    name,
    rationale: `${action.rationale} (kubectl ${action.argv.join(' ')})`.slice(0, 2000),
    evidence: action.evidence,
  };
  let typed: unknown;
  if (c.verb === 'rollout restart' && (c.resource === 'deployment' || c.resource === 'statefulset'))
    typed = {
      kind: 'rolloutRestart',
      ...base,
      workload: c.resource === 'deployment' ? 'Deployment' : 'StatefulSet',
    };
  else if (c.verb === 'rollout undo' && c.resource === 'deployment') {
    const toRevision = wholeNumber(flag(action.argv, '--to-revision'));
    typed = { kind: 'rollbackDeployment', ...base, ...(toRevision ? { toRevision } : {}) };
  } else if (c.verb === 'scale' && c.resource === 'deployment') {
    const replicas = wholeNumber(flag(action.argv, '--replicas'));
    if (replicas === undefined) return undefined;
    typed = { kind: 'scaleDeployment', ...base, replicas };
  } else if (c.verb === 'delete' && c.resource === 'pod') typed = { kind: 'deletePod', ...base };
  else return undefined;
  const parsed = ActionSchema.safeParse(typed);
  return parsed.success ? parsed.data : undefined;
}
