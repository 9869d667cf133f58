/**
 * Jaeger's query API (/api/services, /api/services/{s}/operations, /api/operations, /api/traces,
 * /api/traces/{id}) over synthesized traces, as Jaeger v2.20 serves it
 * (cmd/jaeger/internal/extension/jaegerquery/internal/http_handler.go and query_parser.go):
 * - the `{data, total, limit, offset, errors}` envelope; `total` is the list's length for services and
 *   operations but 0 for a trace search (tracesToResponse sets only data and errors);
 * - errors through Go's http.Error: status, `Content-Type: text/plain; charset=utf-8`, and the JSON envelope
 *   `{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":…,"msg":…}]}` plus a newline;
 * - the search reads `start`/`end` in µs and ignores `lookback` (a UI parameter): without `start` it covers
 *   the two days before `end` (defaultTraceQueryLookbackDuration); `limit` defaults to 100; `tags` must be a
 *   JSON object of strings; a bad `minDuration`/`maxDuration`/`limit`/`start`/`end` answers 400.
 * A search walks slots from `end` back to `start`, newest first, until `limit` traces match. /api/v3 is
 * in jaeger-api-v3.ts.
 */
import type { AppSpec } from '../apps/types.js';
import { entryComponents } from './flows.js';
import type { HealthHistory } from './history.js';
import type { PodFacts } from './pods.js';
import type { Reply } from './reply.js';
import { json, text } from './reply.js';
import { operationsOf, tracedComponents, usesOpenTelemetry } from './span-names.js';
import type { JaegerSpan, JaegerTrace } from './traces.js';
import { SLOT_MS, decodeTraceId, synthesizeTrace } from './traces.js';

const DEFAULT_LIMIT = 100;
/** Jaeger's default search window when `start` is absent: two days. */
const DEFAULT_SEARCH_MS = 2 * 86_400_000;
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
  /**
   * Which Jaeger is modelled: v2.20 (the latest release: v1 and v3 APIs) or main (v1's services list and
   * search removed in favour of /api/v3, jaegertracing/jaeger#9260; the routes are gone, so Go's mux 404s).
   */
  release?: JaegerRelease;
}

export type JaegerRelease = 'v2.20' | 'main';

const REMOVED_ON_MAIN = /^\/api\/(?:services|services\/[^/]+\/operations|operations|traces)$/;

export class JaegerError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const envelope = (data: unknown, total = Array.isArray(data) ? data.length : 0) =>
  json(200, { data, total, limit: 0, offset: 0, errors: null });

/** What Go's http.Error writes: the JSON text as text/plain, with a trailing newline. */
export function goHttpError(status: number, body: unknown): Reply {
  return text(status, `${JSON.stringify(body)}\n`);
}

/** Milliseconds in a Go duration such as `1.5s`, `100ms` or `1h30m`. */
export function parseGoDuration(text: string): number | undefined {
  if (!/^(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g))
    total += Number(m[1]) * GO_UNITS[m[2]!]!;
  return total;
}

export function apps(ctx: JaegerContext): { namespace: string; app: AppSpec }[] {
  return [...ctx.history.world.apps.values()].map(({ namespace, app }) => ({ namespace, app }));
}

/** An app's components that report spans (reached by traces from its entry frontends). */
const reporting = (app: AppSpec) => tracedComponents(app, entryComponents(app));

/** Every (namespace, entry) a trace id may stand for, with its id width. */
export function traceEntries(ctx: JaegerContext): { namespace: string; entry: string; wide: boolean }[] {
  return apps(ctx).flatMap(({ namespace, app }) =>
    entryComponents(app).map((e) => ({ namespace, entry: e.name, wide: usesOpenTelemetry(app) })),
  );
}

export function services(ctx: JaegerContext): string[] {
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

/** Go's name of a JSON value's type, as encoding/json's UnmarshalTypeError gives it. */
function goJsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'number' ? 'number' : typeof value === 'string' ? 'string' : 'object';
}

