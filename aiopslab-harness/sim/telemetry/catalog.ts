/**
 * Which series the simulated cluster exposes, per pod, and how each is derived: cAdvisor's container CPU
 * and memory and kube-state-metrics' pod and container state (namespace, pod, container labels, as those
 * exporters write them), and the apps' request metrics in the dialects asked for (request-metrics.ts).
 */
import type { ComponentRole } from '../apps/types.js';
import type { HealthHistory, HealthSegment } from './history.js';
import { hashString, labelKey, normalCdf, unit } from './noise.js';
import type { PodFacts } from './pods.js';
import { originAt, readyAt, restartsAt, runningAt } from './pods.js';
import type { SampleFn } from './samplers.js';
import { counter, gauge } from './samplers.js';
import type { Labels } from './types.js';
import { KUBE_STATE_METRICS } from './kube-state.js';
import { DEFAULT_MEMORY } from '../memory.js';
import { cpuUsageCores } from '../cpu.js';
import type { MetricInfo, SeriesDef } from './metric-types.js';
import type { RequestDialect } from './request-metrics.js';
import { REQUEST_METRICS, requestSeries } from './request-metrics.js';

export type { MetricInfo, SeriesDef } from './metric-types.js';

export const METRICS: Record<string, MetricInfo> = {
  container_cpu_usage_seconds_total: {
    type: 'counter',
    help: 'Cumulative cpu time consumed in seconds.',
    timestamped: true,
  },
  container_memory_working_set_bytes: {
    type: 'gauge',
    help: 'Current working set in bytes.',
    timestamped: true,
  },
  kube_pod_container_status_restarts_total: {
    type: 'counter',
    help: 'The number of container restarts per container.',
  },
  kube_pod_container_status_ready: {
    type: 'gauge',
    help: 'Describes whether the containers readiness check succeeded.',
  },
  kube_pod_container_resource_requests: {
    type: 'gauge',
    help: 'The number of requested request resource by a container.',
  },
  kube_pod_container_resource_limits: {
    type: 'gauge',
    help: 'The number of requested limit resource by a container.',
  },
  kube_pod_status_phase: { type: 'gauge', help: 'The pods current phase.' },
  kube_pod_status_ready: { type: 'gauge', help: 'Describes whether the pod is ready to serve requests.' },
  kube_pod_container_status_waiting_reason: {
    type: 'gauge',
    help: 'Describes the reason the container is currently in waiting state.',
  },
  ...KUBE_STATE_METRICS,
  ...REQUEST_METRICS,
};

/** Spread of the log-normal request latency around its median (the health model's latencyMs). */
const LATENCY_SIGMA = 0.6;
const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];
/** Fraction of requests faster than `le` seconds, for a median of `medianMs`. */
export function latencyCdf(le: number, medianMs: number): number {
  if (le === Infinity) return 1;
  return normalCdf((Math.log(le * 1000) - Math.log(Math.max(medianMs, 0.01))) / LATENCY_SIGMA);
}

const meanLatencySeconds = (medianMs: number): number => (medianMs / 1000) * Math.exp(LATENCY_SIGMA ** 2 / 2);

