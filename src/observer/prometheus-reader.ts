/**
 * Read-only client for a Prometheus-compatible query API (instant and range queries), over GET only.
 * Replies are validated at the boundary; failures come back as values.
 */
import { z } from 'zod';
import type { Result } from '../core/errors.js';
import { fail, ok } from '../core/errors.js';
import type { HttpReaderOptions } from './https-json.js';
import { getJson, statusFailure } from './https-json.js';

const SampleValue = z.tuple([z.number(), z.string()]);
const Labels = z.record(z.string(), z.string());
const Envelope = z.object({
  status: z.enum(['success', 'error']),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
});
const Data = z.discriminatedUnion('resultType', [
  z.object({
    resultType: z.literal('vector'),
    result: z.array(z.object({ metric: Labels, value: SampleValue })),
  }),
  z.object({ resultType: z.literal('scalar'), result: SampleValue }),
  z.object({ resultType: z.literal('string'), result: z.tuple([z.number(), z.string()]) }),
  z.object({
    resultType: z.literal('matrix'),
    result: z.array(z.object({ metric: Labels, values: z.array(SampleValue) })),
  }),
]);
type Data = z.infer<typeof Data>;

export interface InstantSample {
  metric: Record<string, string>;
  value: number;
}

export interface RangeSeries {
  metric: Record<string, string>;
  values: [number, number][];
}

/** Prometheus writes sample values as strings, with `+Inf`, `-Inf` and `NaN` spelled out. */
export function sampleNumber(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

export class PrometheusReader {
  private readonly options: HttpReaderOptions;

  constructor(options: { url: string; token?: string; caPem?: string; timeoutMs?: number }) {
    this.options = options;
  }

  /** An instant query at `atSeconds` (default: the server's now). */
  async query(promql: string, atSeconds?: number): Promise<Result<InstantSample[]>> {
    const params: Record<string, string> = { query: promql };
    if (atSeconds !== undefined) params['time'] = String(atSeconds);
    const data = await this.get('/api/v1/query', params);
    if (!data.ok) return data;
    const d = data.value;
    switch (d.resultType) {
      case 'vector':
        return ok(d.result.map((s) => ({ metric: s.metric, value: sampleNumber(s.value[1]) })));
      case 'scalar':
        return ok([{ metric: {}, value: sampleNumber(d.result[1]) }]);
      case 'string':
        return fail('bad-query', 'the query returned a string, not a number');
      case 'matrix':
        return fail('bad-query', 'the query returned a range vector; wrap it in a function such as rate()');
    }
  }

  async queryRange(
    promql: string,
    startSeconds: number,
    endSeconds: number,
    stepSeconds: number,
  ): Promise<Result<RangeSeries[]>> {
    const data = await this.get('/api/v1/query_range', {
      query: promql,
      start: String(startSeconds),
      end: String(endSeconds),
      step: String(stepSeconds),
    });
    if (!data.ok) return data;
    if (data.value.resultType !== 'matrix')
      return fail('bad-response', `range query answered with a ${data.value.resultType}`);
    return ok(
      data.value.result.map((s) => ({
        metric: s.metric,
        values: s.values.map(([t, v]): [number, number] => [t, sampleNumber(v)]),
      })),
    );
  }

  /**
   * The values a label takes (`__name__`: the metric names Prometheus holds), optionally only on series
   * matching one `match[]` selector.
   */
  async labelValues(label: string, match?: string): Promise<Result<string[]>> {
    const params: Record<string, string> = match === undefined ? {} : { 'match[]': match };
    const data = await this.envelope(`/api/v1/label/${encodeURIComponent(label)}/values`, params);
    if (!data.ok) return data;
    const values = z.array(z.string()).safeParse(data.value);
    if (!values.success) return fail('bad-response', 'label values: not a list of strings');
    return ok(values.data);
  }

  private async get(path: string, params: Record<string, string>): Promise<Result<Data>> {
    const data = await this.envelope(path, params);
    if (!data.ok) return data;
    const parsed = Data.safeParse(data.value);
    if (!parsed.success)
      return fail('bad-response', `${path}: ${z.prettifyError(parsed.error).slice(0, 300)}`);
    return ok(parsed.data);
  }

  /** The `data` of a successful reply; an error reply or a non-2xx status as a failure. */
  private async envelope(path: string, params: Record<string, string>): Promise<Result<unknown>> {
    const reply = await getJson(this.options.url, path, params, this.options, 'Prometheus');
    if (!reply.ok) return reply;
    const { status, json } = reply.value;
    const envelope = Envelope.safeParse(json);
    if (status < 200 || status >= 300 || (envelope.success && envelope.data.status === 'error'))
      return { ok: false, error: statusFailure(status, envelope.success ? (envelope.data.error ?? '') : '') };
    if (!envelope.success) return fail('bad-response', `${path}: not a Prometheus API reply`);
    return ok(envelope.data.data);
  }
}
