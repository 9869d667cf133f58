/**
 * Jaeger's /api/v3 HTTP gateway over the same synthesized traces, as v2.20 serves it
 * (cmd/jaeger/internal/extension/jaegerquery/internal/apiv3/http_gateway.go and query_parser.go):
 * - GET /api/v3/services → `{"services":[…]}`;
 * - GET /api/v3/traces needs `query.service_name` (or `query.serviceName`) and both
 *   `query.start_time_min`/`max` (or camelCase) as RFC 3339, min before max; `query.search_depth` /
 *   `query.num_traces` (default 100), `query.attributes` (a JSON object of strings), `query.duration_min`/
 *   `max` (Go durations). The reply is `{"result":{"resourceSpans":[…]}}` in OTLP JSON (hex ids, 64-bit ids
 *   padded to 128, nanoseconds as strings, kind and status as enum numbers);
 * - GET /api/v3/traces/{id} → the trace, or 404;
 * - nothing found is a 404 `{"error":{"httpCode":404,"message":"No traces found"}}`; every error goes
 *   through Go's http.Error, so as text/plain.
 */
import type { JaegerContext } from './jaeger-api.js';
import { JaegerError, search, services, traceEntries } from './jaeger-api.js';
import type { Reply } from './reply.js';
import { json, text } from './reply.js';
import type { JaegerTag, JaegerTrace } from './traces.js';
import { decodeTraceId, synthesizeTrace } from './traces.js';

const KIND: Record<string, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
/** Tags Jaeger's translator derives from OTLP fields; they go back into those fields. */
const DERIVED = new Set(['span.kind', 'otel.status_code', 'otel.status_description', 'error']);

function gatewayError(status: number, message: string): Reply {
  return text(status, `${JSON.stringify({ error: { httpCode: status, message } })}\n`);
}

function anyValue(t: JaegerTag): Record<string, unknown> {
  if (t.type === 'bool') return { boolValue: t.value };
  if (t.type === 'int64') return { intValue: String(t.value) };
  if (t.type === 'float64') return { doubleValue: t.value };
  return { stringValue: String(t.value) };
}

const attributes = (tags: readonly JaegerTag[]) => tags.map((t) => ({ key: t.key, value: anyValue(t) }));
const nanos = (us: number) => `${Math.round(us)}000`;

/** One trace in OTLP JSON: a resourceSpans entry per process. */
function toOtlp(trace: JaegerTrace): unknown[] {
  const traceId = trace.traceID.padStart(32, '0');
  return Object.entries(trace.processes).map(([id, p]) => ({
    resource: {
      attributes: attributes([
        { key: 'service.name', type: 'string', value: p.serviceName },
        ...p.tags.filter((t) => t.key !== 'service.name'),
      ]),
    },
    scopeSpans: [
      {
        scope: {},
        spans: trace.spans
          .filter((s) => s.processID === id)
          .map((s) => {
            const find = (key: string) => s.tags.find((t) => t.key === key)?.value;
            const failed = find('error') === true || find('otel.status_code') === 'ERROR';
            const description = find('otel.status_description');
            const parent = s.references.find((r) => r.refType === 'CHILD_OF');
            return {
              traceId,
              spanId: s.spanID,
              ...(parent ? { parentSpanId: parent.spanID } : {}),
              name: s.operationName,
              kind: KIND[String(find('span.kind'))] ?? 0,
              startTimeUnixNano: nanos(s.startTime),
              endTimeUnixNano: nanos(s.startTime + s.duration),
              attributes: attributes(s.tags.filter((t) => !DERIVED.has(t.key))),
              events: s.logs.map((l) => ({
                timeUnixNano: nanos(l.timestamp),
                name: String(l.fields.find((f) => f.key === 'event')?.value ?? 'log'),
                attributes: attributes(l.fields.filter((f) => f.key !== 'event')),
              })),
              status: failed
                ? { code: 2, ...(typeof description === 'string' ? { message: description } : {}) }
                : {},
            };
          }),
      },
    ],
  }));
}

function param(q: URLSearchParams, canonical: string, deprecated: string): [string, string] {
  const v = q.get(canonical);
  return v ? [v, canonical] : [q.get(deprecated) ?? '', deprecated];
}

function rfc3339(raw: string, name: string): number {
  // time.RFC3339Nano: a date, a time, and a zone (Z or ±hh:mm).
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(raw);
  const ms = ok ? Date.parse(raw) : NaN;
  if (!Number.isFinite(ms))
    throw new JaegerError(400, `malformed parameter ${name}: parsing time "${raw}" as RFC 3339`);
  return ms;
}

/** The v1 search parameters a v3 query stands for. */
function v1Params(q: URLSearchParams): URLSearchParams {
  const [service] = param(q, 'query.serviceName', 'query.service_name');
  const [min, minName] = param(q, 'query.startTimeMin', 'query.start_time_min');
  const [max, maxName] = param(q, 'query.startTimeMax', 'query.start_time_max');
  if (!min || !max) throw new JaegerError(400, 'query.startTimeMin and query.startTimeMax are required');
  const [minMs, maxMs] = [rfc3339(min, minName), rfc3339(max, maxName)];
  if (minMs >= maxMs) throw new JaegerError(400, 'query.startTimeMin must be before query.startTimeMax');
  const out = new URLSearchParams({ service, start: String(minMs * 1000), end: String(maxMs * 1000) });
  let [depth, depthName] = param(q, 'query.searchDepth', 'query.search_depth');
  if (!depth) [depth, depthName] = [q.get('query.num_traces') ?? '', 'query.num_traces'];
  if (depth) {
    if (!/^[+-]?\d+$/.test(depth))
      throw new JaegerError(
        400,
        `malformed parameter ${depthName}: strconv.Atoi: parsing "${depth}": invalid syntax`,
      );
    out.set('limit', depth);
  }
  const attrs = q.get('query.attributes');
  if (attrs) out.set('tags', attrs);
  const [dmin] = param(q, 'query.durationMin', 'query.duration_min');
  const [dmax] = param(q, 'query.durationMax', 'query.duration_max');
  if (dmin) out.set('minDuration', dmin);
  if (dmax) out.set('maxDuration', dmax);
  return out;
}

function found(traces: JaegerTrace[]): Reply {
  if (traces.length === 0) return gatewayError(404, 'No traces found');
  return json(200, { result: { resourceSpans: traces.flatMap(toOtlp) } });
}

/** Answers a /api/v3 path, or undefined when the path is not one of v3's. */
export function jaegerApiV3(ctx: JaegerContext, path: string, params: URLSearchParams): Reply | undefined {
  try {
    if (path === '/api/v3/services') return json(200, { services: services(ctx) });
    if (path === '/api/v3/traces') {
      const q = v1Params(params);
      if (!q.get('service')) return found([]);
      // The v1 search's messages name v1's parameters; v3 prefixes its own.
      try {
        return found(search(ctx, q));
      } catch (error) {
        if (error instanceof JaegerError) throw new JaegerError(400, `malformed parameter: ${error.message}`);
        throw error;
      }
    }
    const byId = /^\/api\/v3\/traces\/([^/]+)$/.exec(path);
    if (byId) {
      const id = decodeURIComponent(byId[1]!).toLowerCase();
      const slot = /^[0-9a-f]{1,32}$/.test(id) ? decodeTraceId(id, traceEntries(ctx)) : undefined;
      const trace = slot ? synthesizeTrace(ctx.history, ctx.pods, slot) : undefined;
      return found(trace ? [trace] : []);
    }
    return undefined;
  } catch (error) {
    if (error instanceof JaegerError) return gatewayError(error.code, error.message);
    throw error;
  }
}
