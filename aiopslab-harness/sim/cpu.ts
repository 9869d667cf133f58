/**
 * How much CPU a container uses: a share of its request while idle, plus a fixed cost per request served,
 * capped by its CPU limit (the CFS quota: a container that wants more is throttled, not given more,
 * https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#how-pods-with-resource-limits-are-run).
 * cAdvisor's `container_cpu_usage_seconds_total` (telemetry/catalog.ts), the resource metrics an HPA reads
 * (controller/autoscaler.ts) and the health model's throttling (saturation.ts) all use these figures.
 */
import type { ComponentRole } from './apps/types.js';

/** Share of its CPU request a container uses idle. */
export const IDLE_UTILISATION: Readonly<Record<ComponentRole, number>> = {
  frontend: 0.15,
  service: 0.1,
  database: 0.2,
  cache: 0.05,
  infra: 0.12,
};
/** CPU seconds one request costs the container that serves it. */
export const CPU_PER_REQUEST = 0.0015;
/** The request assumed for idle use when a container states none. */
const DEFAULT_REQUEST_CORES = 0.1;

export interface CpuShape {
  role: ComponentRole;
  /** The container's CPU request in cores (0 when it has none). */
  requestCores: number;
  /** Its CPU limit in cores, if any. */
  limitCores?: number | undefined;
  /** The health model's multiplier on idle use (a busy-looping flag). */
  loadCpu: number;
}

/** Cores the container would use at `servedRps` requests per second if nothing held it back. */
export function cpuDemandCores(shape: CpuShape, servedRps: number, main = true): number {
  const idle = (shape.requestCores || DEFAULT_REQUEST_CORES) * IDLE_UTILISATION[shape.role] * shape.loadCpu;
  return idle + (main ? CPU_PER_REQUEST * servedRps : 0);
}

/** Cores it does use: its demand, throttled at its limit. */
export function cpuUsageCores(shape: CpuShape, servedRps: number, main = true): number {
  const demand = cpuDemandCores(shape, servedRps, main);
  return shape.limitCores !== undefined && shape.limitCores > 0 ? Math.min(demand, shape.limitCores) : demand;
}
