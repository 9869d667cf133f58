/**
 * Request metrics in the dialects real instrumentation writes, derived from the same flows:
 * - `sim`: the simulator's own names (requests_total / client_requests_total by `service`, `peer`, `code`);
 * - `otel`: the OpenTelemetry demo's SDK metrics (rpc.server.duration in ms with rpc_grpc_status_code for
 *   gRPC services, http.server.request.duration in s with http_response_status_code for the rest, and the
 *   client side with server_address), plus the collector's spanmetrics connector on the otel-collector
 *   pod (traces_span_metrics_calls_total and _duration_milliseconds, the names the demo's
 *   `traces.span.metrics` namespace gives, by service_name and status_code);
 * - `istio`: the Envoy sidecar's istio_requests_total / istio_request_duration_milliseconds, reported by
 *   the destination (per source workload, "unknown" for outside traffic) and by the source;
 * - `linkerd`: the proxy's response_total / response_latency_ms, inbound and outbound, classification.
 * `aoi sim start --metrics` picks them; by default the sim dialect, plus otel where the app runs the
 * OpenTelemetry collector.
 */
import type { AppSpec, ComponentSpec } from '../apps/types.js';
import type { HealthSegment } from './history.js';
import type { MetricInfo } from './metric-types.js';
import type { SampleFn } from './samplers.js';
import type { Labels } from './types.js';

export const REQUEST_DIALECTS = ['sim', 'otel', 'istio', 'linkerd'] as const;
export type RequestDialect = (typeof REQUEST_DIALECTS)[number];

declare module '../runtime.js' {
  interface SimWorld {
    /** The request-metric dialects telemetry speaks (`aoi sim start --metrics`); undefined: per app. */
    metricDialects?: readonly RequestDialect[];
  }
}

export function defaultDialects(app: AppSpec | undefined): RequestDialect[] {
  return app?.components.some((c) => c.name === 'otel-collector') ? ['sim', 'otel'] : ['sim'];
}

export const REQUEST_METRICS: Record<string, MetricInfo> = {
  requests_total: { type: 'counter', help: 'Requests served, by status code.' },
  request_duration_seconds: { type: 'histogram', help: 'Time taken to serve a request.' },
  client_requests_total: {
    type: 'counter',
    help: 'Calls made to other services, by callee and status code.',
  },
  client_request_duration_seconds: { type: 'histogram', help: 'Time taken by calls to other services.' },
  http_server_request_duration_seconds: { type: 'histogram', help: 'Duration of HTTP server requests.' },
  http_client_request_duration_seconds: { type: 'histogram', help: 'Duration of HTTP client requests.' },
  rpc_server_duration_milliseconds: { type: 'histogram', help: 'Measures the duration of inbound RPC.' },
  rpc_client_duration_milliseconds: { type: 'histogram', help: 'Measures the duration of outbound RPC.' },
  traces_span_metrics_calls_total: { type: 'counter', help: 'Number of spans (spanmetrics connector).' },
  traces_span_metrics_duration_milliseconds: { type: 'histogram', help: 'Span duration (spanmetrics).' },
  istio_requests_total: { type: 'counter', help: 'Total requests (Istio standard metric).' },
  istio_request_duration_milliseconds: { type: 'histogram', help: 'Request duration (Istio).' },
  response_total: { type: 'counter', help: 'Total count of HTTP responses (Linkerd proxy).' },
  response_latency_ms: { type: 'histogram', help: 'Elapsed times between a request and its response.' },
};

/** What one pod's request metrics are made of (built by catalog.ts). */
export interface RequestContext {
  namespace: string;
  component: ComponentSpec;
  app: AppSpec | undefined;
  /** Requests per second this pod serves, the share failing, and their median latency (ms). */
  served: (t: number) => number;
  errorRate: (t: number) => number;
  latencyMs: (t: number) => number;
  /** This pod's share of a rate of its component. */
  perPod: (t: number, total: (s: HealthSegment) => number) => number;
  segment: (t: number) => HealthSegment | undefined;
  add: (name: string, labels: Labels, fn: SampleFn) => void;
  /** A counter of a rate; `integer` for whole requests. */
  countOf: (rate: (t: number) => number, labels: Labels, integer?: boolean) => SampleFn;
  /** The fraction of requests faster than `le` seconds at a median of `medianMs`, and the mean (s). */
  cdf: (le: number, medianMs: number) => number;
  meanSeconds: (medianMs: number) => number;
}

