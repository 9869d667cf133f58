/**
 * What an init container does when it runs, decided from the cluster's state. Init containers run one after
 * another before the app's containers; one that exits non-zero is restarted with the crash back-off
 * (Init:Error, then Init:CrashLoopBackOff) and the app never starts
 * (https://kubernetes.io/docs/concepts/workloads/pods/init-containers/).
 *
 * The modelled command is a dependency check, `nc -z [-w N] HOST PORT` (alone or inside `sh -c`): it
 * succeeds when HOST is a Service of the pod's namespace (short name or `.svc` FQDN) with a ready endpoint
 * and PORT among its ports; busybox's nc prints `nc: bad address 'HOST'` for a name that does not resolve.
 * Any other command completes at once.
 */
import { resourceByKind } from '../api/resources.js';
import type { Container, Pod, Service } from '../model.js';
import type { SimWorld } from '../runtime.js';

export interface InitPlan {
  afterMs: number;
  exitCode: number;
  logs: string[];
}

const SERVICES = resourceByKind('Service');
const ENDPOINTS = resourceByKind('Endpoints');

function ncTarget(container: Container): { host: string; port: number } | undefined {
  const words = [...(container.command ?? []), ...(container.args ?? [])].join(' ');
  const match = /\bnc\s+-z(?:\s+-w\s*\d+)?\s+([A-Za-z0-9.-]+)\s+(\d+)/.exec(words);
  return match ? { host: match[1]!, port: Number(match[2]) } : undefined;
}

/** A Service name as the pod's resolver finds it: `name`, `name.ns`, `name.ns.svc[.cluster.local]`. */
function serviceName(host: string, namespace: string): string | undefined {
  const parts = host.split('.');
  if (parts.length === 1) return host;
  if (parts[1] !== namespace) return undefined;
  return parts.length === 2 || parts[2] === 'svc' ? parts[0] : undefined;
}

export function planInitContainer(world: SimWorld, pod: Pod, container: Container): InitPlan {
  const check = ncTarget(container);
  if (!check) return { afterMs: 1000, exitCode: 0, logs: [] };
  const namespace = pod.metadata.namespace ?? 'default';
  const name = serviceName(check.host, namespace);
  const svc = name ? (world.store.peek(SERVICES, namespace, name) as Service | undefined) : undefined;
  if (!svc) return { afterMs: 600, exitCode: 1, logs: [`nc: bad address '${check.host}'`] };
  const ports = (svc.spec.ports ?? []).map((p) => p.port);
  const endpoints = world.store.peek(ENDPOINTS, namespace, svc.metadata.name);
  const subsets = (endpoints?.['subsets'] ?? []) as { addresses?: unknown[] }[];
  const ready = subsets.some((s) => (s.addresses ?? []).length > 0);
  if (ports.includes(check.port) && ready) return { afterMs: 800, exitCode: 0, logs: [] };
  const ip = svc.spec.clusterIP ?? '10.96.0.1';
  return {
    afterMs: ports.includes(check.port) ? 800 : 5000,
    exitCode: 1,
    logs: [
      ports.includes(check.port)
        ? `nc: ${check.host} (${ip}:${check.port}): Connection refused`
        : `nc: ${check.host} (${ip}:${check.port}): Connection timed out`,
    ],
  };
}
