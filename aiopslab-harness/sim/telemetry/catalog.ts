/**
 * Which series the simulated cluster exposes, per pod, and how each is derived: cAdvisor-style container
 * CPU and memory, kube-state-metrics-style pod and container state, and the apps' own instrumentation
 * (server requests by status code, a latency histogram, client calls per callee).
 */
import type { ComponentRole } from '../apps/types.js';
import type { HealthHistory, HealthSegment } from './history.js';
import { hashString, labelKey, normalCdf, unit } from './noise.js';
import type { PodFacts } from './pods.js';
import { originAt, readyAt, restartsAt, runningAt } from './pods.js';
import type { SampleFn } from './samplers.js';
import { counter, gauge } from './samplers.js';
import type { Labels } from './types.js';

export interface MetricInfo {
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
}

export const METRICS: Record<string, MetricInfo> = {
  container_cpu_usage_seconds_total: { type: 'counter', help: 'Cumulative cpu time consumed in seconds.' },
  container_memory_working_set_bytes: { type: 'gauge', help: 'Current working set in bytes.' },
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
  requests_total: { type: 'counter', help: 'Requests served, by status code.' },
  request_duration_seconds: { type: 'histogram', help: 'Time taken to serve a request.' },
  client_requests_total: {
    type: 'counter',
    help: 'Calls made to other services, by callee and status code.',
  },
  client_request_duration_seconds: {
    type: 'histogram',
    help: 'Time taken by calls to other services, by callee.',
  },
};

export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Spread of the log-normal request latency around its median (the health model's latencyMs). */
const LATENCY_SIGMA = 0.6;
const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];
/** Share of its CPU request a container uses idle, and what each request per second adds (cores). */
const IDLE_UTILISATION: Record<ComponentRole, number> = {
  frontend: 0.15,
  service: 0.1,
  database: 0.2,
  cache: 0.05,
  infra: 0.12,
};
const CPU_PER_REQUEST = 0.0015;
const DEFAULT_MEMORY: Record<ComponentRole, number> = {
  frontend: 96 * 2 ** 20,
  service: 48 * 2 ** 20,
  database: 320 * 2 ** 20,
  cache: 64 * 2 ** 20,
  infra: 128 * 2 ** 20,
};

export interface SeriesDef {
  labels: Labels;
  fn: SampleFn;
}

/** Fraction of requests faster than `le` seconds, for a median of `medianMs`. */
export function latencyCdf(le: number, medianMs: number): number {
  if (le === Infinity) return 1;
  return normalCdf((Math.log(le * 1000) - Math.log(Math.max(medianMs, 0.01))) / LATENCY_SIGMA);
}

const meanLatencySeconds = (medianMs: number): number => (medianMs / 1000) * Math.exp(LATENCY_SIGMA ** 2 / 2);

/** Every series of one pod. */
export function podSeries(pod: PodFacts, history: HealthHistory): SeriesDef[] {
  const out: SeriesDef[] = [];
  const ns = pod.namespace;
  const component = pod.component;
  const base: Labels = { namespace: ns, pod: pod.name, ...(component ? { service: component.name } : {}) };
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
  const countOf = (rate: (t: number) => number, labels: Labels, integer = true, c = main) =>
    counter({
      seed: seedOf(labels),
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
      const idle = (c.cpuRequestCores || 0.1) * IDLE_UTILISATION[role] * (flowOf(t)?.health.load.cpu ?? 1);
      return idle + (c === main ? CPU_PER_REQUEST * served(t) : 0);
    };
    const cpu = countOf(cores, { ...cl, metric: 'cpu' }, false, c);
    add('container_cpu_usage_seconds_total', cl, (t) => (running(t) ? cpu(t) : undefined));
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
  edgeSeries(component.name, component.calls, segment, perPod, add, countOf);
  if (component.ports.length === 0) return out;

  const errorRate = (t: number) => flowOf(t)?.errorRate ?? 0;
  const latency = (t: number) => flowOf(t)?.health.latencyMs ?? 1;
  add(
    'requests_total',
    { code: '200' },
    countOf((t) => served(t) * (1 - errorRate(t)), { code: '200' }),
  );
  add(
    'requests_total',
    { code: '500' },
    countOf((t) => served(t) * errorRate(t), { code: '500' }),
  );
  for (const le of [...LATENCY_BUCKETS, Infinity]) {
    const leText = le === Infinity ? '+Inf' : String(le);
    const rate = (t: number) => served(t) * latencyCdf(le, latency(t));
    add('request_duration_seconds_bucket', { le: leText }, countOf(rate, { le: leText, histogram: '1' }));
  }
  const sumRate = (t: number) => served(t) * meanLatencySeconds(latency(t));
  add('request_duration_seconds_sum', {}, countOf(sumRate, { histogram: '1' }, false));
  add('request_duration_seconds_count', {}, countOf(served, { histogram: '1' }));
  return out;
}

type CountOf = (rate: (t: number) => number, labels: Labels) => SampleFn;

/** The client side of each call edge: calls by callee and status code, and how long they take. */
function edgeSeries(
  caller: string,
  callees: readonly string[],
  segment: (t: number) => HealthSegment | undefined,
  perPod: (t: number, total: (s: HealthSegment) => number) => number,
  add: (name: string, labels: Labels, fn: SampleFn) => void,
  countOf: CountOf,
): void {
  for (const peer of callees) {
    const key = `${caller}>${peer}`;
    const edgeRate = (t: number) => perPod(t, (s) => s.flows.edges.get(key)?.rate ?? 0);
    const edgeErrors = (t: number) => segment(t)?.flows.edges.get(key)?.health.errorRate ?? 0;
    const edgeLatency = (t: number) => segment(t)?.flows.edges.get(key)?.health.latencyMs ?? 1;
    for (const code of ['200', '500']) {
      const rate = (t: number) => edgeRate(t) * (code === '500' ? edgeErrors(t) : 1 - edgeErrors(t));
      add('client_requests_total', { peer, code }, countOf(rate, { peer, code }));
    }
    for (const le of [...LATENCY_BUCKETS, Infinity]) {
      const leText = le === Infinity ? '+Inf' : String(le);
      const rate = (t: number) => edgeRate(t) * latencyCdf(le, edgeLatency(t));
      add(
        'client_request_duration_seconds_bucket',
        { peer, le: leText },
        countOf(rate, { peer, le: leText, histogram: '1' }),
      );
    }
    add('client_request_duration_seconds_count', { peer }, countOf(edgeRate, { peer, histogram: '1' }));
  }
}
