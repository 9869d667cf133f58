import type { HandlerFor } from './types.js';
import { isNotFound } from './errors.js';
import { asObject } from './workload.js';

/** Deleting a pod cannot be undone; its controller replaces it. Verify = that pod (by uid) is gone. */
export const deletePod: HandlerFor<'deletePod'> = {
  blastRadius: (_clients, a) =>
    Promise.resolve({ objects: [`pod/${a.namespace}/${a.name}`], pods: [a.name] }),
  async dryRun(clients, a) {
    const current = await clients.core.readNamespacedPod({ name: a.name, namespace: a.namespace });
    // The server answers a dry-run delete with the pod it would delete (or a bare Status): not a new state.
    const answer: unknown = await clients.core.deleteNamespacedPod({
      name: a.name,
      namespace: a.namespace,
      dryRun: 'All',
    });
    const object = answer !== null && typeof answer === 'object' ? asObject(answer) : undefined;
    return {
      message: `pod/${a.name} would be deleted`,
      current: asObject(current),
      ...(object?.['kind'] === 'Pod' ? { object } : {}),
    };
  },
  async preImage(clients, a) {
    const pod = await clients.core.readNamespacedPod({ name: a.name, namespace: a.namespace });
    return {
      kind: 'Pod',
      uid: pod.metadata?.uid ?? null,
      ownerReferences: JSON.parse(JSON.stringify(pod.metadata?.ownerReferences ?? [])) as unknown,
      nodeName: pod.spec?.nodeName ?? null,
    };
  },
  async apply(clients, a) {
    await clients.core.deleteNamespacedPod({ name: a.name, namespace: a.namespace });
    return `pod/${a.name} deleted`;
  },
  async check(clients, a, pre) {
    try {
      const pod = await clients.core.readNamespacedPod({ name: a.name, namespace: a.namespace });
      if (pod.metadata?.uid !== pre['uid']) return { state: 'done', message: `pod/${a.name} replaced` };
      return { state: 'pending', message: `pod/${a.name} still terminating` };
    } catch (error) {
      if (isNotFound(error)) return { state: 'done', message: `pod/${a.name} is gone` };
      throw error;
    }
  },
};
