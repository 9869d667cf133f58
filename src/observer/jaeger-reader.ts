/**
 * Read-only client for Jaeger's query API, over GET only, speaking whichever API the server answers:
 * - v1, the UI's `/api/services` and `/api/traces` (every released Jaeger, and Tempo through tempo-query).
 *   Its search ignores `lookback` (a UI-only parameter): without `start`/`end` (µs) it covers the last two
 *   days (jaegerquery/internal/query_parser.go, parseTime and defaultTraceQueryLookbackDuration), so the
 *   window is always sent.
 * - v3, `/api/v3/services` and `/api/v3/traces` (OTLP JSON; `query.start_time_min`/`max` RFC 3339 and
 *   required; 404 "No traces found" when nothing matches: jaegerquery/internal/apiv3/http_gateway.go), which
 *   Jaeger's main branch keeps after removing the v1 search.
 * The v1 service list is asked first; a 404 there switches to v3 for the reader's life.
 */
import { z } from 'zod';
import type { Result } from '../core/errors.js';
import { fail, ok } from '../core/errors.js';
import type { HttpReaderOptions } from './https-json.js';
import { endpoint, getText, statusFailure } from './https-json.js';
import type { JaegerTrace } from './jaeger-model.js';
import { readTraces } from './jaeger-model.js';
import { tracesFromOtlp } from './jaeger-otlp.js';

export { JaegerSpan, JaegerTag, JaegerTrace } from './jaeger-model.js';

const Envelope = z.object({
  data: z.unknown(),
  errors: z
    .array(z.object({ code: z.number().optional(), msg: z.string() }))
    .nullable()
    .optional(),
});
/** v3's error body: `{"error":{"httpCode":404,"message":"No traces found"}}`. */
const V3Error = z.object({ error: z.object({ httpCode: z.number().optional(), message: z.string() }) });

export interface TraceQuery {
  service: string;
  /** The window, microseconds since the epoch (Jaeger's `start`/`end`). */
  startUs: number;
  endUs: number;
  limit?: number;
  tags?: Record<string, string>;
}

export type JaegerApi = 'v1' | 'v3';

/** A reply's own size cap: a trace search may carry large traces; sampling them happens after parsing. */
const SEARCH_MAX_BYTES = 32 * 1024 * 1024;

export class JaegerReader {
  private readonly options: HttpReaderOptions;
  private chosen: JaegerApi | undefined;
  private serverClock: { serverMs: number; localMs: number } | undefined;

  constructor(options: HttpReaderOptions & { api?: JaegerApi }) {
    this.options = options;
    this.chosen = options.api;
  }

  /** Which API this reader speaks (after the first services() call when not given). */
  api(): JaegerApi | undefined {
    return this.chosen;
  }

  /**
   * The Jaeger server's clock now, from the `Date` header of its last reply (Go's net/http stamps every
   * reply) moved on by the time passed here since; undefined before any reply. The header has whole seconds,
   * so one second is added: the window end may lie a little ahead, never behind.
   */
  serverNow(): number | undefined {
    if (!this.serverClock) return undefined;
    return this.serverClock.serverMs + 1000 + (Date.now() - this.serverClock.localMs);
  }

  async services(): Promise<Result<string[]>> {
    if (this.chosen !== 'v3') {
      const v1 = await this.get('/api/services', {});
      if (v1.ok || v1.status !== 404 || this.chosen === 'v1') {
        if (!v1.ok) return v1;
        this.chosen = 'v1';
        const names = z.array(z.string()).nullable().safeParse(v1.value);
        return names.success
          ? ok(names.data ?? [])
          : fail('bad-response', '/api/services: not a list of names');
      }
    }
    const v3 = await this.get('/api/v3/services', {});
    if (!v3.ok) return v3;
    this.chosen = 'v3';
    const names = z.object({ services: z.array(z.string()).nullish() }).safeParse(v3.value);
    return names.success
      ? ok(names.data.services ?? [])
      : fail('bad-response', '/api/v3/services: not a list of names');
  }

