/**
 * The one table of metric families the observer knows: which exporter (dialect) writes each, which of the
 * observer's signals it measures, which labels say whom a series is about, and how a failure is told.
 * Families are detected per observation (metric-detect.ts), never assumed; earlier rows win when two
 * families measure the same component. Sources of the names and labels:
 * - kube-state-metrics: docs/metrics/workload/{pod,deployment,statefulset}-metrics.md (v2.x);
 * - cAdvisor/kubelet: the kubelet's /metrics/cadvisor (namespace, pod, container; container="" is the pod's
 *   own cgroup and "POD" the pause container, both left out so nothing counts twice);
 * - OpenTelemetry semantic conventions: http.server.request.duration (s, stable HTTP semconv) and the older
 *   http.server.duration (ms), rpc.server.duration / rpc.client.duration (ms), as Prometheus names them;
 * - the collector's spanmetrics connector: calls + duration, or traces_span_metrics_* with the
 *   `traces.span.metrics` namespace the OpenTelemetry demo configures; status_code=STATUS_CODE_ERROR;
 * - Istio standard metrics: istio_requests_total / istio_request_duration_milliseconds, reporter label;
 * - Linkerd proxy metrics: response_total / response_latency_ms, direction and classification labels.
 */

export type MetricSignal =
  'errorRatio' | 'latency' | 'traffic' | 'cpu' | 'memory' | 'restarts' | 'availability';

export const SIGNAL_NAMES: Record<MetricSignal, string> = {
  errorRatio: 'error ratio',
  latency: 'latency',
  traffic: 'traffic',
  cpu: 'CPU',
  memory: 'memory',
  restarts: 'restarts',
  availability: 'availability',
};

/**
 * Whom a series is about, by the labels that say so: a pod (mapped to its workload through the objects the
 * observer read), a workload named directly, or a service name (mapped through Services and workloads).
 */
export interface Identity {
  by: 'pod' | 'workload' | 'service';
  /** The label holding the namespace; queries select on it. */
  namespace: string;
  /** The label holding the pod, workload or service name. */
  name: string;
  /** Another label that holds it on other series (Linkerd: `statefulset` where pods are not a Deployment's). */
  or?: string;
}

const POD: Identity = { by: 'pod', namespace: 'namespace', name: 'pod' };

export type Outcome = (value: string) => boolean;

const http5xx: Outcome = (v) => /^5\d\d$/.test(v);
const grpcFailed: Outcome = (v) => v !== '' && v !== '0' && v !== 'OK';

/** A family of request counts (and its latency histogram), as a server or a client sees them. */
export interface RequestFamily {
  dialect: string;
  side: 'server' | 'client';
  /** A counter of requests: a `_total` counter or a histogram's `_count`. */
  count: string;
  /** The latency histogram's buckets, and how many seconds one unit of `le` is. */
  buckets?: { metric: string; seconds: number };
  /** Matchers keeping only this side's series, e.g. reporter="destination". */
  only?: string;
  /** The label that tells a failed request, and the test of its value. */
  outcome: { label: string; failed: Outcome };
  who: Identity;
  /** Whom a client calls (client families). */
  peer?: Identity;
}

/**
 * The collector's spanmetrics, once per metric name and per label that can hold the namespace. The connector
 * keeps each span's resource attributes on the metrics it makes (connector/spanmetricsconnector/README.md:
 * "generate the number of metrics resource scopes that corresponds to the number of the spans resource
 * scopes"), and its Prometheus exporter turns them into labels with `resource_to_telemetry_conversion` or
 * `resource_constant_labels` (exporter/prometheusexporter/README.md), so `k8s.namespace.name` (set by the
 * k8sattributes processor) arrives as `k8s_namespace_name` and `service.namespace` as `service_namespace`;
 * the same README's recipe copies `k8s.namespace.name` into `namespace` with the transform processor. A
 * `namespace` written by Prometheus' own pod discovery is the collector's, not the service's, so it selects
 * spans only where the collector runs beside the app (as in the OpenTelemetry demo). `service_namespace` is
 * whatever the SDK was told (the demo sets `opentelemetry-demo`): it counts only where it equals the
 * Kubernetes namespace observed.
 */
