/**
 * Cluster DNS that does not answer: many workloads fail to resolve Service names that exist, not because a
 * name is wrong (that is UnknownHost, an NXDOMAIN answer) but because the resolver gets no answer at all,
 * and the DNS addon (the Deployment labelled k8s-app=kube-dns, CoreDNS on kubeadm and kind) has no ready
 * replica. The addon is the root; every workload that logs the failed lookups is its victim.
 */
import type { Pod, Workload } from '../k8s-types.js';
import { nameOf } from '../k8s-types.js';
import type { Finding } from './finding.js';
import { clip, ownerOf, subjectOf } from './finding.js';

/**
 * A lookup that got no answer: Go's resolver ("lookup <name> on <server>:53: read udp …: read: connection
 * refused" / "i/o timeout", "server misbehaving"), glibc's EAI_AGAIN ("Temporary failure in name
 * resolution"), the MongoDB C driver ("Failed to resolve '<name>'"), Node's EAI_AGAIN.
 */
export const RESOLVER_FAILURE =
  /lookup [\w.-]+ on [\d.:[\]a-f]+:53: (?:(?:read|write|dial) udp [^\s]*?: (?:read: )?(?:connection refused|i\/o timeout)|server misbehaving)|Temporary failure in name resolution|Failed to resolve '[\w.-]+'|getaddrinfo EAI_AGAIN/;

/** The label kubeadm, kind and most distributions give the cluster DNS addon. */
export const DNS_ADDON_LABEL = ['k8s-app', 'kube-dns'] as const;

export function isDnsAddon(w: Workload): boolean {
  return w.metadata?.labels?.[DNS_ADDON_LABEL[0]] === DNS_ADDON_LABEL[1];
}

/** A pod's log as the snapshot holds it (not imported: the snapshot calls into this module). */
interface PodLog {
  namespace: string;
  pod: string;
  text: string;
}

interface Failing {
  client: string;
  pod: string;
  namespace: string;
  line: string;
}

function failingClients(logs: readonly PodLog[], pods: readonly Pod[], rs: readonly Workload[]): Failing[] {
  const out: Failing[] = [];
  const seen = new Set<string>();
  for (const log of logs) {
    const line = log.text.split('\n').find((l) => RESOLVER_FAILURE.test(l));
    if (!line) continue;
    const pod = pods.find((p) => p.metadata?.namespace === log.namespace && nameOf(p) === log.pod);
    const client = pod ? ownerOf(pod, rs) : log.pod;
    if (seen.has(`${log.namespace}/${client}`)) continue;
    seen.add(`${log.namespace}/${client}`);
    out.push({ client, pod: log.pod, namespace: log.namespace, line: clip(line.trim(), 400) });
  }
  return out;
}

export function analyzeClusterDns(
  addons: readonly Workload[],
  logs: readonly PodLog[],
  pods: readonly Pod[],
  replicasets: readonly Workload[],
): Finding[] {
  const clients = failingClients(logs, pods, replicasets);
  if (clients.length === 0) return [];
  const findings: Finding[] = [];
  const down = addons.filter((w) => (w.status?.readyReplicas ?? 0) === 0);
  const names = clients.map((c) => c.client);
  for (const addon of down) {
    const name = nameOf(addon);
    const desired = addon.spec?.replicas ?? 1;
    findings.push({
      source: 'kubernetes',
      subject: subjectOf('Deployment', addon),
      component: name,
      signal: 'ClusterDnsDown',
      severity: 'critical',
      score: 96,
      summary: clip(
        `cluster DNS (Deployment ${addon.metadata?.namespace ?? '?'}/${name}) has no ready replica ` +
          `(${desired === 0 ? 'scaled to 0' : `0 of ${desired} ready`}); ${clients.length} workload(s) fail to resolve ` +
          `Service names: ${names.slice(0, 8).join(', ')}`,
        500,
      ),
      excerpt: clients
        .slice(0, 2)
        .map((c) => `${c.client}: ${c.line}`)
        .join('\n'),
      attributes: {
        workload: name,
        workloadNamespace: addon.metadata?.namespace ?? 'kube-system',
        replicas: desired,
        readyReplicas: 0,
      },
    });
  }
  const root = down[0] ? nameOf(down[0]) : undefined;
  for (const c of clients)
    findings.push({
      source: 'logs',
      subject: { kind: 'Pod', name: c.pod, namespace: c.namespace },
      component: c.client,
      signal: 'NameResolutionFailed',
      severity: 'error',
      score: 55,
      ...(root === undefined ? {} : { blames: [root] }),
      summary: clip(
        `${c.client} gets no answer from the cluster DNS for Service names` +
          (root === undefined ? '' : `; ${root} has no ready replica`),
        500,
      ),
      excerpt: c.line,
    });
  return findings;
}
