/**
 * Whom a metric series is about, in terms of the workloads the observer read from the API server: a pod
 * through its owner (ReplicaSet → Deployment, StatefulSet), a workload by its name, a service name through
 * the Service of that name and the pods its selector picks. Nothing is resolved outside the namespace the
 * series names, so another namespace's telemetry is never filed under the observed one.
 */
import type { Pod, Service, Workload } from './k8s-types.js';
import { nameOf } from './k8s-types.js';
import { matchesSelector, ownerOf } from './analyzers/finding.js';
import type { Identity } from './metric-dialects.js';

export interface WorkloadRef {
  namespace: string;
  kind: string;
  name: string;
}

export interface WorkloadObjects {
  pods: readonly Pod[];
  deployments: readonly Workload[];
  statefulsets: readonly Workload[];
  replicasets: readonly Workload[];
  services: readonly Service[];
}

const nsOf = (o: { metadata?: { namespace?: string } }) => o.metadata?.namespace ?? '';

export class WorkloadMap {
  private readonly workloads = new Map<string, WorkloadRef>();
  private readonly pods = new Map<string, Pod>();
  private readonly services = new Map<string, Service>();

  constructor(private readonly objects: WorkloadObjects) {
    for (const [kind, list] of [
      ['Deployment', objects.deployments],
      ['StatefulSet', objects.statefulsets],
    ] as const)
      for (const w of list)
        this.workloads.set(`${nsOf(w)}/${nameOf(w)}`, { namespace: nsOf(w), kind, name: nameOf(w) });
    for (const p of objects.pods) this.pods.set(`${nsOf(p)}/${nameOf(p)}`, p);
    for (const s of objects.services) this.services.set(`${nsOf(s)}/${nameOf(s)}`, s);
  }

  /** The workload a series is about, by the identity's labels; undefined when nothing matches. */
  resolve(identity: Identity, labels: Record<string, string>): WorkloadRef | undefined {
    const namespace = labels[identity.namespace];
    const name = labels[identity.name] || (identity.or === undefined ? undefined : labels[identity.or]);
    if (!namespace || !name) return undefined;
    switch (identity.by) {
      case 'pod':
        return this.ofPod(namespace, name);
      case 'workload':
        return this.workloads.get(`${namespace}/${name}`);
      case 'service':
        return this.ofService(namespace, name);
    }
  }

  /**
   * A live pod through its owner; a pod gone since (a baseline from before a rollout) through the workload
   * whose generated pod names it carries: `<deployment>-<hash>-<id>` or `<statefulset>-<ordinal>`.
   */
  ofPod(namespace: string, pod: string): WorkloadRef | undefined {
    const live = this.pods.get(`${namespace}/${pod}`);
    if (live) {
      const owner = ownerOf(live, this.objects.replicasets);
      return this.workloads.get(`${namespace}/${owner}`) ?? { namespace, kind: 'Pod', name: pod };
    }
    const m = /^(.+?)-(?:[a-z0-9]{6,10}-[a-z0-9]{5}|\d+)$/.exec(pod);
    return m ? this.workloads.get(`${namespace}/${m[1]}`) : undefined;
  }

  /** A service name as instrumentation writes it: `cart`, `cart:8080`, `cart.shop.svc.cluster.local`. */
  ofService(namespace: string, written: string): WorkloadRef | undefined {
    const host = written.replace(/^[a-z]+:\/\//, '').replace(/:\d+$/, '');
    const [name, ns] = host.split('.');
    if (!name || (ns !== undefined && ns !== namespace && ns !== 'svc')) return undefined;
    const named = this.workloads.get(`${namespace}/${name}`);
    if (named) return named;
    const service = this.services.get(`${namespace}/${name}`);
    const selector = service?.spec?.selector;
    if (!selector) return undefined;
    for (const p of this.objects.pods)
      if (nsOf(p) === namespace && matchesSelector(p.metadata?.labels, selector))
        return this.ofPod(namespace, nameOf(p));
    return undefined;
  }
}

export const workloadKey = (w: WorkloadRef) => `${w.namespace}/${w.name}`;
