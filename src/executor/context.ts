import type { ActionProposal } from '../core/actions.js';
import type { ExecutorClients } from './actions/types.js';
import type { DecisionContext } from './policy-engine.js';
import { actionNamespace } from './policy-engine.js';

export interface IncidentCounters {
  actionsSoFar: number;
  podsDeletedSoFar?: number;
}

/** What the policy needs to know about the target, read with the executor's client; unknowns stay unset. */
export async function gatherContext(
  action: ActionProposal,
  clients: ExecutorClients,
  incident: IncidentCounters,
): Promise<DecisionContext> {
  const namespace = actionNamespace(action);
  const context: DecisionContext = {
    namespace,
    actionsSoFar: incident.actionsSoFar,
    ...(incident.podsDeletedSoFar !== undefined ? { podsDeletedSoFar: incident.podsDeletedSoFar } : {}),
  };
  if (action.kind === 'kubectl') return context;
  try {
    const meta = await readTarget(action, clients);
    if (meta.labels) context.labels = meta.labels;
    if (meta.replicas !== undefined) context.currentReplicas = meta.replicas;
  } catch {
    // Unknown labels and replicas make label rules and replica limits fail closed.
  }
  return context;
}

async function readTarget(
  action: Exclude<ActionProposal, { kind: 'kubectl' }>,
  { core, apps }: ExecutorClients,
): Promise<{ labels?: Record<string, string>; replicas?: number }> {
  if (action.kind === 'releaseVolume') return pick(await core.readPersistentVolume({ name: action.name }));
  const ref = { name: action.name, namespace: action.namespace };
  switch (action.kind) {
    case 'setConfigValue':
      return pick(await core.readNamespacedConfigMap(ref));
    case 'deletePod':
      return pick(await core.readNamespacedPod(ref));
    case 'patchService':
      return pick(await core.readNamespacedService(ref));
    case 'rolloutRestart':
      if (action.workload === 'StatefulSet') return pick(await apps.readNamespacedStatefulSet(ref));
      return pick(await apps.readNamespacedDeployment(ref));
    case 'scaleDeployment':
    case 'setImage':
    case 'setCommand':
    case 'setEnv':
    case 'rollbackDeployment':
    case 'patchNodeSelector':
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
