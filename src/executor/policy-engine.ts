/**
 * The policy decision: a pure function of the action, the policy and what is known about the target.
 *
 * Order of evaluation (first answer wins):
 *   1. a kubectl argv the classifier refuses → deny (`builtin:kubectl-argv`);
 *   2. an action whose own namespace differs from the context's → deny (`builtin:namespace-mismatch`);
 *   3. a forbidden namespace (kube-system, kube-public, kube-node-lease, plus `forbiddenNamespaces`) → deny;
 *   4. the rules in file order: the FIRST rule whose match fits decides; when it allows or asks for approval
 *      but the action breaks one of its limits, the answer is deny with that rule's id (no fall-through);
 *   5. no rule fits → deny (the policy's `default`).
 * A field the context cannot answer (labels, namespace, names unknown) never lets an allow or approve rule
 * match, but does let a deny rule match: unknowns fail closed.
 *
 * Cluster-scoped objects have no namespace of their own. `releaseVolume` (a PersistentVolume) is matched on
 * the namespace of the claim it was released by (`claimNamespace`), so `namespaces: [test-*]` covers volumes
 * released by claims in test-* only, and kube-system claims stay forbidden. kubectl writes to cluster-scoped
 * kinds are refused by the argv classifier, since their `-n` would scope nothing.
 */
import type { ActionProposal } from '../core/actions.js';
import { FORBIDDEN_PATH_KEYS } from '../core/actions.js';
import type { Policy, PolicyEffect, PolicyLimits, PolicyMatch } from '../core/policy.js';
import type { ConstraintFacts } from './constraints/index.js';
import { checkConstraints } from './constraints/index.js';
import type { KubectlClassification } from './kubectl-argv.js';
import type { CurrentResources } from './resource-bounds.js';
import { brokenResourceBound } from './resource-bounds.js';
import { brokenProbeBound } from './probe-bounds.js';
import { IMAGE_REFERENCE, canonicalResource, classifyKubectlArgv } from './kubectl-argv.js';

export interface DecisionContext {
  /** The target namespace; undefined only for a kubectl read without -n. */
  namespace: string | undefined;
  /** Labels of the target object, when read. */
  labels?: Record<string, string>;
  /** Actions already executed in this incident. */
  actionsSoFar: number;
  podsDeletedSoFar?: number;
  /** The Deployment's replica count now, for `maxReplicaChange`. */
  currentReplicas?: number;
  /** setResources: the container's limits and requests now, for `maxResourceFactor`. */
  currentResources?: CurrentResources;
  /**
   * What the content constraints need, read from the cluster. The executor always reads it; without it (a
   * preview, `aoi policy explain`) the constraints that need the cluster are listed as pending, not passed.
   */
  facts?: ConstraintFacts;
}

export interface Decision {
  effect: PolicyEffect;
  /** The deciding rule's id, or `constraint:<id>` when a content constraint refused or asked for approval. */
  ruleId: string | null;
  reason: string;
  /** The content constraints checked (after the rules allowed or asked), and those left for run time. */
  constraints?: { checked: string[]; pending?: string[] };
}

export const ALWAYS_FORBIDDEN_NAMESPACES: readonly string[] = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
];

type Tri = boolean | 'unknown';
type Classified = Extract<KubectlClassification, { ok: true }>;

/** The namespace the action itself names (for kubectl: its -n, else its `namespace` field). */
export function actionNamespace(action: ActionProposal): string | undefined {
  if (action.kind === 'releaseVolume') return action.claimNamespace;
  if (action.kind !== 'kubectl') return action.namespace;
  const c = classifyKubectlArgv(action.argv);
  return (c.ok ? c.namespace : undefined) ?? action.namespace;
}

/** A proposal larger than this (as JSON) is refused: no fix needs it, and it would bloat the audit log. */
export const MAX_PROPOSAL_CHARS = 256 * 1024;

/** Values no schema lets through but no action needs either; checked before anything else. */
function invalidValue(action: ActionProposal): Decision | undefined {
  const json = JSON.stringify(action);
  if (json.length > MAX_PROPOSAL_CHARS)
    return deny('builtin:oversized', `proposal is ${json.length} characters (max ${MAX_PROPOSAL_CHARS})`);
  if (hasNul(action)) return deny('builtin:invalid-value', 'a field contains NUL');
  if (action.kind === 'setImage' && !IMAGE_REFERENCE.test(action.image))
    return deny('builtin:invalid-value', `"${action.image}" is not an image reference`);
  if (action.kind === 'setConfigValue') {
    const bad = action.path.find((key) => FORBIDDEN_PATH_KEYS.includes(key) || key === '');
    if (bad !== undefined || action.path.length === 0)
      return deny('builtin:invalid-value', `path segment "${bad ?? ''}" is not allowed`);
  }
  return undefined;
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(hasNul);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).some(([k, v]) => k.includes('\0') || hasNul(v));
  return false;
}

