import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import type { ServicePortPatch } from '../../core/actions.js';
import type { HandlerFor } from './types.js';
import { FIELD_MANAGER, JSON_PATCH, STRATEGIC, asObject, plain } from './workload.js';

/** Ports merge by `port` (strategic merge); verify = each port's targetPort re-read; rollback = the old ports. */
export const patchService: HandlerFor<'patchService'> = {
  blastRadius: (_clients, a) => Promise.resolve({ objects: [`service/${a.namespace}/${a.name}`], pods: [] }),
  async dryRun(clients, a) {
    const { current, result } = await patch(clients, a, true);
    return {
      message: `service/${a.name} would change: ${portChanges(current, a)}`,
      current: asObject(current),
      object: asObject(result),
    };
  },
  async preImage(clients, a) {
    const svc = await clients.core.readNamespacedService({ name: a.name, namespace: a.namespace });
    return { kind: 'Service', ports: plain(svc.spec?.ports ?? []) };
  },
  async apply(clients, a) {
    const { current } = await patch(clients, a, false);
    return `service/${a.name}: ${portChanges(current, a)}`;
  },
  async check(clients, a) {
    const svc = await clients.core.readNamespacedService({ name: a.name, namespace: a.namespace });
    for (const want of a.ports) {
      const got = findPort(svc.spec?.ports ?? [], want);
      if (String(got?.targetPort) !== String(want.targetPort))
        return {
          state: 'failed',
          message: `service/${a.name} port ${want.port}: targetPort ${String(got?.targetPort)}`,
        };
    }
    const serving = await readyBackends(clients, svc, a.ports);
    return serving === 0
      ? { state: 'pending', message: `service/${a.name}: no Ready pod behind it declares the new targetPort` }
      : {
          state: 'done',
          message: `service/${a.name} ports as requested, ${serving} Ready pod(s) behind them`,
        };
  },
  async rollback(clients, a, pre) {
    await clients.core.patchNamespacedService(
      {
        name: a.name,
        namespace: a.namespace,
        body: [{ op: 'replace', path: '/spec/ports', value: pre['ports'] }],
        fieldManager: FIELD_MANAGER,
      },
      JSON_PATCH,
    );
    return `service/${a.name}: ports restored from the pre-image`;
  },
};

/** Ready pods behind the Service declaring every new targetPort: the read-back alone is not a healthy Service. */
async function readyBackends(
  clients: Parameters<HandlerFor<'patchService'>['check']>[0],
  svc: V1Service,
  ports: readonly ServicePortPatch[],
): Promise<number> {
  const selector = Object.entries(svc.spec?.selector ?? {});
  if (selector.length === 0) return 0;
  const pods = await clients.core.listNamespacedPod({
    namespace: svc.metadata?.namespace ?? '',
    labelSelector: selector.map(([k, v]) => `${k}=${v}`).join(','),
  });
  return pods.items.filter((pod) => {
    const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    const declared = (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
    return (
      ready === true &&
      ports.every((want) =>
        declared.some((p) =>
          typeof want.targetPort === 'number'
            ? p.containerPort === want.targetPort
            : p.name === want.targetPort,
        ),
      )
    );
  }).length;
}

/** `port 9090: targetPort 9999 → 9090` per port, the first value read from the Service before the patch. */
function portChanges(current: V1Service, a: { ports: ServicePortPatch[] }): string {
  return a.ports
    .map((want) => {
      const was = findPort(current.spec?.ports ?? [], want)?.targetPort;
      return `port ${want.port}: targetPort ${was === undefined ? '(unset)' : String(was)} → ${String(want.targetPort)}`;
    })
    .join(', ');
}

function findPort(ports: V1ServicePort[], want: ServicePortPatch): V1ServicePort | undefined {
  return ports.find((p) => (want.name !== undefined ? p.name === want.name : p.port === want.port));
}

async function patch(
  clients: Parameters<HandlerFor<'patchService'>['apply']>[0],
  a: Parameters<HandlerFor<'patchService'>['apply']>[1],
  dryRun: boolean,
): Promise<{ current: V1Service; result: V1Service }> {
  const current = await clients.core.readNamespacedService({ name: a.name, namespace: a.namespace });
  const ports = a.ports.map((want) => {
    const existing = findPort(current.spec?.ports ?? [], want);
    if (!existing) throw new Error(`service/${a.name} has no port ${want.name ?? want.port}`);
    return {
      ...(existing.name ? { name: existing.name } : {}),
      port: want.port,
      targetPort: want.targetPort,
    };
  });
  const result = await clients.core.patchNamespacedService(
    {
      name: a.name,
      namespace: a.namespace,
      body: { spec: { ports } },
      fieldManager: FIELD_MANAGER,
      ...(dryRun ? { dryRun: 'All' } : {}),
    },
    STRATEGIC,
  );
  return { current, result };
}
