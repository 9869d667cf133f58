/**
 * The tags a span carries, in the words of the instrumentation that recorded it, as Jaeger's UI model shows
 * them.
 * - Jaeger clients (DeathStarBench): `span.kind`, `component`, `peer.service`, `http.method`/`http.url`/
 *   `http.status_code` on the root, and on failure `error=true` with a log `{event: error, message}`.
 * - OpenTelemetry SDKs (the OpenTelemetry demo), converted from OTLP as the collector's Jaeger translator
 *   does (opentelemetry-collector-contrib pkg/translator/jaeger): `span.kind` from the span kind; the
 *   status as `otel.status_code`/`otel.status_description`, plus `error=true` when it is ERROR; exceptions as
 *   logs `{event: exception, exception.message}`; current semantic conventions: `http.request.method`,
 *   `url.path`, `http.response.status_code` (HTTP), `rpc.system`/`rpc.service`/`rpc.method`/
 *   `rpc.grpc.status_code` (gRPC), `server.address`/`server.port` on client spans (no `peer.service`),
 *   and resource attributes `service.namespace=opentelemetry-demo` and `k8s.namespace.name` (the demo's
 *   collector runs the k8sattributes processor) as process tags.
 */
import type { JaegerTag } from './jaeger-types.js';

export const tag = (key: string, value: string | boolean | number): JaegerTag => ({
  key,
  type: typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? 'int64' : 'string',
  value,
});

/** gRPC's UNAVAILABLE, what a failed call between the demo's services reports. */
const GRPC_UNAVAILABLE = 14;

export function processTags(otel: boolean, namespace: string, service: string, pod: string): JaegerTag[] {
  if (!otel) return [tag('hostname', pod), tag('jaeger.version', 'Go-2.30.0')];
  return [
    tag('host.name', pod),
    tag('k8s.namespace.name', namespace),
    tag('k8s.pod.name', pod),
    tag('service.namespace', 'opentelemetry-demo'),
    tag('service.name', service),
    tag('telemetry.sdk.language', 'go'),
    tag('telemetry.sdk.name', 'opentelemetry'),
  ];
}

export function serverTags(
  otel: boolean,
  s: { component: string; http: boolean; op: string; failed: boolean },
): JaegerTag[] {
  if (!otel) {
    const tags = [tag('span.kind', 'server'), tag('component', s.component)];
    if (s.http)
      tags.push(
        tag('http.method', 'GET'),
        tag('http.url', s.op),
        tag('http.status_code', s.failed ? 500 : 200),
      );
    return tags;
  }
  if (s.http)
    return [
      tag('span.kind', 'server'),
      tag('http.request.method', 'GET'),
      tag('url.path', s.op),
      tag('http.response.status_code', s.failed ? 500 : 200),
    ];
  const [service, method] = s.op.split('/');
  return [
    tag('span.kind', 'server'),
    tag('rpc.system', 'grpc'),
    tag('rpc.service', service ?? s.op),
    tag('rpc.method', method ?? ''),
    tag('rpc.grpc.status_code', s.failed ? GRPC_UNAVAILABLE : 0),
  ];
}

export function callTags(
  otel: boolean,
  c: { component: string; callee: string; namespace: string; op: string; failed: boolean; http: boolean },
): JaegerTag[] {
  if (!otel)
    return [tag('span.kind', 'client'), tag('component', c.component), tag('peer.service', c.callee)];
  const address = [
    tag('server.address', `${c.callee}.${c.namespace}.svc.cluster.local`),
    tag('server.port', 8080),
  ];
  if (c.http)
    return [
      tag('span.kind', 'client'),
      tag('http.request.method', 'GET'),
      tag('http.response.status_code', c.failed ? 500 : 200),
      ...address,
    ];
  if (c.component !== 'gRPC') return [tag('span.kind', 'client'), tag('db.system', c.component), ...address];
  const [service, method] = c.op.split('/');
  return [
    tag('span.kind', 'client'),
    tag('rpc.system', 'grpc'),
    tag('rpc.service', service ?? c.op),
    tag('rpc.method', method ?? ''),
    tag('rpc.grpc.status_code', c.failed ? GRPC_UNAVAILABLE : 0),
    ...address,
  ];
}

export function failureTags(
  otel: boolean,
  at: number,
  message: string,
): { tags: JaegerTag[]; log: { timestamp: number; fields: JaegerTag[] } } {
  if (!otel)
    return {
      tags: [tag('error', true)],
      log: { timestamp: at, fields: [tag('event', 'error'), tag('message', message)] },
    };
  return {
    tags: [tag('otel.status_code', 'ERROR'), tag('otel.status_description', message), tag('error', true)],
    log: { timestamp: at, fields: [tag('event', 'exception'), tag('exception.message', message)] },
  };
}