export function decide(action: ActionProposal, policy: Policy, context: DecisionContext): Decision {
  const invalid = invalidValue(action);
  if (invalid) return invalid;
  const decision = decideByRules(action, policy, context);
  if (decision.effect === 'deny') return decision;
  const held = heldToTypedRules(action, policy, context);
  return held ?? withConstraints(action, policy, context, decision);
}

/**
 * The content constraints, after the rules allowed the action or asked for approval: a refusal is a deny
 * naming the constraint; a constraint asking for approval turns an allow into approve. Nothing turns a
 * constraint's deny around, `--approve` included (it answers approve verdicts only).
 */
function withConstraints(
  action: ActionProposal,
  policy: Policy,
  context: DecisionContext,
  decision: Decision,
): Decision {
  const offline = context.facts === undefined;
  const verdict = checkConstraints(action, policy, context.facts ?? { unreadable: [] }, offline);
  const pending = offline ? verdict.pending : [];
  const constraints = { checked: verdict.checked, ...(pending.length > 0 ? { pending } : {}) };
  const refusal = verdict.refusal;
  if (refusal === undefined) return { ...decision, constraints };
  const ruleId = `constraint:${refusal.constraint}`;
  if (refusal.effect === 'approve')
    return {
      effect: 'approve',
      ruleId,
      reason: `${refusal.reason} (rule ${decision.ruleId ?? 'default'} allowed it)`,
      constraints,
    };
  return { effect: 'deny', ruleId, reason: refusal.reason, constraints };
}

/**
 * `kubectl scale` may not dodge the replica limits of `scaleDeployment`: the same change, as the typed
 * action (whose current replica count the kubectl path does not read), must be allowed as well.
 */
function heldToTypedRules(
  action: ActionProposal,
  policy: Policy,
  context: DecisionContext,
): Decision | undefined {
  if (action.kind !== 'kubectl') return undefined;
  const c = classifyKubectlArgv(action.argv);
  if (!c.ok || c.verb !== 'scale' || c.namespace === undefined) return undefined;
  const replicas = Number(replicasFlag(action.argv));
  for (const name of c.names) {
    const typed: ActionProposal = {
      kind: 'scaleDeployment',
      namespace: c.namespace,
      name,
      replicas,
      rationale: action.rationale,
      evidence: action.evidence,
    };
    const d = decideByRules(typed, policy, context);
    if (d.effect === 'deny')
      return deny('builtin:kubectl-scale', `kubectl scale is held to the scaleDeployment rules: ${d.reason}`);
  }
  return undefined;
}

function replicasFlag(argv: readonly string[]): string | undefined {
  for (const [i, arg] of argv.entries()) {
    if (arg === '--replicas') return argv[i + 1];
    if (arg.startsWith('--replicas=')) return arg.slice('--replicas='.length);
  }
  return undefined;
}

function decideByRules(action: ActionProposal, policy: Policy, context: DecisionContext): Decision {
  let kubectl: Classified | undefined;
  if (action.kind === 'kubectl') {
    const c = classifyKubectlArgv(action.argv);
    if (!c.ok) return deny('builtin:kubectl-argv', `kubectl argv refused: ${c.reason}`);
    if (c.namespace && action.namespace && c.namespace !== action.namespace)
      return deny(
        'builtin:namespace-mismatch',
        `-n ${c.namespace} differs from namespace ${action.namespace}`,
      );
    kubectl = c;
  }
  if (
    action.kind === 'releaseVolume' &&
    action.namespace !== undefined &&
    action.namespace !== action.claimNamespace
  )
    return deny(
      'builtin:namespace-mismatch',
      `namespace ${action.namespace} differs from claimNamespace ${action.claimNamespace}`,
    );
  const own = actionNamespace(action);
  if (own !== undefined && own !== context.namespace)
    return deny(
      'builtin:namespace-mismatch',
      `action targets ${own}, context is ${context.namespace ?? 'none'}`,
    );
  const ns = context.namespace;
  const forbidden = [...ALWAYS_FORBIDDEN_NAMESPACES, ...(policy.forbiddenNamespaces ?? [])];
  if (ns !== undefined && forbidden.some((g) => globMatch(g, ns)))
    return deny('builtin:forbidden-namespace', `namespace ${ns} is forbidden`);
  for (const rule of policy.rules) {
    const fit = matches(rule.match, action, kubectl, context);
    if (fit === false || (fit === 'unknown' && rule.effect !== 'deny')) continue;
    if (rule.effect === 'deny') return deny(rule.id, rule.reason ?? `denied by rule ${rule.id}`);
    // Limits apply even when the rule has none: an action that must be bounded is refused unbounded.
    const broken = brokenLimit(rule.limits ?? {}, action, kubectl, context);
    if (broken) return deny(rule.id, `rule ${rule.id}: ${broken}`);
    return {
      effect: rule.effect,
      ruleId: rule.id,
      reason: rule.reason ?? `${rule.effect} by rule ${rule.id}`,
    };
  }
  return deny(null, `no rule matches ${action.kind}${ns ? ` in ${ns}` : ''}; default deny`);
}

