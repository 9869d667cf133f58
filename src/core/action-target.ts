import type { ActionProposal } from './actions.js';

/** The object an action changes, as a resource name for reads; kubectl actions have none. */
export type TargetResource =
  'persistentvolumes' | 'configmaps' | 'pods' | 'services' | 'statefulsets' | 'deployments';

export function targetObjectOf(
  action: ActionProposal,
): { resource: TargetResource; name: string; namespace?: string } | undefined {
  switch (action.kind) {
    case 'kubectl':
      return undefined;
    case 'releaseVolume':
      return { resource: 'persistentvolumes', name: action.name };
    case 'setConfigValue':
      return { resource: 'configmaps', name: action.name, namespace: action.namespace };
    case 'deletePod':
      return { resource: 'pods', name: action.name, namespace: action.namespace };
    case 'patchService':
      return { resource: 'services', name: action.name, namespace: action.namespace };
    case 'rolloutRestart':
      return {
        resource: action.workload === 'StatefulSet' ? 'statefulsets' : 'deployments',
        name: action.name,
        namespace: action.namespace,
      };
    case 'scaleDeployment':
    case 'setImage':
    case 'setCommand':
    case 'setEnv':
    case 'rollbackDeployment':
    case 'patchNodeSelector':
    case 'setResources':
    case 'setProbe':
      return { resource: 'deployments', name: action.name, namespace: action.namespace };
  }
}

const COMPONENT_RESOURCES: ReadonlySet<TargetResource> = new Set([
  'pods',
  'services',
  'statefulsets',
  'deployments',
]);

/** The workload, Service or pod an action changes: what evidence about a component can be about. */
export function componentTargetOf(action: ActionProposal): string | undefined {
  const target = targetObjectOf(action);
  return target && COMPONENT_RESOURCES.has(target.resource) ? target.name : undefined;
}
