/**
 * The policy's verdict on proposals before anything runs (diagnose without --apply, the TUI's action list),
 * decided with what the executor would know: the target's labels and current replicas, read here with the
 * observer's read-only reader. Anything unreadable stays unknown, so label rules and replica limits fail
 * closed exactly as they do in the executor.
 */
import type { ActionProposal } from '../core/actions.js';
import type { PolicyVerdict } from '../core/diagnose-output.js';
import type { Policy } from '../core/policy.js';
import { targetObjectOf } from '../executor/context.js';
import type { DecisionContext } from '../executor/policy-engine.js';
import { actionNamespace, decide } from '../executor/policy-engine.js';
import type { ClusterReader } from '../observer/cluster-reader.js';

type TargetFacts = Pick<DecisionContext, 'labels' | 'currentReplicas' | 'currentResources'>;

async function readFacts(reader: ClusterReader, action: ActionProposal): Promise<TargetFacts> {
  const target = targetObjectOf(action);
  if (!target) return {};
  const got = await reader.get(target.resource, target.name, target.namespace);
  if (!got.ok) return {};
  const object = got.value as {
    metadata?: { labels?: unknown };
    spec?: { replicas?: unknown; template?: { spec?: { containers?: unknown } } };
  };
  const labels = object.metadata?.labels;
  const replicas = object.spec?.replicas;
  // setResources is bounded by the container's current limits and requests (maxResourceFactor).
  const containers = Array.isArray(object.spec?.template?.spec?.containers)
    ? (object.spec.template.spec.containers as {
        name?: string;
        resources?: DecisionContext['currentResources'];
      }[])
    : [];
  const resources =
    action.kind === 'setResources'
      ? containers.find((c) => c.name === action.container)?.resources
      : undefined;
  return {
    ...(labels !== null && typeof labels === 'object' ? { labels: labels as Record<string, string> } : {}),
    ...(typeof replicas === 'number' ? { currentReplicas: replicas } : {}),
    ...(resources
      ? { currentResources: { limits: { ...resources.limits }, requests: { ...resources.requests } } }
      : {}),
  };
}

/** The facts each proposal's verdict needs, read once per proposal; index-aligned with `proposals`. */
export function readTargetFacts(
  reader: ClusterReader,
  proposals: readonly ActionProposal[],
): Promise<TargetFacts[]> {
  return Promise.all(proposals.map((action) => readFacts(reader, action)));
}

/** The verdict for the proposal at `index`, as the executor would decide it as the index-th action. */
export function previewVerdict(
  action: ActionProposal,
  index: number,
  policy: Policy,
  facts: TargetFacts = {},
): PolicyVerdict {
  const d = decide(action, policy, { namespace: actionNamespace(action), actionsSoFar: index, ...facts });
  return { effect: d.effect, rule: d.ruleId, reason: d.reason };
}
