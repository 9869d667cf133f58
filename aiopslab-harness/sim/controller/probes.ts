/**
 * Container probes, answered from state: what the container listens on (its component's ports, or those of
 * the binary it runs) and what it serves. Wording and timing follow the kubelet's prober
 * (kubernetes/kubernetes pkg/probe/tcp and pkg/probe/http, pkg/kubelet/prober/prober.go; the Killing
 * message from pkg/kubelet/kuberuntime/kuberuntime_manager.go "Container %s failed %s probe, will be
 * restarted"; defaults from https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/).
 */
import type { JsonObject } from '../api/json.js';
import type { Container, Pod } from '../model.js';
import type { SimWorld } from '../runtime.js';
import { componentOf } from '../runtime.js';
import { runningComponent } from '../faults/topology.js';

export interface ProbeTiming {
  initialDelayMs: number;
  periodMs: number;
  failureThreshold: number;
}

export type ProbeResult = { ok: true } | { ok: false; output: string };

/** HTTP paths an app's HTTP server answers 200 on (a catch-all router serves "/" and health checks). */
const SERVED_PATHS = ['/', '/health', '/healthz', '/ready', '/readyz', '/livez', '/status'];

const num = (probe: JsonObject, key: string, fallback: number): number => {
  const v = probe[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
};

/** Defaults: initialDelaySeconds 0, periodSeconds 10, failureThreshold 3. */
export function probeTiming(probe: JsonObject): ProbeTiming {
  return {
    initialDelayMs: num(probe, 'initialDelaySeconds', 0) * 1000,
    periodMs: Math.max(1, num(probe, 'periodSeconds', 10)) * 1000,
    failureThreshold: Math.max(1, num(probe, 'failureThreshold', 3)),
  };
}

/**
 * Ports the container's process listens on: its app component's (or the component whose binary runs); none
 * while it is still starting (start-up.ts).
 */
function listening(world: SimWorld, pod: Pod, container: Container, starting: boolean): Set<number> {
  if (starting) return new Set();
  const found = componentOf(world, pod);
  const runs = found ? (runningComponent(found.instance.app, pod, container) ?? found.component) : undefined;
  return new Set((runs?.ports ?? container.ports ?? []).map((p) => p.containerPort));
}

/** The port a probe names: a number, or the name of one of the container's ports. */
function portOf(container: Container, port: unknown): number | undefined {
  if (typeof port === 'number') return port;
  if (typeof port === 'string') {
    const named = (container.ports ?? []).find((p) => p.name === port);
    return named?.containerPort ?? (/^\d+$/.test(port) ? Number(port) : undefined);
  }
  return undefined;
}

/** One probe attempt against the container of `pod`; `starting`: its process does not listen yet. */
export function runProbe(
  world: SimWorld,
  pod: Pod,
  container: Container,
  probe: JsonObject,
  starting = false,
): ProbeResult {
  if (probe['exec'] !== undefined || probe['grpc'] !== undefined) return { ok: true };
  const ip = pod.status.podIP ?? '10.244.0.1';
  const ports = listening(world, pod, container, starting);
  const tcp = probe['tcpSocket'] as JsonObject | undefined;
  const http = probe['httpGet'] as JsonObject | undefined;
  const spec = tcp ?? http;
  if (!spec) return { ok: true };
  const port = portOf(container, spec['port']);
  const refused = `dial tcp ${ip}:${port ?? '?'}: connect: connection refused`;
  if (tcp) return port !== undefined && ports.has(port) ? { ok: true } : { ok: false, output: refused };
  const scheme = http?.['scheme'] === 'HTTPS' ? 'https' : 'http';
  const path = typeof http?.['path'] === 'string' ? http['path'] : '/';
  const url = `${scheme}://${ip}:${port ?? '?'}${path}`;
  if (port === undefined || !ports.has(port)) return { ok: false, output: `Get "${url}": ${refused}` };
  return SERVED_PATHS.includes(path.split('?')[0] ?? path)
    ? { ok: true }
    : { ok: false, output: 'HTTP probe failed with statuscode: 404' };
}
