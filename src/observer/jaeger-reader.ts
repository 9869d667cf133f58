/**
 * Read-only client for the Jaeger query API (service list and trace search), over GET only. Traces are
 * boundary data: validated with zod before anything else sees them.
 */
import { z } from 'zod';
import type { Result } from '../core/errors.js';
import { fail, ok } from '../core/errors.js';
import type { HttpReaderOptions } from './https-json.js';
import { getJson, statusFailure } from './https-json.js';

export const JaegerTag = z.object({
  key: z.string(),
  type: z.string(),
  value: z.union([z.string(), z.number(), z.boolean()]),
});
export type JaegerTag = z.infer<typeof JaegerTag>;

export const JaegerSpan = z.object({
  traceID: z.string(),
  spanID: z.string(),
  operationName: z.string(),
  references: z.array(z.object({ refType: z.string(), traceID: z.string(), spanID: z.string() })),
  startTime: z.number().describe('Microseconds since the epoch'),
  duration: z.number().describe('Microseconds'),
  tags: z.array(JaegerTag),
  logs: z.array(z.object({ timestamp: z.number(), fields: z.array(JaegerTag) })).optional(),
  processID: z.string(),
});
export type JaegerSpan = z.infer<typeof JaegerSpan>;

export const JaegerTrace = z.object({
  traceID: z.string(),
  spans: z.array(JaegerSpan),
  processes: z.record(z.string(), z.object({ serviceName: z.string() })),
});
export type JaegerTrace = z.infer<typeof JaegerTrace>;

const Envelope = z.object({
  data: z.unknown(),
  errors: z
    .array(z.object({ code: z.number().optional(), msg: z.string() }))
    .nullable()
    .optional(),
});

export interface TraceQuery {
  service: string;
  /** Jaeger's lookback, e.g. `1h` or `15m` (default 1h). */
  lookback?: string;
  limit?: number;
  tags?: Record<string, string>;
}

export class JaegerReader {
  private readonly options: HttpReaderOptions;

  constructor(options: { url: string; token?: string; caPem?: string; timeoutMs?: number }) {
    this.options = options;
  }

  async services(): Promise<Result<string[]>> {
    const data = await this.get('/api/services', {});
    if (!data.ok) return data;
    const names = z.array(z.string()).nullable().safeParse(data.value);
    return names.success ? ok(names.data ?? []) : fail('bad-response', '/api/services: not a list of names');
  }

  async traces(q: TraceQuery): Promise<Result<JaegerTrace[]>> {
    const params: Record<string, string> = {
      service: q.service,
      lookback: q.lookback ?? '1h',
      limit: String(q.limit ?? 20),
    };
    if (q.tags && Object.keys(q.tags).length > 0) params['tags'] = JSON.stringify(q.tags);
    const data = await this.get('/api/traces', params);
    if (!data.ok) return data;
    const traces = z.array(JaegerTrace).nullable().safeParse(data.value);
    if (!traces.success)
      return fail('bad-response', `/api/traces: ${z.prettifyError(traces.error).slice(0, 300)}`);
    return ok(traces.data ?? []);
  }

  private async get(path: string, params: Record<string, string>): Promise<Result<unknown>> {
    const reply = await getJson(this.options.url, path, params, this.options, 'Jaeger');
    if (!reply.ok) return reply;
    const { status, json } = reply.value;
    const envelope = Envelope.safeParse(json);
    const detail = envelope.success ? (envelope.data.errors ?? []).map((e) => e.msg).join('; ') : '';
    if (status < 200 || status >= 300 || detail) return { ok: false, error: statusFailure(status, detail) };
    if (!envelope.success) return fail('bad-response', `${path}: not a Jaeger API reply`);
    return ok(envelope.data.data);
  }
}