const SECOND_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const MS_BUCKETS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/** A latency histogram (`_bucket`, `_sum`, `_count`) in seconds or milliseconds. */
function histogram(
  ctx: RequestContext,
  name: string,
  labels: Labels,
  rate: (t: number) => number,
  medianMs: (t: number) => number,
  unitSeconds: number,
): void {
  const buckets = unitSeconds === 1 ? SECOND_BUCKETS : MS_BUCKETS;
  for (const le of [...buckets, Infinity]) {
    const leText = le === Infinity ? '+Inf' : String(le);
    const r = (t: number) => rate(t) * ctx.cdf(le * unitSeconds, medianMs(t));
    ctx.add(`${name}_bucket`, { ...labels, le: leText }, ctx.countOf(r, { ...labels, le: leText, h: name }));
  }
  const sum = (t: number) => (rate(t) * ctx.meanSeconds(medianMs(t))) / unitSeconds;
  ctx.add(`${name}_sum`, labels, ctx.countOf(sum, { ...labels, h: name }, false));
  ctx.add(`${name}_count`, labels, ctx.countOf(rate, { ...labels, h: name }));
}

/** Requests split into succeeded and failed: `(label value, rate)` pairs. */
function outcomes(
  rate: (t: number) => number,
  errors: (t: number) => number,
  ok: string,
  failed: string,
): [string, (t: number) => number][] {
  return [
    [ok, (t) => rate(t) * (1 - errors(t))],
    [failed, (t) => rate(t) * errors(t)],
  ];
}

interface Edge {
  peer: ComponentSpec | undefined;
  name: string;
  rate: (t: number) => number;
  errors: (t: number) => number;
  latencyMs: (t: number) => number;
}

function edgesOf(ctx: RequestContext): Edge[] {
  return ctx.component.calls.map((peer) => {
    const key = `${ctx.component.name}>${peer}`;
    return {
      peer: ctx.app?.components.find((c) => c.name === peer),
      name: peer,
      rate: (t: number) => ctx.perPod(t, (s) => s.flows.edges.get(key)?.rate ?? 0),
      errors: (t: number) => ctx.segment(t)?.flows.edges.get(key)?.health.errorRate ?? 0,
      latencyMs: (t: number) => ctx.segment(t)?.flows.edges.get(key)?.health.latencyMs ?? 1,
    };
  });
}

function simDialect(ctx: RequestContext, serves: boolean): void {
  const service = { service: ctx.component.name };
  for (const e of edgesOf(ctx)) {
    const l = { ...service, peer: e.name };
    for (const [code, rate] of outcomes(e.rate, e.errors, '200', '500'))
      ctx.add('client_requests_total', { ...l, code }, ctx.countOf(rate, { ...l, code }));
    histogram(ctx, 'client_request_duration_seconds', l, e.rate, e.latencyMs, 1);
  }
  if (!serves) return;
  for (const [code, rate] of outcomes(ctx.served, ctx.errorRate, '200', '500'))
    ctx.add('requests_total', { ...service, code }, ctx.countOf(rate, { ...service, code }));
  histogram(ctx, 'request_duration_seconds', service, ctx.served, ctx.latencyMs, 1);
}

const grpc = (c: ComponentSpec | undefined) => c?.role === 'service';

function otelDialect(ctx: RequestContext, serves: boolean): void {
  for (const e of edgesOf(ctx)) {
    const address = { server_address: `${e.name}.${ctx.namespace}.svc.cluster.local` };
    if (grpc(e.peer)) {
      const l = { ...address, rpc_system: 'grpc', rpc_service: e.name };
      for (const [code, rate] of outcomes(e.rate, e.errors, '0', '14'))
        histogram(
          ctx,
          'rpc_client_duration_milliseconds',
          { ...l, rpc_grpc_status_code: code },
          rate,
          e.latencyMs,
          0.001,
        );
    } else
      for (const [code, rate] of outcomes(e.rate, e.errors, '200', '500'))
        histogram(
          ctx,
          'http_client_request_duration_seconds',
          { ...address, http_response_status_code: code },
          rate,
          e.latencyMs,
          1,
        );
  }
  if (!serves) return;
  if (grpc(ctx.component))
    for (const [code, rate] of outcomes(ctx.served, ctx.errorRate, '0', '14'))
      histogram(
        ctx,
        'rpc_server_duration_milliseconds',
        { rpc_system: 'grpc', rpc_service: ctx.component.name, rpc_grpc_status_code: code },
        rate,
        ctx.latencyMs,
        0.001,
      );
  else
    for (const [code, rate] of outcomes(ctx.served, ctx.errorRate, '200', '500'))
      histogram(
        ctx,
        'http_server_request_duration_seconds',
        { http_request_method: 'GET', http_route: '/', http_response_status_code: code },
        rate,
        ctx.latencyMs,
        1,
      );
}

