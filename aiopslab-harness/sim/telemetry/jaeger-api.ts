/**
 * Jaeger's query API (/api/services, /api/services/{s}/operations, /api/operations, /api/traces,
 * /api/traces/{id}) over synthesized traces, with Jaeger's `{data, total, limit, offset, errors}` envelope.
 * A search walks slots from `end` back to `start`, newest first, until `limit` traces match.
 */
import type { AppSpec } from '../apps/types.js';
import { entryComponents } from './flows.js';
import type { HealthHistory } from './history.js';
import type { PodFacts } from './pods.js';
import type { Reply } from './reply.js';
import { json } from './reply.js';
import { operationsOf, tracedComponents } from './span-names.js';
import type { JaegerSpan, JaegerTrace } from './traces.js';
import { SLOT_MS, decodeTraceId, synthesizeTrace } from './traces.js';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1500;
/** Most traces one search synthesizes before it gives up looking further back. */
const MAX_SCANNED = 20_000;
const GO_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export interface JaegerContext {
  history: HealthHistory;
  pods: (namespace: string) => PodFacts[];
  now: number;
}

class JaegerError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const envelope = (data: unknown, total = Array.isArray(data) ? data.length : 0) =>
  json(200, { data, total, limit: 0, offset: 0, errors: null });

/** Milliseconds in a Go duration such as `1.5s`, `100ms` or `1h30m`. */
export function parseGoDuration(text: string): number | undefined {
  if (!/^(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g))
    total += Number(m[1]) * GO_UNITS[m[2]!]!;
  return total;
}

function lookbackMs(text: string): number | undefined {
  const m = /^([0-9]+)([mhdw])$/.exec(text);
  if (!m) return parseGoDuration(text);
  return (
    Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'm' | 'h' | 'd' | 'w']
  );
}

function apps(ctx: JaegerContext): { namespace: string; app: AppSpec }[] {
  return [...ctx.history.world.apps.values()].map(({ namespace, app }) => ({ namespace, app }));
}

/** An app's components that report spans (reached by traces from its entry frontends). */
const reporting = (app: AppSpec) => tracedComponents(app, entryComponents(app));

function services(ctx: JaegerContext): string[] {
  return [...new Set(apps(ctx).flatMap(({ app }) => reporting(app).map((c) => c.name)))].sort();
}

