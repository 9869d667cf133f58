/**
 * Load beyond the steady workload, and what it does to a component whose pods run out of CPU.
 *
 * - A wrk2 load generator running in the namespace (AIOpsLab drives its apps with wrk2 from inside the
 *   cluster) sends its `-R` requests per second to the component its URL names, on top of the workload.
 * - A pod whose CPU demand nears its CPU limit is throttled by the CFS quota: requests queue for CPU time and
 *   latency rises steeply (https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#how-pods-with-resource-limits-are-run).
 *   Without a limit a container may use idle node CPU, and nothing is modelled.
 */
import type { AppSpec } from './apps/types.js';
import type { AppHealth } from './health-types.js';
import type { Pod } from './model.js';
import { parseCpu } from './model.js';
import type { SimWorld } from './runtime.js';
import { cpuDemandCores } from './cpu.js';
import { R, isPodReady, podsOf } from './faults/topology.js';
import { computeFlows } from './telemetry/flows.js';

export interface ExtraLoad {
  /** Requests per second load generators send each component directly. */
  external: ReadonlyMap<string, number>;
  /** Milliseconds each throttled component adds to every call it serves. */
  throttleMs: ReadonlyMap<string, number>;
}

/** Utilisation of the CPU limit from which throttling shows in latency (bursts exhaust the 100 ms quota). */
const THROTTLE_FROM = 0.8;
/** CPU time one request needs while queued behind others (ms), for the queueing delay below. */
const SERVICE_MS = 10;

/** `wrk -R <rate> ... http://<host>[:port]/...` of every running wrk2 container in the namespace. */
export function loadGeneratorRps(world: SimWorld, namespace: string, app: AppSpec): Map<string, number> {
  const out = new Map<string, number>();
  for (const json of world.store.peekAll(R.pods, namespace)) {
    const pod = json as unknown as Pod;
    if (pod.metadata.deletionTimestamp || pod.status.phase !== 'Running') continue;
    for (const c of pod.spec.containers) {
      const args = [...(c.command ?? []), ...(c.args ?? [])];
      if (args[0] !== 'wrk') continue;
      const running = pod.status.containerStatuses?.find((s) => s.name === c.name)?.state.running;
      const rate = Number(args[args.indexOf('-R') + 1]);
      const url = args.find((a) => /^https?:\/\//.test(a));
      if (!running || args.indexOf('-R') < 0 || !Number.isFinite(rate) || !url) continue;
      const host = new URL(url).hostname.split('.')[0] ?? '';
      if (app.components.some((x) => x.name === host)) out.set(host, (out.get(host) ?? 0) + rate);
    }
  }
  return out;
}

/** Queueing delay at a CPU utilisation of its limit `rho` (M/M/1-like, steeper past saturation). */
export function throttleDelayMs(rho: number): number {
  if (rho < THROTTLE_FROM) return 0;
  const busy = Math.min(rho, 0.95);
  return ((SERVICE_MS * rho) / (1 - busy)) * (1 + 10 * Math.max(0, rho - 0.95));
}

/** Extra latency per component whose ready pods demand most of their CPU limit at this health's traffic. */
export function throttledLatency(world: SimWorld, app: AppSpec, health: AppHealth): Map<string, number> {
  const out = new Map<string, number>();
  // Only more traffic than the steady workload can saturate a pod: skip the flows otherwise.
  if (!health.components.some((c) => (c.externalRps ?? 0) > 0 || c.load.requests > 1)) return out;
  const flows = computeFlows(app, health);
  for (const c of health.components) {
    const inflow = flows.components.get(c.name)?.inflow ?? 0;
    if (c.ready === 0 || inflow <= 0) continue;
    const pod = podsOf(world, health.namespace, app, c.name).find(isPodReady);
    const main = pod?.spec.containers[0];
    const limitCores = parseCpu(main?.resources?.limits?.['cpu']) / 1000;
    if (!main || limitCores <= 0) continue;
    const shape = {
      role: c.role,
      requestCores: parseCpu(main.resources?.requests?.['cpu']) / 1000,
      limitCores,
      loadCpu: c.load.cpu,
    };
    const delay = throttleDelayMs(cpuDemandCores(shape, inflow / c.ready) / limitCores);
    if (delay > 0) out.set(c.name, Math.round(delay * 10) / 10);
  }
  return out;
}
