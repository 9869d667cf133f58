/**
 * Cluster DNS: the CoreDNS addon as kubeadm and kind install it (Deployment `coredns` with 2 replicas and
 * label k8s-app=kube-dns in kube-system, Service `kube-dns` at 10.96.0.10 with ports dns/UDP, dns-tcp and
 * metrics 9153; https://kubernetes.io/docs/tasks/administer-cluster/dns-custom-nameservers/), and what
 * happens when it has no ready endpoint: kube-proxy rejects packets to a Service without endpoints
 * (iptables REJECT, ICMP port unreachable), so every resolver's query is refused and every call by Service
 * name fails at the lookup, while the callees themselves are fine.
 *
 * A world without the addon resolves names as before (the AIOpsLab catalog's worlds stay exactly as they
 * were); `cluster_dns_down` installs it, lets it serve, then scales it to 0 as `kubectl -n kube-system scale
 * deployment coredns --replicas=0` would (`params.afterMs`, default 30 s). Fix: scale it back up.
 */
import type { JsonObject } from '../api/json.js';
import type { SimCluster } from '../cluster.js';
import type { Deployment } from '../model.js';
import { DNS_DEPLOYMENT, DNS_IP, DNS_NAMESPACE, DNS_SERVICE, DNS_LABELS as LABELS } from './dns-state.js';
import { R } from './topology.js';
import type { Injector } from './util.js';
import { param } from './util.js';

/** The addon's objects, as a kind cluster has them (created once). */
export function installClusterDns(cluster: SimCluster): void {
  if (!cluster.store.peek(R.services, DNS_NAMESPACE, DNS_SERVICE))
    cluster.store.create(R.services, {
      metadata: {
        name: DNS_SERVICE,
        namespace: DNS_NAMESPACE,
        labels: { ...LABELS, 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      },
      spec: {
        type: 'ClusterIP',
        clusterIP: DNS_IP,
        clusterIPs: [DNS_IP],
        selector: LABELS,
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
          { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
        ],
      },
      status: { loadBalancer: {} },
    });
  if (cluster.store.peek(R.deployments, DNS_NAMESPACE, DNS_DEPLOYMENT)) return;
  const container: JsonObject = {
    name: 'coredns',
    image: 'registry.k8s.io/coredns/coredns:v1.11.1',
    args: ['-conf', '/etc/coredns/Corefile'],
    ports: [
      { name: 'dns', containerPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
    ],
    resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
  };
  cluster.store.create(R.deployments, {
    metadata: { name: DNS_DEPLOYMENT, namespace: DNS_NAMESPACE, labels: LABELS, annotations: {} },
    spec: {
      replicas: 2,
      selector: { matchLabels: LABELS },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: LABELS },
        spec: {
          containers: [container],
          restartPolicy: 'Always',
          priorityClassName: 'system-cluster-critical',
          tolerations: [
            { key: 'CriticalAddonsOnly', operator: 'Exists' },
            { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
          ],
        },
      },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {},
  });
}

export const clusterDnsDown: Injector = (cluster, _namespace, fault) => {
  installClusterDns(cluster);
  const replicas = Number(param(fault, 'replicas') ?? 0);
  cluster.clock.after(Number(param(fault, 'afterMs') ?? 30_000), () => {
    cluster.store.mutate(R.deployments, DNS_NAMESPACE, DNS_DEPLOYMENT, (json) => {
      (json as unknown as Deployment).spec.replicas = replicas;
    });
  });
};
