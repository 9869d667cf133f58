import type { ActionProposal } from '../core/actions.js';
import { targetObjectOf } from '../core/action-target.js';
import type { FactClients } from './constraints/facts.js';
import { gatherFacts } from './constraints/facts.js';
import type { DecisionContext } from './policy-engine.js';
import { actionNamespace } from './policy-engine.js';

export { targetObjectOf, type TargetResource } from '../core/action-target.js';

export interface IncidentCounters {
  actionsSoFar: number;
  podsDeletedSoFar?: number;
}

/** What the policy needs to know about the target, read with the executor's client; unknowns stay unset. */
export async function gatherContext(
  action: ActionProposal,
  clients: FactClients,
  incident: IncidentCounters,
): Promise<DecisionContext> {
  const namespace = actionNamespace(action);
  const context: DecisionContext = {
    namespace,
    actionsSoFar: incident.actionsSoFar,
    ...(incident.podsDeletedSoFar !== undefined ? { podsDeletedSoFar: incident.podsDeletedSoFar } : {}),
  };
  // Read with the executor's own client, every time: the constraints never run on what a caller supplied.
  context.facts = await gatherFacts(action, clients);
  if (action.kind === 'kubectl') return context;
  try {
    const meta = await readTarget(action, clients);
    if (meta.labels) context.labels = meta.labels;
    if (meta.replicas !== undefined) context.currentReplicas = meta.replicas;
    if (action.kind === 'setResources') {
      const d = await clients.apps.readNamespacedDeployment({
        name: action.name,
        namespace: action.namespace,
      });
      const c = d.spec?.template.spec?.containers.find((x) => x.name === action.container);
      if (c)
        context.currentResources = {
          limits: { ...c.resources?.limits },
          requests: { ...c.resources?.requests },
        };
    }
  } catch {
    // Unknown labels and replicas make label rules and replica limits fail closed.
  }
  return context;
}

async function readTarget(
  action: Exclude<ActionProposal, { kind: 'kubectl' }>,
  { core, apps }: FactClients,
): Promise<{ labels?: Record<string, string>; replicas?: number }> {
  const target = targetObjectOf(action);
  if (!target) return {};
  const ref = { name: target.name, namespace: target.namespace ?? '' };
  switch (target.resource) {
    case 'persistentvolumes':
      return pick(await core.readPersistentVolume({ name: target.name }));
    case 'configmaps':
      return pick(await core.readNamespacedConfigMap(ref));
    case 'pods':
      return pick(await core.readNamespacedPod(ref));
    case 'services':
      return pick(await core.readNamespacedService(ref));
    case 'statefulsets':
      return pick(await apps.readNamespacedStatefulSet(ref));
    case 'deployments':
      return pick(await apps.readNamespacedDeployment(ref));
  }
}

function pick(object: {
  metadata?: { labels?: Record<string, string> };
  spec?: { replicas?: number } | object;
}): { labels?: Record<string, string>; replicas?: number } {
  const replicas = object.spec && 'replicas' in object.spec ? object.spec.replicas : undefined;
  return {
    ...(object.metadata?.labels ? { labels: object.metadata.labels } : {}),
    ...(typeof replicas === 'number' ? { replicas } : {}),
  };
}
