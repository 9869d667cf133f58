/**
 * Whether the cluster's DNS answers, read off the state: the kube-dns Service's ready endpoints
 * (faults/cluster-dns.ts installs the addon and takes it down; network.ts asks at every dial).
 */
import type { SimWorld } from '../runtime.js';
import { isPodReady, R } from './topology.js';

export const DNS_NAMESPACE = 'kube-system';
export const DNS_DEPLOYMENT = 'coredns';
export const DNS_SERVICE = 'kube-dns';
export const DNS_IP = '10.96.0.10';
export const DNS_LABELS = { 'k8s-app': 'kube-dns' };

interface EndpointsJson {
  subsets?: { addresses?: unknown[] }[];
}

/**
 * Whether in-cluster names resolve now: true without the addon (worlds that never modelled it), else when
 * the kube-dns Service has a ready endpoint.
 */
export function clusterDnsAnswers(world: SimWorld): boolean {
  if (!world.store.peek(R.services, DNS_NAMESPACE, DNS_SERVICE)) return true;
  const ep = world.store.peek(R.endpoints, DNS_NAMESPACE, DNS_SERVICE) as EndpointsJson | undefined;
  return (ep?.subsets ?? []).some((s) => (s.addresses ?? []).length > 0);
}

/** Whether any pod of the addon is Ready (for tests and the strict mitigation check). */
export function clusterDnsReadyPods(world: SimWorld): number {
  return world.store
    .peekAll(R.pods, DNS_NAMESPACE)
    .filter((p) => (p['metadata'] as { labels?: Record<string, string> }).labels?.['k8s-app'] === 'kube-dns')
    .filter((p) => isPodReady(p as never)).length;
}