function deny(ruleId: string | null, reason: string): Decision {
  return { effect: 'deny', ruleId, reason };
}

function matches(
  match: PolicyMatch,
  action: ActionProposal,
  kubectl: Classified | undefined,
  context: DecisionContext,
): Tri {
  const parts: Tri[] = [];
  if (match.actions && !match.actions.includes('*')) parts.push(match.actions.includes(action.kind));
  if (match.namespaces) {
    const ns = context.namespace;
    parts.push(ns === undefined ? 'unknown' : match.namespaces.some((g) => globMatch(g, ns)));
  }
  if (match.labels) {
    const labels = context.labels;
    parts.push(
      labels === undefined ? 'unknown' : Object.entries(match.labels).every(([k, v]) => labels[k] === v),
    );
  }
  if (match.names) {
    const names = kubectl ? kubectl.names : action.kind === 'kubectl' ? [] : [action.name];
    const globs = match.names;
    parts.push(names.length === 0 ? 'unknown' : names.every((n) => globs.some((g) => globMatch(g, n))));
  }
  if (match.commands) parts.push(kubectl ? match.commands.some((p) => commandMatch(p, kubectl)) : false);
  if (parts.includes(false)) return false;
  return parts.includes('unknown') ? 'unknown' : true;
}

/** "rollout restart" matches the verb; "patch pv" the verb and the (canonical) resource. */
function commandMatch(pattern: string, c: Classified): boolean {
  if (pattern === c.verb) return true;
  if (!pattern.startsWith(`${c.verb} `)) return false;
  return c.resource !== undefined && canonicalResource(pattern.slice(c.verb.length + 1)) === c.resource;
}

function brokenLimit(
  limits: PolicyLimits,
  action: ActionProposal,
  kubectl: Classified | undefined,
  context: DecisionContext,
): string | undefined {
  if (limits.maxActionsPerIncident !== undefined && context.actionsSoFar >= limits.maxActionsPerIncident)
    return `already ${context.actionsSoFar} actions in this incident (max ${limits.maxActionsPerIncident})`;
  if (action.kind === 'scaleDeployment') {
    if (limits.maxReplicas !== undefined && action.replicas > limits.maxReplicas)
      return `replicas ${action.replicas} exceeds maxReplicas ${limits.maxReplicas}`;
    if (limits.maxReplicaChange !== undefined) {
      if (context.currentReplicas === undefined) return 'current replica count unknown (maxReplicaChange)';
      const change = Math.abs(action.replicas - context.currentReplicas);
      if (change > limits.maxReplicaChange)
        return `replica change ${change} exceeds maxReplicaChange ${limits.maxReplicaChange}`;
    }
  }
  if (action.kind === 'setResources') {
    const unbounded = brokenResourceBound(limits, action, context.currentResources);
    if (unbounded) return unbounded;
  }
  if (action.kind === 'setProbe') {
    const unbounded = brokenProbeBound(limits, action);
    if (unbounded) return unbounded;
  }
  if (limits.maxPodsDeleted !== undefined) {
    const deleting =
      action.kind === 'deletePod' ? 1 : kubectl?.verb === 'delete' ? Math.max(1, kubectl.names.length) : 0;
    const total = (context.podsDeletedSoFar ?? 0) + deleting;
    if (deleting > 0 && total > limits.maxPodsDeleted)
      return `${total} pods deleted in this incident exceeds maxPodsDeleted ${limits.maxPodsDeleted}`;
  }
  if (
    kubectl?.verb === 'scale' &&
    (limits.maxReplicas !== undefined || limits.maxReplicaChange !== undefined)
  )
    return 'replica limits cannot be checked for kubectl scale; use scaleDeployment';
  return undefined;
}

/** Glob with "*" only; every other character is literal. */
export function globMatch(glob: string, value: string): boolean {
  const pattern = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(value);
}
