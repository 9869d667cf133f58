/**
 * Call edges and error origins from a bounded sample of Jaeger traces. The request count depends only on the
 * number of services queried (capped), never on pods: per service one recent sample and one error search.
 * Ratios come from the unfiltered sample only; error searches are biased and only add messages and origins.
 */
import type { Result } from '../../core/errors.js';
import type { JaegerSpan, JaegerTrace, TraceQuery } from '../jaeger-reader.js';
import type { Gap } from '../snapshot.js';
import type { Finding } from './finding.js';
import { clip } from './finding.js';

/** What the observer needs of a Jaeger reader. */
export interface TraceSource {
  services(): Promise<Result<string[]>>;
  traces(q: TraceQuery): Promise<Result<JaegerTrace[]>>;
}

export interface TraceOptions {
  /** Jaeger has no namespaces; findings are put in this one (the observed namespace), if given. */
  namespace?: string;
  /** Components to query first (those the other evidence is about). */
  focus?: readonly string[];
  maxServices?: number;
  lookback?: string;
  sampleLimit?: number;
  errorLimit?: number;
  concurrency?: number;
}

const ERROR_RATIO = 0.1;
const SEVERE_RATIO = 0.2;
const MIN_FAILURES = 2;
const SLOW_US = 1_000_000;
const SEVERE_SLOW_US = 5_000_000;

interface SpanInfo {
  span: JaegerSpan;
  service: string;
  kind: string;
  peer?: string;
  error: boolean;
  children: SpanInfo[];
}

interface EdgeStats {
  calls: number;
  errors: number;
  durations: number[];
  messages: Map<string, number>;
}

/** Where a failing trace starts: inside a component (`own`), or in a call from one to another. */
type Origin = { kind: 'own'; component: string } | { kind: 'call'; caller: string; callee: string };

const originKey = (o: Origin) => (o.kind === 'own' ? o.component : `${o.caller}>${o.callee}`);

function tagValue(tags: JaegerSpan['tags'], key: string): string | undefined {
  const t = tags.find((x) => x.key === key);
  return t === undefined ? undefined : String(t.value);
}

function isError(span: JaegerSpan): boolean {
  const e = tagValue(span.tags, 'error');
  if (e === 'true') return true;
  const status = Number(tagValue(span.tags, 'http.status_code'));
  return Number.isFinite(status) && status >= 500;
}

function errorMessage(span: JaegerSpan): string | undefined {
  for (const log of span.logs ?? []) {
    const m = log.fields.find((f) => ['message', 'error.message', 'error.object', 'error'].includes(f.key));
    if (m && typeof m.value === 'string' && m.value) return m.value;
  }
  return tagValue(span.tags, 'error.message') ?? tagValue(span.tags, 'otel.status_description');
}

/** The spans of one trace as a tree, each with its service and kind. */
function spanTree(trace: JaegerTrace): SpanInfo[] {
  const infos = new Map<string, SpanInfo>();
  for (const span of trace.spans) {
    const peer = tagValue(span.tags, 'peer.service');
    infos.set(span.spanID, {
      span,
      service: trace.processes[span.processID]?.serviceName ?? '?',
      kind: tagValue(span.tags, 'span.kind') ?? '',
      ...(peer === undefined ? {} : { peer }),
      error: isError(span),
      children: [],
    });
  }
  for (const info of infos.values()) {
    const parent = info.span.references.find((r) => r.refType === 'CHILD_OF');
    if (parent) infos.get(parent.spanID)?.children.push(info);
  }
  return [...infos.values()];
}

/** The callee of a client span: the child server span's process, else the span's peer.service. */
function calleeOf(info: SpanInfo): string | undefined {
  const server = info.children.find((c) => c.kind === 'server' && c.service !== info.service);
  return server?.service ?? info.peer;
}

