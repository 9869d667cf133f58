import type { V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import type { HandlerFor } from './types.js';
import {
  FIELD_MANAGER,
  JSON_PATCH,
  STRATEGIC,
  asObject,
  deploymentRollout,
  plain,
  statefulSetRollout,
  workloadRadius,
} from './workload.js';

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** `kubectl rollout restart`: a new restartedAt annotation on the pod template; rollback restores the template. */
export const rolloutRestart: HandlerFor<'rolloutRestart'> = {
  blastRadius: (clients, a) => workloadRadius(clients, a.workload, a.namespace, a.name),
  async dryRun(clients, a) {
    const current = await read(clients, a);
    const object = await patch(clients, a, new Date().toISOString(), true);
    return {
      message: `${a.workload.toLowerCase()}/${a.name} would restart`,
      current: asObject(current),
      object: asObject(object),
    };
  },
  async preImage(clients, a) {
    const w = await read(clients, a);
    return { kind: a.workload, template: plain(w.spec?.template ?? {}) };
  },
  async apply(clients, a, pre) {
    const at = new Date().toISOString();
    await patch(clients, a, at, false);
    pre['restartedAt'] = at;
    return `${a.workload.toLowerCase()}/${a.name} restarted at ${at}`;
  },
  async check(clients, a, pre) {
    const w = await read(clients, a);
    const at = w.spec?.template.metadata?.annotations?.[RESTARTED_AT];
    if (at !== pre['restartedAt'])
      return {
        state: 'failed',
        message: `${a.name}: restartedAt is ${at ?? 'unset'}, expected ${String(pre['restartedAt'])}`,
      };
    return a.workload === 'Deployment'
      ? deploymentRollout(
          clients,
          await clients.apps.readNamespacedDeployment({ name: a.name, namespace: a.namespace }),
        )
      : statefulSetRollout(
          clients,
          await clients.apps.readNamespacedStatefulSet({ name: a.name, namespace: a.namespace }),
        );
  },
  async rollback(clients, a, pre) {
    const request = {
      name: a.name,
      namespace: a.namespace,
      body: [{ op: 'replace', path: '/spec/template', value: pre['template'] }],
      fieldManager: FIELD_MANAGER,
    };
    if (a.workload === 'Deployment') await clients.apps.patchNamespacedDeployment(request, JSON_PATCH);
    else await clients.apps.patchNamespacedStatefulSet(request, JSON_PATCH);
    return `${a.workload.toLowerCase()}/${a.name}: template restored from the pre-image`;
  },
};

type Restart = Parameters<HandlerFor<'rolloutRestart'>['apply']>[1];

function read(clients: Parameters<HandlerFor<'rolloutRestart'>['apply']>[0], a: Restart) {
  return a.workload === 'Deployment'
    ? clients.apps.readNamespacedDeployment({ name: a.name, namespace: a.namespace })
    : clients.apps.readNamespacedStatefulSet({ name: a.name, namespace: a.namespace });
}

async function patch(
  clients: Parameters<HandlerFor<'rolloutRestart'>['apply']>[0],
  a: Restart,
  at: string,
  dryRun: boolean,
): Promise<V1Deployment | V1StatefulSet> {
  const request = {
    name: a.name,
    namespace: a.namespace,
    body: { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: at } } } } },
    fieldManager: FIELD_MANAGER,
    ...(dryRun ? { dryRun: 'All' } : {}),
  };
  return a.workload === 'Deployment'
    ? clients.apps.patchNamespacedDeployment(request, STRATEGIC)
    : clients.apps.patchNamespacedStatefulSet(request, STRATEGIC);
}
