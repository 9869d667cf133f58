import type { JsonObject } from '../api/json.js';
import { resourceByKind } from '../api/resources.js';
import type { Pod, Service } from '../model.js';
import { asView } from '../model.js';
import type { ControllerContext } from './context.js';
import { isReady } from './replicasets.js';

const SERVICES = resourceByKind('Service');
const ENDPOINTS = resourceByKind('Endpoints');
const PODS = resourceByKind('Pod');

/** Resolves a Service port's targetPort against one pod: a number as is, a name through the container ports. */
function targetPortFor(pod: Pod, targetPort: number | string | undefined, port: number): number | undefined {
  if (targetPort === undefined) return port;
  if (typeof targetPort === 'number') return targetPort;
  if (/^\d+$/.test(targetPort)) return Number(targetPort);
  for (const c of pod.spec.containers) {
    const found = c.ports?.find((p) => p.name === targetPort);
    if (found) return found.containerPort;
  }
  return undefined;
}

/** Derives each selector Service's Endpoints from the pods it selects, ready and not ready. */
export class EndpointsController {
  constructor(private readonly ctx: ControllerContext) {}

  syncNamespace(namespace: string): void {
    const pods = this.ctx.store.peekAll(PODS, namespace).map((p) => asView<Pod>(p));
    for (const json of this.ctx.store.peekAll(SERVICES, namespace))
      this.syncService(asView<Service>(json), pods);
  }

  private syncService(svc: Service, pods: Pod[]): void {
    const selector = svc.spec.selector;
    if (!selector || Object.keys(selector).length === 0) return;
    const namespace = svc.metadata.namespace ?? 'default';
    const selected = pods.filter(
      (p) =>
        p.status.podIP &&
        !p.metadata.deletionTimestamp &&
        Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v),
    );
    // Pods with the same resolved ports share a subset, as the endpoints controller packs them.
    const subsets = new Map<
      string,
      { addresses: JsonObject[]; notReadyAddresses: JsonObject[]; ports: JsonObject[] }
    >();
    for (const pod of selected.sort((a, b) => (a.status.podIP ?? '').localeCompare(b.status.podIP ?? ''))) {
      const ports: JsonObject[] = [];
      for (const sp of svc.spec.ports ?? []) {
        const resolved = targetPortFor(pod, sp.targetPort, sp.port);
        if (resolved === undefined) continue;
        const port: JsonObject = { port: resolved, protocol: sp.protocol ?? 'TCP' };
        if (sp.name) port['name'] = sp.name;
        ports.push(port);
      }
      if (ports.length === 0) continue;
      const key = JSON.stringify(ports);
      const subset = subsets.get(key) ?? { addresses: [], notReadyAddresses: [], ports };
      subsets.set(key, subset);
      const address: JsonObject = {
        ip: pod.status.podIP ?? '',
        nodeName: pod.spec.nodeName ?? '',
        targetRef: { kind: 'Pod', namespace, name: pod.metadata.name, uid: pod.metadata.uid },
      };
      (isReady(pod) ? subset.addresses : subset.notReadyAddresses).push(address);
    }
    const body: JsonObject = {
      metadata: { name: svc.metadata.name, namespace, labels: svc.metadata.labels ?? {} },
      subsets: [...subsets.values()].map((s) => {
        const out: JsonObject = { ports: s.ports };
        if (s.addresses.length) out['addresses'] = s.addresses;
        if (s.notReadyAddresses.length) out['notReadyAddresses'] = s.notReadyAddresses;
        return out;
      }),
    };
    if ((body['subsets'] as JsonObject[]).length === 0) delete body['subsets'];
    const existing = this.ctx.store.peek(ENDPOINTS, namespace, svc.metadata.name);
    if (!existing) {
      this.ctx.store.create(ENDPOINTS, body);
      return;
    }
    this.ctx.store.mutate(ENDPOINTS, namespace, svc.metadata.name, (o) => {
      if (body['subsets']) o['subsets'] = body['subsets'];
      else delete o['subsets'];
      (o['metadata'] as JsonObject)['labels'] = svc.metadata.labels ?? {};
    });
  }
}
