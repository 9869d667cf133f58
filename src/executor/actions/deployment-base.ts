import type { V1Deployment } from '@kubernetes/client-node';
import type { ActionProposal } from '../../core/actions.js';
import type { ActionHandler, Check, DryRunResult, ExecutorClients, PreImage } from './types.js';
import {
  FIELD_MANAGER,
  JSON_PATCH,
  MERGE,
  STRATEGIC,
  asObject,
  deploymentRollout,
  plain,
  workloadRadius,
} from './workload.js';

type DeploymentAction = Extract<ActionProposal, { namespace: string; name: string }>;

export interface DeploymentChange {
  /** The patch body, of the given content type. */
  body: object;
  type: 'merge' | 'strategic' | 'json';
  note: string;
}

export interface DeploymentSpec<A extends DeploymentAction> {
  /** Builds the patch from the current object; throws when a precondition fails (e.g. no such container). */
  change(
    action: A,
    current: V1Deployment,
    clients: ExecutorClients,
  ): Promise<DeploymentChange> | DeploymentChange;
  /** Why the re-read object does not show the change, or undefined when it does. */
  mismatch(action: A, current: V1Deployment, pre: PreImage): string | undefined;
  /** Why the changed Deployment is not healthy although it shows the change (a Service left without pods). */
  unhealthy?(action: A, current: V1Deployment, clients: ExecutorClients): Promise<string | undefined>;
}

const HEADERS = { merge: MERGE, strategic: STRATEGIC, json: JSON_PATCH } as const;

/**
 * A Deployment change: pre-image = spec.replicas and spec.template; dry run and apply = one patch; verify =
 * the change is visible and the rollout completes; rollback = JSON-patch both fields back.
 */
export function deploymentHandler<A extends DeploymentAction>(spec: DeploymentSpec<A>): ActionHandler<A> {
  const read = (clients: ExecutorClients, a: A) =>
    clients.apps.readNamespacedDeployment({ name: a.name, namespace: a.namespace });
  const patch = async (clients: ExecutorClients, a: A, dryRun: boolean): Promise<DryRunResult> => {
    const current = await read(clients, a);
    const change = await spec.change(a, current, clients);
    const result = await clients.apps.patchNamespacedDeployment(
      {
        name: a.name,
        namespace: a.namespace,
        body: change.body,
        fieldManager: FIELD_MANAGER,
        ...(dryRun ? { dryRun: 'All' } : {}),
      },
      HEADERS[change.type],
    );
    return dryRun
      ? { message: change.note, current: asObject(current), object: asObject(result) }
      : { message: change.note };
  };
  return {
    blastRadius: (clients, a) => workloadRadius(clients, 'Deployment', a.namespace, a.name),
    dryRun: (clients, a) => patch(clients, a, true),
    async preImage(clients, a) {
      const d = await read(clients, a);
      return {
        kind: 'Deployment',
        replicas: d.spec?.replicas ?? 1,
        template: plain(d.spec?.template ?? {}),
        resourceVersion: d.metadata?.resourceVersion ?? null,
      };
    },
    apply: async (clients, a) => (await patch(clients, a, false)).message,
    async check(clients, a, pre): Promise<Check> {
      const d = await read(clients, a);
      const wrong = spec.mismatch(a, d, pre);
      if (wrong) return { state: 'failed', message: `deployment/${a.name}: ${wrong}` };
      const sick = await spec.unhealthy?.(a, d, clients);
      if (sick) return { state: 'failed', message: `deployment/${a.name}: ${sick}` };
      return deploymentRollout(clients, d);
    },
    async rollback(clients, a, pre) {
      const body = [
        { op: 'replace', path: '/spec/template', value: pre['template'] },
        { op: 'replace', path: '/spec/replicas', value: pre['replicas'] },
      ];
      await clients.apps.patchNamespacedDeployment(
        { name: a.name, namespace: a.namespace, body, fieldManager: FIELD_MANAGER },
        JSON_PATCH,
      );
      return `deployment/${a.name}: template and replicas restored from the pre-image`;
    },
  };
}

export function containerNamed(d: V1Deployment, name: string) {
  const containers = d.spec?.template.spec?.containers ?? [];
  const index = containers.findIndex((c) => c.name === name);
  if (index === -1)
    throw new Error(
      `deployment/${d.metadata?.name ?? '?'} has no container "${name}" (has: ${containers.map((c) => c.name).join(', ')})`,
    );
  return { index, container: containers[index]! };
}