/** The collector's spanmetrics for every instrumented component, served from the collector's own pod. */
function spanMetrics(ctx: RequestContext): void {
  for (const c of ctx.app?.components ?? []) {
    if (c.ports.length === 0 || (c.role !== 'service' && c.role !== 'frontend')) continue;
    const flow = (t: number) => ctx.segment(t)?.flows.components.get(c.name);
    // The collector counts every span it receives, whichever pod of the component sent it.
    const rate = (t: number) => ctx.perPod(t, () => flow(t)?.inflow ?? 0);
    const errors = (t: number) => flow(t)?.errorRate ?? 0;
    const latency = (t: number) => flow(t)?.health.latencyMs ?? 1;
    const l = { service_name: c.name, span_name: c.name, span_kind: 'SPAN_KIND_SERVER' };
    for (const [status, r] of outcomes(rate, errors, 'STATUS_CODE_UNSET', 'STATUS_CODE_ERROR')) {
      const labels = { ...l, status_code: status };
      ctx.add('traces_span_metrics_calls_total', labels, ctx.countOf(r, { ...labels, h: 'calls' }));
      histogram(ctx, 'traces_span_metrics_duration_milliseconds', labels, r, latency, 0.001);
    }
  }
}

function istioDialect(ctx: RequestContext, serves: boolean): void {
  const ns = ctx.namespace;
  const self = ctx.component.name;
  const mesh = (source: string, destination: string) => ({
    source_workload: source,
    source_workload_namespace: ns,
    destination_workload: destination,
    destination_workload_namespace: ns,
    destination_service_name: destination,
  });
  for (const e of edgesOf(ctx))
    for (const [code, rate] of outcomes(e.rate, e.errors, '200', '503')) {
      const labels = { reporter: 'source', ...mesh(self, e.name), response_code: code };
      ctx.add('istio_requests_total', labels, ctx.countOf(rate, labels));
      histogram(ctx, 'istio_request_duration_milliseconds', labels, rate, e.latencyMs, 0.001);
    }
  if (!serves) return;
  const callers = (ctx.app?.components ?? []).filter((c) => c.calls.includes(self));
  const from = (caller: string) => (t: number) =>
    ctx.perPod(t, (s) => {
      const edge = s.flows.edges.get(`${caller}>${self}`);
      return edge ? edge.rate * edge.arrives : 0;
    });
  const known = callers.map((c) => from(c.name));
  const outside = (t: number) => Math.max(0, ctx.served(t) - known.reduce((a, f) => a + f(t), 0));
  for (const [source, rate] of [
    ...callers.map((c, i) => [c.name, known[i]!] as const),
    ['unknown', outside] as const,
  ])
    for (const [code, r] of outcomes(rate, ctx.errorRate, '200', '500')) {
      const labels = { reporter: 'destination', ...mesh(source, self), response_code: code };
      ctx.add('istio_requests_total', labels, ctx.countOf(r, labels));
      histogram(ctx, 'istio_request_duration_milliseconds', labels, r, ctx.latencyMs, 0.001);
    }
}

function linkerdDialect(ctx: RequestContext, serves: boolean): void {
  const owner = ctx.component.workload === 'StatefulSet' ? 'statefulset' : 'deployment';
  const self = { [owner]: ctx.component.name };
  for (const e of edgesOf(ctx)) {
    const dst = e.peer?.workload === 'StatefulSet' ? 'dst_statefulset' : 'dst_deployment';
    for (const [cls, rate] of outcomes(e.rate, e.errors, 'success', 'failure')) {
      const labels = {
        direction: 'outbound',
        ...self,
        [dst]: e.name,
        dst_namespace: ctx.namespace,
        classification: cls,
        status_code: cls === 'success' ? '200' : '503',
      };
      ctx.add('response_total', labels, ctx.countOf(rate, labels));
    }
    const l = { direction: 'outbound', ...self, [dst]: e.name, dst_namespace: ctx.namespace };
    histogram(ctx, 'response_latency_ms', l, e.rate, e.latencyMs, 0.001);
  }
  if (!serves) return;
  for (const [cls, rate] of outcomes(ctx.served, ctx.errorRate, 'success', 'failure')) {
    const labels = {
      direction: 'inbound',
      ...self,
      classification: cls,
      status_code: cls === 'success' ? '200' : '500',
    };
    ctx.add('response_total', labels, ctx.countOf(rate, labels));
  }
  histogram(ctx, 'response_latency_ms', { direction: 'inbound', ...self }, ctx.served, ctx.latencyMs, 0.001);
}

/** Every request series of one pod, in each dialect asked for. */
export function requestSeries(ctx: RequestContext, dialects: readonly RequestDialect[]): void {
  const serves = ctx.component.ports.length > 0;
  for (const d of dialects) {
    if (d === 'sim') simDialect(ctx, serves);
    if (d === 'otel') {
      otelDialect(ctx, serves);
      if (ctx.component.name === 'otel-collector') spanMetrics(ctx);
    }
    if (d === 'istio') istioDialect(ctx, serves);
    if (d === 'linkerd') linkerdDialect(ctx, serves);
  }
}