/** Deepest failing spans none of whose children failed: where each failure starts. */
function originsOf(spans: readonly SpanInfo[]): Origin[] {
  const out = new Map<string, Origin>();
  for (const s of spans) {
    if (!s.error || s.children.some((c) => c.error)) continue;
    const callee = s.kind === 'client' ? calleeOf(s) : undefined;
    const origin: Origin =
      callee !== undefined && callee !== s.service
        ? { kind: 'call', caller: s.service, callee }
        : { kind: 'own', component: s.service };
    out.set(originKey(origin), origin);
  }
  return [...out.values()];
}

async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? 0;
}

const seconds = (us: number) => Math.round(us / 10_000) / 100;

function topMessage(messages: Map<string, number>): string | undefined {
  return [...messages].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

/** Which services to query, focus first, capped. */
function chooseServices(all: readonly string[], focus: readonly string[], max: number): string[] {
  const known = new Set(all);
  const first = [...new Set(focus)].filter((s) => known.has(s));
  const rest = [...all].sort().filter((s) => !first.includes(s));
  return [...first, ...rest].slice(0, max);
}

/** Edge errors, edge latency and error origins from a bounded sample of traces. */
export async function analyzeTraces(
  source: TraceSource,
  options: TraceOptions = {},
): Promise<{ findings: Finding[]; gaps: Gap[] }> {
  const gaps: Gap[] = [];
  const listed = await source.services();
  if (!listed.ok) return { findings: [], gaps: [{ what: 'traces: services', ...listed.error }] };
  const services = chooseServices(listed.value, options.focus ?? [], options.maxServices ?? 40);
  const lookback = options.lookback ?? '5m';
  const queries: TraceQuery[] = services.flatMap((service) => [
    { service, lookback, limit: options.sampleLimit ?? 20 },
    { service, lookback, limit: options.errorLimit ?? 10, tags: { error: 'true' } },
  ]);
  const replies = await pool(queries, options.concurrency ?? 6, (q) => source.traces(q));
  const failed = replies.flatMap((r) => (r.ok ? [] : [r.error]));
  if (failed.length > 0)
    gaps.push({
      what: 'traces: search',
      code: failed[0]!.code,
      message: `${failed.length} of ${queries.length} trace searches failed: ${failed[0]!.message}`,
    });
  const sampled = new Map<string, JaegerTrace>();
  const all = new Map<string, JaegerTrace>();
  replies.forEach((r, i) => {
    if (!r.ok) return;
    for (const t of r.value) {
      all.set(t.traceID, t);
      if (queries[i]!.tags === undefined) sampled.set(t.traceID, t);
    }
  });
  return { findings: findingsOf(sampled, all, options.namespace), gaps };
}

function findingsOf(
  sampled: ReadonlyMap<string, JaegerTrace>,
  all: ReadonlyMap<string, JaegerTrace>,
  namespace: string | undefined,
): Finding[] {
  const edges = new Map<string, EdgeStats>();
  const edge = (key: string) => {
    let e = edges.get(key);
    if (!e) edges.set(key, (e = { calls: 0, errors: 0, durations: [], messages: new Map() }));
    return e;
  };
  /** Sampled traces through each component, and those failing from each origin. */
  const through = new Map<string, number>();
  const sampledOrigins = new Map<string, number>();
  const failing = new Map<string, { origin: Origin; traces: string[]; messages: Map<string, number> }>();
  let errorTraces = 0;
  for (const [id, trace] of all) {
    const spans = spanTree(trace);
    const inSample = sampled.has(id);
    for (const s of spans) {
      if (s.kind !== 'client') continue;
      const callee = calleeOf(s);
      if (callee === undefined || callee === s.service) continue;
      const e = edge(`${s.service}>${callee}`);
      const message = s.error ? errorMessage(s.span) : undefined;
      if (message) e.messages.set(message, (e.messages.get(message) ?? 0) + 1);
      if (!inSample) continue;
      e.calls++;
      if (s.error) e.errors++;
      e.durations.push(s.span.duration);
    }
    const origins = originsOf(spans);
    if (origins.length > 0) errorTraces++;
    if (inSample) {
      const touched = new Set(spans.flatMap((s) => [s.service, ...(s.peer ? [s.peer] : [])]));
      for (const c of touched) through.set(c, (through.get(c) ?? 0) + 1);
    }
    for (const origin of origins) {
      const key = originKey(origin);
      const f = failing.get(key) ?? { origin, traces: [], messages: new Map<string, number>() };
      f.traces.push(id);
      const span = spans.find((s) =>
        origin.kind === 'own'
          ? s.service === origin.component && s.error
          : s.service === origin.caller && calleeOf(s) === origin.callee && s.error,
      );
      const message = span && errorMessage(span.span);
      if (message) f.messages.set(message, (f.messages.get(message) ?? 0) + 1);
      failing.set(key, f);
      if (inSample) sampledOrigins.set(key, (sampledOrigins.get(key) ?? 0) + 1);
    }
  }
  const subject = (name: string) => ({ kind: 'Service', name, ...(namespace ? { namespace } : {}) });
  const findings: Finding[] = [];
  for (const [key, e] of edges) {
    const [caller, callee] = key.split('>') as [string, string];
    const ratio = e.calls > 0 ? e.errors / e.calls : 0;
    if (e.errors >= MIN_FAILURES && ratio >= ERROR_RATIO) {
      const message = topMessage(e.messages);
      findings.push({
        source: 'traces',
        subject: subject(caller),
        component: caller,
        signal: 'TraceEdgeErrors',
        severity: ratio >= SEVERE_RATIO ? 'error' : 'warning',
        score: 34,
        summary: `${e.errors} of ${e.calls} sampled calls from ${caller} to ${callee} failed${message ? `: ${clip(message, 200)}` : ''}`,
        blames: [callee],
        attributes: { peer: callee, errorRatio: Math.round(ratio * 1000) / 1000, calls: e.calls },
      });
    }
    const slow = p99(e.durations);
    if (e.durations.length >= MIN_FAILURES && slow >= SLOW_US)
      findings.push({
        source: 'traces',
        subject: subject(caller),
        component: caller,
        signal: 'TraceEdgeLatency',
        severity: slow >= SEVERE_SLOW_US ? 'error' : 'warning',
        score: 32,
        summary: `${caller}'s calls to ${callee} have p99 ${seconds(slow)}s over ${e.durations.length} sampled calls`,
        blames: [callee],
        attributes: { peer: callee, p99Seconds: seconds(slow), calls: e.calls },
      });
  }
  for (const [key, f] of failing) {
    const { origin } = f;
    const at = origin.kind === 'own' ? origin.component : origin.callee;
    const base = through.get(at) ?? 0;
    const rate = base > 0 ? (sampledOrigins.get(key) ?? 0) / base : 0;
    if ((sampledOrigins.get(key) ?? 0) < MIN_FAILURES || rate < ERROR_RATIO) continue;
    const message = topMessage(f.messages);
    const where = origin.kind === 'own' ? origin.component : `${origin.caller}'s calls to ${origin.callee}`;
    const excerpt = f.traces
      .slice(0, 3)
      .map((id) => `trace ${id}`)
      .join('\n');
    findings.push({
      source: 'traces',
      subject: subject(origin.kind === 'own' ? origin.component : origin.caller),
      component: origin.kind === 'own' ? origin.component : origin.caller,
      signal: origin.kind === 'own' ? 'TraceErrorOrigin' : 'TraceCallOrigin',
      severity: rate >= SEVERE_RATIO ? 'error' : 'warning',
      score: origin.kind === 'own' ? 40 : 36,
      summary: `${f.traces.length} of ${errorTraces} failing traces start at ${where}${message ? ` (${clip(message, 200)})` : ''}`,
      excerpt,
      ...(origin.kind === 'call' ? { blames: [origin.callee] } : {}),
      attributes: {
        failingTraces: f.traces.length,
        sampledRate: Math.round(rate * 1000) / 1000,
        ...(origin.kind === 'call' ? { peer: origin.callee } : {}),
      },
    });
  }
  return findings;
}