/** `tag=key:value` (split on every ':', the rest rejoined) and `tags={json object of strings}`, as parseTags. */
export function tagFilter(params: URLSearchParams): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const t of params.getAll('tag')) {
    const parts = t.split(':');
    if (parts.length <= 1)
      throw new JaegerError(400, `malformed 'tag' parameter, expecting key:value, received: ${t}`);
    tags[parts[0]!] = parts.slice(1).join(':');
  }
  for (const raw of params.getAll('tags')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      throw new JaegerError(
        400,
        `malformed 'tags' parameter, cannot unmarshal JSON: ${(error as Error).message}`,
      );
    }
    if (parsed === null) continue; // Go decodes `null` into a map as no entries.
    if (typeof parsed !== 'object' || Array.isArray(parsed))
      throw new JaegerError(
        400,
        `malformed 'tags' parameter, cannot unmarshal JSON: json: cannot unmarshal ${goJsonKind(parsed)} into Go value of type map[string]string`,
      );
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      // A null value decodes to "" in Go; any other non-string fails the whole parameter.
      if (v !== null && typeof v !== 'string')
        throw new JaegerError(
          400,
          `malformed 'tags' parameter, cannot unmarshal JSON: json: cannot unmarshal ${goJsonKind(v)} into Go value of type string`,
        );
      tags[k] = typeof v === 'string' ? v : '';
    }
  }
  return tags;
}

function durationParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (!raw) return undefined;
  const ms = parseGoDuration(raw);
  if (ms === undefined)
    throw new JaegerError(400, `unable to parse param '${name}': time: invalid duration "${raw}"`);
  return ms * 1000;
}

/** Go's strconv.ParseInt(raw, 10, 64) error text for a non-integer. */
const parseIntError = (raw: string) => `strconv.ParseInt: parsing "${raw}": invalid syntax`;

/** `start`/`end`: integer microseconds (parseTime). */
function timeParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (!raw) return undefined;
  if (!/^[+-]?[0-9]+$/.test(raw))
    throw new JaegerError(400, `unable to parse param '${name}': ${parseIntError(raw)}`);
  return Number(raw);
}

/** `limit`: an integer; its parse error is returned bare (parseTraceQueryParams). */
function limitParam(params: URLSearchParams): number | undefined {
  const raw = params.get('limit');
  if (!raw) return undefined;
  if (!/^[+-]?[0-9]+$/.test(raw)) throw new JaegerError(400, parseIntError(raw));
  return Number(raw);
}

export function search(ctx: JaegerContext, params: URLSearchParams): JaegerTrace[] {
  const service = params.get('service');
  if (!service) throw new JaegerError(400, "parameter 'service' is required");
  const operation = params.get('operation') || undefined;
  const tags = tagFilter(params);
  const startParam = timeParam(params, 'start');
  const endParam = timeParam(params, 'end');
  const minUs = durationParam(params, 'minDuration');
  const maxUs = durationParam(params, 'maxDuration');
  if (minUs && maxUs && maxUs < minUs)
    throw new JaegerError(400, "'maxDuration' should be greater than 'minDuration'");
  // `lookback` is not read: Jaeger's search has no such parameter.
  const limit = Math.min(MAX_LIMIT, Math.max(1, limitParam(params) ?? DEFAULT_LIMIT));
  const endMs = Math.min(ctx.now, endParam === undefined ? ctx.now : endParam / 1000);
  const startMs = startParam !== undefined ? startParam / 1000 : ctx.now - DEFAULT_SEARCH_MS;
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
  // A search's `total` stays 0, as in tracesToResponse.
  if (path === '/api/traces') return envelope(search(ctx, params), 0);
  const byId = /^\/api\/traces\/([^/]+)$/.exec(path);
  if (byId) {
    const id = decodeURIComponent(byId[1]!).toLowerCase();
    if (!/^[0-9a-f]{1,32}$/.test(id))
      throw new JaegerError(
        400,
        `unable to parse param 'traceID': TraceID cannot be longer than 32 hex characters: ${id}`,
      );
    const slot = decodeTraceId(id, traceEntries(ctx));
    const trace = slot ? synthesizeTrace(ctx.history, ctx.pods, slot) : undefined;
    if (!trace) throw new JaegerError(404, 'trace not found');
    return envelope([trace]);
  }
  throw new JaegerError(404, `no such endpoint: ${path}`);
}

export function jaegerApi(ctx: JaegerContext, path: string, params: URLSearchParams): Reply {
  if (ctx.release === 'main' && REMOVED_ON_MAIN.test(path)) return text(404, '404 page not found\n');
  try {
    return execute(ctx, path, params);
  } catch (error) {
    if (!(error instanceof JaegerError)) throw error;
    return goHttpError(error.code, {
      data: null,
      total: 0,
      limit: 0,
      offset: 0,
      errors: [{ code: error.code, msg: error.message }],
    });
  }
}