/** Every series of one pod. */
export function podSeries(
  pod: PodFacts,
  history: HealthHistory,
  dialects: readonly RequestDialect[],
): SeriesDef[] {
  const out: SeriesDef[] = [];
  const ns = pod.namespace;
  const component = pod.component;
  const base: Labels = { namespace: ns, pod: pod.name };
  const role: ComponentRole = component?.role ?? 'infra';
  const main = pod.containers[0];
  const segment = (t: number) => (component ? history.at(ns, t) : undefined);
  const flowOf = (t: number) => (component ? segment(t)?.flows.components.get(component.name) : undefined);
  const breakpoints = [
    ...history.breakpoints(ns),
    pod.readySince,
    ...pod.containers.flatMap((c) => [c.startedAt ?? 0, c.stoppedAt ?? 0, ...c.restartTimes]),
  ];
  const exists = (t: number) => t >= pod.createdAt;
  /** This pod's share at `t` of a rate of its component (ready pods share the traffic). */
  const perPod = (t: number, total: (s: HealthSegment) => number): number => {
    const s = segment(t);
    const c = flowOf(t);
    if (!s || !c || !readyAt(pod, t)) return 0;
    return total(s) / Math.max(1, c.health.ready);
  };
  const served = (t: number) => perPod(t, () => flowOf(t)?.inflow ?? 0);
  const add = (name: string, labels: Labels, fn: SampleFn) =>
    out.push({ labels: { __name__: name, ...base, ...labels }, fn });
  const seedOf = (labels: Labels) => hashString(labelKey({ ...base, ...labels }, ['le', '__name__']));
  /** A counter of whole requests (or of an amount, such as seconds), reset when container `c` restarts. */
  const countOf = (rate: (t: number) => number, labels: Labels, integer = true, c = main): SampleFn =>
    counter({
      seed: () => seedOf(labels),
      start: pod.createdAt,
      breakpoints,
      rate,
      origin: (t) => originAt(pod, c, t),
      integer,
    });

  for (const c of pod.containers) {
    const cl: Labels = { container: c.name, node: pod.node };
    const running = (t: number) => runningAt(pod, c, t);
    const cores = (t: number): number => {
      if (!running(t)) return 0;
      const shape = {
        role,
        requestCores: c.cpuRequestCores,
        limitCores: c.cpuLimitCores,
        loadCpu: flowOf(t)?.health.load.cpu ?? 1,
      };
      return cpuUsageCores(shape, served(t), c === main);
    };
    const cpu = countOf(cores, { ...cl, metric: 'cpu' }, false, c);
    // `exact` passed on: a scrape reads the counter without the API grid's noise, which would make it go
    // down at a grid boundary (a reset to Prometheus, which then counts its whole value again).
    add('container_cpu_usage_seconds_total', cl, (t, exact) => (running(t) ? cpu(t, exact) : undefined));
    const memorySeed = seedOf({ ...cl, metric: 'memory' });
    const memoryBase = (c.memoryRequestBytes || DEFAULT_MEMORY[role]) * (0.55 + 0.2 * unit(memorySeed, 0));
    add(
      'container_memory_working_set_bytes',
      cl,
      gauge(
        memorySeed,
        (t) => {
          if (!running(t)) return undefined;
          const v = memoryBase * (flowOf(t)?.health.load.memory ?? 1);
          return c.memoryLimitBytes ? Math.min(v, c.memoryLimitBytes * 0.96) : v;
        },
        0.02,
      ),
    );
    const kl: Labels = { container: c.name };
    add('kube_pod_container_status_restarts_total', kl, (t) => (exists(t) ? restartsAt(c, t) : undefined));
    const reason = c.waitingReason;
    if (reason)
      add('kube_pod_container_status_waiting_reason', { ...kl, reason }, (t) =>
        exists(t) && !running(t) ? 1 : undefined,
      );
    add('kube_pod_container_status_ready', kl, (t) =>
      exists(t) ? Number(t >= pod.readySince ? c.ready : readyAt(pod, t)) : undefined,
    );
    const resources: [string, string, string, number | undefined][] = [
      ['kube_pod_container_resource_requests', 'cpu', 'core', c.cpuRequestCores || undefined],
      ['kube_pod_container_resource_requests', 'memory', 'byte', c.memoryRequestBytes || undefined],
      ['kube_pod_container_resource_limits', 'cpu', 'core', c.cpuLimitCores],
      ['kube_pod_container_resource_limits', 'memory', 'byte', c.memoryLimitBytes],
    ];
    for (const [name, resource, unitName, value] of resources)
      if (value !== undefined)
        add(name, { ...kl, node: pod.node, resource, unit: unitName }, (t) =>
          exists(t) ? value : undefined,
        );
  }
  for (const phase of PHASES)
    add('kube_pod_status_phase', { phase }, (t) => (exists(t) ? Number(pod.phase === phase) : undefined));
  for (const condition of ['true', 'false', 'unknown'])
    add('kube_pod_status_ready', { condition }, (t) =>
      exists(t) ? Number(condition === String(readyAt(pod, t))) : undefined,
    );
  if (!component) return out;
  requestSeries(
    {
      namespace: ns,
      component,
      app: history.app(ns),
      served,
      errorRate: (t) => flowOf(t)?.errorRate ?? 0,
      latencyMs: (t) => flowOf(t)?.health.latencyMs ?? 1,
      perPod,
      segment,
      add,
      countOf: (rate, labels, integer = true) => countOf(rate, labels, integer),
      cdf: latencyCdf,
      meanSeconds: meanLatencySeconds,
    },
    dialects,
  );
  return out;
}
