/**
 * Jaeger's /api/v3 trace replies (`{"result":{"resourceSpans":[…]}}`, OTLP JSON as the OpenTelemetry
 * collector's ptrace JSON marshaler writes it: hex ids, nanosecond times as strings, typed attribute
 * values, `kind` and `status.code` as enum numbers) turned into the Jaeger UI model the analyzer reads,
 * the way Jaeger's own OTLP→Jaeger translation does: `span.kind` and `otel.status_code` become tags, the
 * parent becomes a CHILD_OF reference, links become FOLLOWS_FROM, events become logs. Read leniently, as
 * jaeger-model.ts reads the v1 model.
 */
import { z } from 'zod';
import type { JaegerProcess, JaegerSpan, JaegerTag, JaegerTrace } from './jaeger-model.js';
import { sampleSpans } from './jaeger-model.js';

const AnyValue = z.object({
  stringValue: z.string().optional(),
  boolValue: z.boolean().optional(),
  intValue: z.union([z.string(), z.number()]).optional(),
  doubleValue: z.number().optional(),
});
const Attribute = z.object({ key: z.string().min(1), value: AnyValue.nullish() });
const List = z.array(z.unknown()).nullish();
const OtlpSpan = z.object({
  traceId: z.string().min(1),
  spanId: z.string().min(1),
  parentSpanId: z.string().nullish(),
  name: z.string().catch(''),
  kind: z.union([z.number(), z.string()]).nullish(),
  startTimeUnixNano: z.union([z.string(), z.number()]),
  endTimeUnixNano: z.union([z.string(), z.number()]),
  attributes: List,
  events: List,
  links: List,
  status: z
    .object({ code: z.union([z.number(), z.string()]).nullish(), message: z.string().nullish() })
    .nullish(),
});
const ResourceSpans = z.object({
  resource: z.object({ attributes: List }).nullish(),
  scopeSpans: z.array(z.object({ spans: List })).nullish(),
});
export const OtlpTracesReply = z.object({
  result: z.object({ resourceSpans: z.array(z.unknown()).nullish() }).nullish(),
});

// OTLP's SpanKind and StatusCode enums, by number and by name.
const KINDS: Record<string, string> = {
  '1': 'internal',
  '2': 'server',
  '3': 'client',
  '4': 'producer',
  '5': 'consumer',
  SPAN_KIND_INTERNAL: 'internal',
  SPAN_KIND_SERVER: 'server',
  SPAN_KIND_CLIENT: 'client',
  SPAN_KIND_PRODUCER: 'producer',
  SPAN_KIND_CONSUMER: 'consumer',
};
const ERROR_STATUS = new Set(['2', 'STATUS_CODE_ERROR']);

function tagsOf(raw: readonly unknown[] | null | undefined, skipped: { n: number }): JaegerTag[] {
  const out: JaegerTag[] = [];
  for (const item of raw ?? []) {
    const a = Attribute.safeParse(item);
    const v = a.success ? a.data.value : undefined;
    if (!a.success || !v) {
      skipped.n++;
      continue;
    }
    const key = a.data.key;
    if (v.stringValue !== undefined) out.push({ key, type: 'string', value: v.stringValue });
    else if (v.boolValue !== undefined) out.push({ key, type: 'bool', value: v.boolValue });
    else if (v.intValue !== undefined && Number.isFinite(Number(v.intValue)))
      out.push({ key, type: 'int64', value: Number(v.intValue) });
    else if (v.doubleValue !== undefined) out.push({ key, type: 'float64', value: v.doubleValue });
    else skipped.n++;
  }
  return out;
}

const micros = (nanos: string | number) => Math.floor(Number(nanos) / 1000);

/** The traces in a /api/v3 reply, grouped by trace id. */
export function tracesFromOtlp(reply: unknown): JaegerTrace[] {
  const parsed = OtlpTracesReply.safeParse(reply);
  if (!parsed.success) return [];
  const traces = new Map<
    string,
    { spans: JaegerSpan[]; processes: Record<string, JaegerProcess>; skipped: { n: number } }
  >();
  let processSeq = 0;
  for (const rawResource of parsed.data.result?.resourceSpans ?? []) {
    const resource = ResourceSpans.safeParse(rawResource);
    if (!resource.success) continue;
    const skippedHere = { n: 0 };
    const resourceTags = tagsOf(resource.data.resource?.attributes, skippedHere);
    const serviceName = String(
      resourceTags.find((t) => t.key === 'service.name')?.value ?? 'unknown_service',
    );
    const processID = `p${++processSeq}`;
    for (const scope of resource.data.scopeSpans ?? []) {
      for (const rawSpan of scope.spans ?? []) {
        const s = OtlpSpan.safeParse(rawSpan);
        if (!s.success) {
          skippedHere.n++;
          continue;
        }
        const span = s.data;
        const traceID = span.traceId.toLowerCase();
        let t = traces.get(traceID);
        if (!t) traces.set(traceID, (t = { spans: [], processes: {}, skipped: { n: 0 } }));
        t.processes[processID] = { serviceName, tags: resourceTags };
        const tags = tagsOf(span.attributes, t.skipped);
        const kind = KINDS[String(span.kind ?? '')];
        if (kind) tags.push({ key: 'span.kind', type: 'string', value: kind });
        if (ERROR_STATUS.has(String(span.status?.code ?? ''))) {
          tags.push({ key: 'otel.status_code', type: 'string', value: 'ERROR' });
          if (span.status?.message)
            tags.push({ key: 'otel.status_description', type: 'string', value: span.status.message });
        }
        const links = (span.links ?? []).flatMap((l) => {
          const link = z.object({ traceId: z.string(), spanId: z.string() }).safeParse(l);
          return link.success
            ? [
                {
                  refType: 'FOLLOWS_FROM',
                  traceID: link.data.traceId.toLowerCase(),
                  spanID: link.data.spanId.toLowerCase(),
                },
              ]
            : [];
        });
        const start = micros(span.startTimeUnixNano);
        t.spans.push({
          traceID,
          spanID: span.spanId.toLowerCase(),
          operationName: span.name,
          references: [
            ...(span.parentSpanId
              ? [{ refType: 'CHILD_OF', traceID, spanID: span.parentSpanId.toLowerCase() }]
              : []),
            ...links,
          ],
          startTime: start,
          duration: Math.max(0, micros(span.endTimeUnixNano) - start),
          tags,
          logs: (span.events ?? []).flatMap((e) => {
            const ev = z
              .object({
                timeUnixNano: z.union([z.string(), z.number()]),
                name: z.string().catch(''),
                attributes: List,
              })
              .safeParse(e);
            if (!ev.success) return [];
            const fields = [
              { key: 'event', type: 'string', value: ev.data.name },
              ...tagsOf(ev.data.attributes, t.skipped),
            ];
            return [{ timestamp: micros(ev.data.timeUnixNano), fields }];
          }),
          processID,
        });
      }
    }
    // Whatever this resource lost counts against every trace it contributed to.
    for (const t of traces.values()) if (Object.hasOwn(t.processes, processID)) t.skipped.n += skippedHere.n;
  }
  return [...traces].map(([traceID, t]) =>
    sampleSpans({
      traceID,
      spans: t.spans,
      processes: t.processes,
      ...(t.skipped.n > 0 ? { dropped: t.skipped.n } : {}),
    }),
  );
}