  async traces(q: TraceQuery): Promise<Result<JaegerTrace[]>> {
    return this.chosen === 'v3' ? this.tracesV3(q) : this.tracesV1(q);
  }

  private async tracesV1(q: TraceQuery): Promise<Result<JaegerTrace[]>> {
    const params: Record<string, string> = {
      service: q.service,
      start: String(Math.floor(q.startUs)),
      end: String(Math.ceil(q.endUs)),
      limit: String(q.limit ?? 20),
    };
    if (q.tags && Object.keys(q.tags).length > 0) params['tags'] = JSON.stringify(q.tags);
    const data = await this.get('/api/traces', params);
    return data.ok ? readTraces(data.value, '/api/traces') : data;
  }

  private async tracesV3(q: TraceQuery): Promise<Result<JaegerTrace[]>> {
    const rfc3339 = (us: number) => new Date(Math.floor(us / 1000)).toISOString();
    const params: Record<string, string> = {
      // The snake_case names: v3's grpc-gateway spelling, still accepted (as deprecated aliases) by v2.
      'query.service_name': q.service,
      'query.start_time_min': rfc3339(q.startUs),
      'query.start_time_max': rfc3339(q.endUs + 1000),
      'query.num_traces': String(q.limit ?? 20),
    };
    if (q.tags && Object.keys(q.tags).length > 0) params['query.attributes'] = JSON.stringify(q.tags);
    const reply = await this.getRaw('/api/v3/traces', params);
    if (!reply.ok) return reply;
    const { status, json, body } = reply.value;
    // No match is a 404, not an empty list.
    if (status === 404) return ok([]);
    if (status < 200 || status >= 300) {
      const e = V3Error.safeParse(json);
      return { ok: false, error: statusFailure(status, e.success ? e.data.error.message : body.trim()) };
    }
    if (json === undefined) return fail('bad-response', '/api/v3/traces: reply is not JSON');
    return ok(tracesFromOtlp(json));
  }

  private async getRaw(
    path: string,
    params: Record<string, string>,
  ): Promise<Result<{ status: number; json: unknown; body: string }>> {
    let url: URL;
    try {
      url = endpoint(this.options.url, path, params);
    } catch {
      return fail('unreachable', 'invalid Jaeger URL');
    }
    const reply = await getText(url, this.options, this.options.maxBytes ?? SEARCH_MAX_BYTES);
    if (!reply.ok) return reply;
    const { status, body, date } = reply.value;
    const serverMs = date === undefined ? NaN : Date.parse(date);
    if (Number.isFinite(serverMs)) this.serverClock = { serverMs, localMs: Date.now() };
    let json: unknown;
    try {
      json = JSON.parse(body) as unknown;
    } catch {
      json = undefined;
    }
    return ok({ status, json, body });
  }

  /** A GET whose failure keeps the HTTP status, so a 404 can choose the API. */
  private async get(
    path: string,
    params: Record<string, string>,
  ): Promise<Result<unknown> & { status?: number }> {
    const reply = await this.getRaw(path, params);
    if (!reply.ok) return reply;
    const { status, json, body } = reply.value;
    if (json === undefined) {
      // Jaeger writes its errors as JSON (with http.Error, so as text/plain); a mux 404 is plain text.
      if (status < 200 || status >= 300)
        return { ok: false, error: statusFailure(status, body.trim()), status };
      return fail('bad-response', `${path}: reply is not JSON`);
    }
    if (path.startsWith('/api/v3/')) {
      if (status >= 200 && status < 300) return ok(json);
      const e = V3Error.safeParse(json);
      return { ok: false, error: statusFailure(status, e.success ? e.data.error.message : ''), status };
    }
    const envelope = Envelope.safeParse(json);
    const detail = envelope.success ? (envelope.data.errors ?? []).map((e) => e.msg).join('; ') : '';
    if (status < 200 || status >= 300 || detail)
      return { ok: false, error: statusFailure(status, detail), status };
    if (!envelope.success) return fail('bad-response', `${path}: not a Jaeger API reply`);
    return ok(envelope.data.data);
  }
}