function spanmetricsFamilies(): RequestFamily[] {
  const names = [
    { count: 'traces_span_metrics_calls_total', buckets: 'traces_span_metrics_duration_milliseconds_bucket' },
    { count: 'calls_total', buckets: 'duration_milliseconds_bucket' },
  ];
  return ['namespace', 'k8s_namespace_name', 'service_namespace'].flatMap((namespace) =>
    names.map((n): RequestFamily => ({
      dialect: 'spanmetrics',
      side: 'server',
      count: n.count,
      buckets: { metric: n.buckets, seconds: 0.001 },
      only: 'span_kind=~"SPAN_KIND_SERVER|SPAN_KIND_CONSUMER"',
      outcome: { label: 'status_code', failed: (v) => v === 'STATUS_CODE_ERROR' },
      who: { by: 'service', namespace, name: 'service_name' },
    })),
  );
}

export const REQUEST_FAMILIES: readonly RequestFamily[] = [
  {
    dialect: 'otel-http',
    side: 'server',
    count: 'http_server_request_duration_seconds_count',
    buckets: { metric: 'http_server_request_duration_seconds_bucket', seconds: 1 },
    outcome: { label: 'http_response_status_code', failed: http5xx },
    who: POD,
  },
  {
    dialect: 'otel-http',
    side: 'server',
    count: 'http_server_duration_milliseconds_count',
    buckets: { metric: 'http_server_duration_milliseconds_bucket', seconds: 0.001 },
    outcome: { label: 'http_status_code', failed: http5xx },
    who: POD,
  },
  {
    dialect: 'otel-rpc',
    side: 'server',
    count: 'rpc_server_duration_milliseconds_count',
    buckets: { metric: 'rpc_server_duration_milliseconds_bucket', seconds: 0.001 },
    outcome: { label: 'rpc_grpc_status_code', failed: grpcFailed },
    who: POD,
  },
  {
    dialect: 'istio',
    side: 'server',
    count: 'istio_requests_total',
    buckets: { metric: 'istio_request_duration_milliseconds_bucket', seconds: 0.001 },
    only: 'reporter="destination"',
    outcome: { label: 'response_code', failed: http5xx },
    who: { by: 'workload', namespace: 'destination_workload_namespace', name: 'destination_workload' },
  },
  {
    dialect: 'linkerd',
    side: 'server',
    count: 'response_total',
    buckets: { metric: 'response_latency_ms_bucket', seconds: 0.001 },
    only: 'direction="inbound"',
    outcome: { label: 'classification', failed: (v) => v === 'failure' },
    who: { by: 'workload', namespace: 'namespace', name: 'deployment', or: 'statefulset' },
  },
  ...spanmetricsFamilies(),
  {
    // The simulator's own instrumentation: one more dialect, found like any other.
    dialect: 'sim',
    side: 'server',
    count: 'requests_total',
    buckets: { metric: 'request_duration_seconds_bucket', seconds: 1 },
    outcome: { label: 'code', failed: http5xx },
    who: POD,
  },
  {
    dialect: 'otel-http',
    side: 'client',
    count: 'http_client_request_duration_seconds_count',
    buckets: { metric: 'http_client_request_duration_seconds_bucket', seconds: 1 },
    outcome: { label: 'http_response_status_code', failed: http5xx },
    who: POD,
    peer: { by: 'service', namespace: 'namespace', name: 'server_address' },
  },
  {
    dialect: 'otel-rpc',
    side: 'client',
    count: 'rpc_client_duration_milliseconds_count',
    buckets: { metric: 'rpc_client_duration_milliseconds_bucket', seconds: 0.001 },
    outcome: { label: 'rpc_grpc_status_code', failed: grpcFailed },
    who: POD,
    peer: { by: 'service', namespace: 'namespace', name: 'server_address' },
  },
  {
    dialect: 'istio',
    side: 'client',
    count: 'istio_requests_total',
    buckets: { metric: 'istio_request_duration_milliseconds_bucket', seconds: 0.001 },
    only: 'reporter="source"',
    outcome: { label: 'response_code', failed: http5xx },
    who: { by: 'workload', namespace: 'source_workload_namespace', name: 'source_workload' },
    peer: { by: 'workload', namespace: 'destination_workload_namespace', name: 'destination_workload' },
  },
  {
    dialect: 'linkerd',
    side: 'client',
    count: 'response_total',
    buckets: { metric: 'response_latency_ms_bucket', seconds: 0.001 },
    only: 'direction="outbound"',
    outcome: { label: 'classification', failed: (v) => v === 'failure' },
    who: { by: 'workload', namespace: 'namespace', name: 'deployment', or: 'statefulset' },
    peer: { by: 'workload', namespace: 'dst_namespace', name: 'dst_deployment', or: 'dst_statefulset' },
  },
  {
    dialect: 'sim',
    side: 'client',
    count: 'client_requests_total',
    buckets: { metric: 'client_request_duration_seconds_bucket', seconds: 1 },
    outcome: { label: 'code', failed: http5xx },
    who: POD,
    peer: { by: 'service', namespace: 'namespace', name: 'peer' },
  },
];