function operations(ctx: JaegerContext, service: string): { name: string; spanKind: string }[] {
  const ops = new Map<string, string>();
  for (const { app } of apps(ctx)) {
    const c = reporting(app).find((x) => x.name === service);
    if (c) for (const op of operationsOf(app, c)) ops.set(op.name, op.spanKind);
  }
  return [...ops]
    .map(([name, spanKind]) => ({ name, spanKind }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function tagFilter(params: URLSearchParams): Record<string, string> {
  const tags: Record<string, string> = {};
  const raw = params.get('tags');
  if (raw) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new JaegerError(400, `malformed 'tags' parameter: ${raw}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new JaegerError(400, `malformed 'tags' parameter: ${raw}`);
    for (const [k, v] of Object.entries(parsed)) tags[k] = String(v);
  }
  for (const t of params.getAll('tag')) {
    const colon = t.indexOf(':');
    if (colon <= 0) throw new JaegerError(400, `malformed 'tag' parameter, expected key:value: ${t}`);
    tags[t.slice(0, colon)] = t.slice(colon + 1);
  }
  return tags;
}

function durationParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (!raw) return undefined;
  const ms = parseGoDuration(raw);
  if (ms === undefined) throw new JaegerError(400, `cannot parse ${name}: time: invalid duration "${raw}"`);
  return ms * 1000;
}

function numberParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new JaegerError(400, `unable to parse param '${name}': ${raw}`);
  return n;
}

function search(ctx: JaegerContext, params: URLSearchParams): JaegerTrace[] {
  const service = params.get('service');
  if (!service) throw new JaegerError(400, "parameter 'service' is required");
  const operation = params.get('operation') || undefined;
  const tags = tagFilter(params);
  const minUs = durationParam(params, 'minDuration');
  const maxUs = durationParam(params, 'maxDuration');
  const limit = Math.min(MAX_LIMIT, Math.max(1, numberParam(params, 'limit') ?? DEFAULT_LIMIT));
  const endMs = Math.min(ctx.now, (numberParam(params, 'end') ?? ctx.now * 1000) / 1000);
  const lookback = params.get('lookback');
  const back = lookback && lookback !== 'custom' ? lookbackMs(lookback) : undefined;
  if (lookback && lookback !== 'custom' && back === undefined)
    throw new JaegerError(400, `unable to parse param 'lookback': ${lookback}`);
  const startParam = numberParam(params, 'start');
  const startMs = startParam !== undefined ? startParam / 1000 : endMs - (back ?? 3_600_000);
  const sources = apps(ctx).flatMap(({ namespace, app }) =>
    reporting(app).some((c) => c.name === service)
      ? entryComponents(app).map((e) => ({ namespace, entry: e.name }))
      : [],
  );
  const spanMatches = (trace: JaegerTrace, span: JaegerSpan): boolean => {
    if (trace.processes[span.processID]?.serviceName !== service) return false;
    if (operation !== undefined && span.operationName !== operation) return false;
    if (minUs !== undefined && span.duration < minUs) return false;
    if (maxUs !== undefined && span.duration > maxUs) return false;
    return Object.entries(tags).every(([k, v]) =>
      span.tags.some((t) => t.key === k && String(t.value) === v),
    );
  };
  const found: JaegerTrace[] = [];
  let scanned = 0;
  for (let slot = Math.floor(endMs / SLOT_MS); slot >= Math.floor(startMs / SLOT_MS); slot--) {
    for (const source of sources) {
      if (found.length >= limit || scanned >= MAX_SCANNED) return found;
      scanned++;
      const trace = synthesizeTrace(ctx.history, ctx.pods, { ...source, slot });
      if (!trace) continue;
      const startUs = trace.spans[0]!.startTime;
      if (startUs < startMs * 1000 || startUs > endMs * 1000) continue;
      if (trace.spans.some((s) => spanMatches(trace, s))) found.push(trace);
    }
  }
  return found;
}

function execute(ctx: JaegerContext, path: string, params: URLSearchParams): Reply {
  if (path === '/api/services') return envelope(services(ctx));
  const ops = /^\/api\/services\/([^/]+)\/operations$/.exec(path);
  if (ops) return envelope(operations(ctx, decodeURIComponent(ops[1]!)).map((o) => o.name));
  if (path === '/api/operations') {
    const service = params.get('service');
    if (!service) throw new JaegerError(400, "parameter 'service' is required");
    const kind = params.get('spanKind');
    return envelope(operations(ctx, service).filter((o) => !kind || o.spanKind === kind));
  }
  if (path === '/api/traces') return envelope(search(ctx, params));
  const byId = /^\/api\/traces\/([^/]+)$/.exec(path);
  if (byId) {
    const id = decodeURIComponent(byId[1]!).toLowerCase().padStart(32, '0');
    const entries = apps(ctx).flatMap(({ namespace, app }) =>
      entryComponents(app).map((e) => ({ namespace, entry: e.name })),
    );
    const slot = decodeTraceId(id, entries);
    const trace = slot ? synthesizeTrace(ctx.history, ctx.pods, slot) : undefined;
    if (!trace) throw new JaegerError(404, 'trace not found');
    return envelope([trace]);
  }
  throw new JaegerError(404, `no such endpoint: ${path}`);
}

export function jaegerApi(ctx: JaegerContext, path: string, params: URLSearchParams): Reply {
  try {
    return execute(ctx, path, params);
  } catch (error) {
    if (!(error instanceof JaegerError)) throw error;
    return json(error.code, {
      data: null,
      total: 0,
      limit: 0,
      offset: 0,
      errors: [{ code: error.code, msg: error.message }],
    });
  }
}
