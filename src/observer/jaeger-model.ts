/**
 * Jaeger's trace JSON (the UI model that /api/traces serves: internal/uimodel in jaegertracing/jaeger), read
 * leniently: one odd tag (a null value, an object, a missing key) skips that tag, one malformed span skips
 * that span, one malformed trace skips that trace; only a reply that is not a list at all fails. What was
 * skipped is counted on the trace, so the analyzer can say so. Traces over MAX_SPANS spans are cut to a
 * sample that keeps every failing span with its ancestors and children.
 */
import { z } from 'zod';
import type { Result } from '../core/errors.js';
import { fail, ok } from '../core/errors.js';

export const JaegerTag = z.object({
  key: z.string().min(1),
  type: z.string().optional(),
  value: z.union([z.string(), z.number(), z.boolean()]),
});
export type JaegerTag = z.infer<typeof JaegerTag>;

export const JaegerReference = z.object({ refType: z.string(), traceID: z.string(), spanID: z.string() });
export type JaegerReference = z.infer<typeof JaegerReference>;

export const JaegerLog = z.object({ timestamp: z.number(), fields: z.array(JaegerTag) });

export const JaegerSpan = z.object({
  traceID: z.string(),
  spanID: z.string(),
  operationName: z.string(),
  references: z.array(JaegerReference),
  startTime: z.number().describe('Microseconds since the epoch'),
  duration: z.number().describe('Microseconds'),
  tags: z.array(JaegerTag),
  logs: z.array(JaegerLog).optional(),
  processID: z.string(),
});
export type JaegerSpan = z.infer<typeof JaegerSpan>;

export const JaegerProcess = z.object({ serviceName: z.string(), tags: z.array(JaegerTag).optional() });
export type JaegerProcess = z.infer<typeof JaegerProcess>;

export const JaegerTrace = z.object({
  traceID: z.string(),
  spans: z.array(JaegerSpan),
  processes: z.record(z.string(), JaegerProcess),
  /** Spans and tags skipped while reading (malformed) or sampled away (over MAX_SPANS). */
  dropped: z.number().optional(),
});
export type JaegerTrace = z.infer<typeof JaegerTrace>;

/** Most spans of one trace the analyzer looks at. */
export const MAX_SPANS = 1000;

const RawList = z.array(z.unknown()).nullish();
const RawSpan = z.object({
  traceID: z.string(),
  spanID: z.string(),
  operationName: z.string().catch(''),
  references: RawList,
  startTime: z.number(),
  duration: z.number(),
  tags: RawList,
  logs: RawList,
  processID: z.string().nullish(),
  process: z.object({ serviceName: z.string(), tags: RawList }).nullish(),
});
const RawTrace = z.object({
  traceID: z.string(),
  spans: z.array(z.unknown()),
  processes: z.record(z.string(), z.unknown()).nullish(),
});

class Counter {
  n = 0;
  keep<T>(items: readonly unknown[] | null | undefined, schema: z.ZodType<T>): T[] {
    const out: T[] = [];
    for (const item of items ?? []) {
      const parsed = schema.safeParse(item);
      if (parsed.success) out.push(parsed.data);
      else this.n++;
    }
    return out;
  }
}

function readSpan(
  raw: unknown,
  processes: Record<string, JaegerProcess>,
  count: Counter,
): JaegerSpan | undefined {
  const s = RawSpan.safeParse(raw);
  if (!s.success) {
    count.n++;
    return undefined;
  }
  const span = s.data;
  let processID = span.processID ?? '';
  // A span may carry its process inline instead of by id (Jaeger's raw, un-deduplicated form).
  if (span.process) {
    processID ||= `inline:${span.process.serviceName}`;
    processes[processID] ??= {
      serviceName: span.process.serviceName,
      tags: count.keep(span.process.tags, JaegerTag),
    };
  }
  const logs = (span.logs ?? []).flatMap((l) => {
    const log = z.object({ timestamp: z.number(), fields: RawList }).safeParse(l);
    if (!log.success) {
      count.n++;
      return [];
    }
    return [{ timestamp: log.data.timestamp, fields: count.keep(log.data.fields, JaegerTag) }];
  });
  return {
    traceID: span.traceID,
    spanID: span.spanID,
    operationName: span.operationName,
    references: count.keep(span.references, JaegerReference),
    startTime: span.startTime,
    duration: span.duration,
    tags: count.keep(span.tags, JaegerTag),
    logs,
    processID,
  };
}

function readTrace(raw: unknown): JaegerTrace | undefined {
  const t = RawTrace.safeParse(raw);
  if (!t.success) return undefined;
  const count = new Counter();
  const processes: Record<string, JaegerProcess> = {};
  for (const [id, p] of Object.entries(t.data.processes ?? {})) {
    const parsed = z.object({ serviceName: z.string(), tags: RawList }).safeParse(p);
    if (parsed.success)
      processes[id] = { serviceName: parsed.data.serviceName, tags: count.keep(parsed.data.tags, JaegerTag) };
    else count.n++;
  }
  const spans = t.data.spans.flatMap((s) => readSpan(s, processes, count) ?? []);
  return sampleSpans({
    traceID: t.data.traceID,
    spans,
    processes,
    ...(count.n > 0 ? { dropped: count.n } : {}),
  });
}

/** Jaeger's `data` of a trace search or fetch: traces kept as far as they can be read. */
export function readTraces(data: unknown, path: string): Result<JaegerTrace[]> {
  const list = RawList.safeParse(data);
  if (!list.success) return fail('bad-response', `${path}: data is not a list of traces`);
  const traces = (list.data ?? []).flatMap((t) => readTrace(t) ?? []);
  if (traces.length === 0 && (list.data ?? []).length > 0)
    return fail('bad-response', `${path}: none of ${(list.data ?? []).length} traces could be read`);
  return ok(traces);
}

const isFailing = (span: JaegerSpan) =>
  span.tags.some(
    (t) =>
      (t.key === 'error' && String(t.value) !== 'false') ||
      (t.key === 'otel.status_code' && String(t.value).toUpperCase() === 'ERROR'),
  );

const isCalling = (span: JaegerSpan) =>
  span.tags.some((t) => t.key === 'span.kind' && (t.value === 'client' || t.value === 'producer'));

/**
 * A trace cut to at most `max` spans: every failing span with its ancestors, and the callee's span under a
 * failing client or producer span (the error origins and the calls they sit on), then the earliest of the
 * rest. Counted in `dropped`.
 */
export function sampleSpans(trace: JaegerTrace, max = MAX_SPANS): JaegerTrace {
  if (trace.spans.length <= max) return trace;
  const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
  const parentOf = (s: JaegerSpan) => byId.get(s.references[0]?.spanID ?? '');
  const keep = new Set<string>();
  for (const s of trace.spans) {
    if (!isFailing(s)) continue;
    for (let at: JaegerSpan | undefined = s; at && !keep.has(at.spanID); at = parentOf(at))
      keep.add(at.spanID);
  }
  for (const s of trace.spans) {
    const parent = parentOf(s);
    if (parent && isFailing(parent) && isCalling(parent)) keep.add(s.spanID);
  }
  for (const s of [...trace.spans].sort((a, b) => a.startTime - b.startTime)) {
    if (keep.size >= max) break;
    keep.add(s.spanID);
  }
  const spans = trace.spans.filter((s) => keep.has(s.spanID));
  return { ...trace, spans, dropped: (trace.dropped ?? 0) + trace.spans.length - spans.length };
}