/** A family of resource or state metrics (one value per pod or workload). */
export interface ResourceFamily {
  dialect: 'cadvisor' | 'kube-state-metrics';
  signal: 'cpu' | 'memory' | 'memoryLimit' | 'restarts' | 'available' | 'desired' | 'phase' | 'waiting';
  metric: string;
  /** Whether to read its per-second rate (a counter) or its value (a gauge). */
  counter: boolean;
  only?: string;
  who: Identity;
}

const CONTAINERS_ONLY = 'container!="",container!="POD"';

export const RESOURCE_FAMILIES: readonly ResourceFamily[] = [
  {
    dialect: 'cadvisor',
    signal: 'cpu',
    metric: 'container_cpu_usage_seconds_total',
    counter: true,
    only: CONTAINERS_ONLY,
    who: POD,
  },
  {
    dialect: 'cadvisor',
    signal: 'memory',
    metric: 'container_memory_working_set_bytes',
    counter: false,
    only: CONTAINERS_ONLY,
    who: POD,
  },
  {
    dialect: 'kube-state-metrics',
    signal: 'memoryLimit',
    metric: 'kube_pod_container_resource_limits',
    counter: false,
    only: 'resource="memory"',
    who: POD,
  },
  {
    dialect: 'kube-state-metrics',
    signal: 'restarts',
    metric: 'kube_pod_container_status_restarts_total',
    counter: true,
    who: POD,
  },
  {
    dialect: 'kube-state-metrics',
    signal: 'available',
    metric: 'kube_deployment_status_replicas_available',
    counter: false,
    who: { by: 'workload', namespace: 'namespace', name: 'deployment' },
  },
  {
    dialect: 'kube-state-metrics',
    signal: 'desired',
    metric: 'kube_deployment_spec_replicas',
    counter: false,
    who: { by: 'workload', namespace: 'namespace', name: 'deployment' },
  },
  {
    dialect: 'kube-state-metrics',
    signal: 'available',
    metric: 'kube_statefulset_status_replicas_ready',
    counter: false,
    who: { by: 'workload', namespace: 'namespace', name: 'statefulset' },
  },
  {
    dialect: 'kube-state-metrics',
    signal: 'desired',
    metric: 'kube_statefulset_replicas',
    counter: false,
    who: { by: 'workload', namespace: 'namespace', name: 'statefulset' },
  },
  {
    dialect: 'kube-state-metrics',
    signal: 'phase',
    metric: 'kube_pod_status_phase',
    counter: false,
    only: 'phase=~"Pending|Failed|Unknown"',
    who: POD,
  },
  {
    dialect: 'kube-state-metrics',
    signal: 'waiting',
    metric: 'kube_pod_container_status_waiting_reason',
    counter: false,
    who: POD,
  },
];

/** Which observer signals a family can measure (for the coverage gaps and the dialect × signal table). */
export function signalsOf(family: RequestFamily | ResourceFamily): MetricSignal[] {
  if ('count' in family)
    return family.side === 'server'
      ? ['errorRatio', 'latency', 'traffic']
      : ['errorRatio', ...(family.buckets ? (['latency'] as const) : [])];
  switch (family.signal) {
    case 'cpu':
      return ['cpu'];
    case 'memory':
    case 'memoryLimit':
      return ['memory'];
    case 'restarts':
      return ['restarts'];
    case 'available':
    case 'desired':
    case 'phase':
    case 'waiting':
      return ['availability'];
  }
}

/** How detection marks a metric name as having series in scope under one namespace label. */
export const scopeKey = (metric: string, namespaceLabel: string) => `${metric}{${namespaceLabel}}`;

/** Whether a family has series in scope under its own namespace label (detection's `inScope`). */
export const inScopeOf = (inScope: ReadonlySet<string>, family: RequestFamily | ResourceFamily): boolean =>
  inScope.has(scopeKey('count' in family ? family.count : family.metric, family.who.namespace));

/** Every metric name the table reads, for detection. */
export function knownMetricNames(): string[] {
  const names = new Set<string>();
  for (const f of REQUEST_FAMILIES) {
    names.add(f.count);
    if (f.buckets) names.add(f.buckets.metric);
  }
  for (const f of RESOURCE_FAMILIES) names.add(f.metric);
  return [...names];
}
