/**
 * Call edges and error origins from a bounded sample of Jaeger traces. The request count depends only on the
 * number of services queried (capped), never on pods: per service one recent sample and one error search.
 * Ratios come from the unfiltered sample only; error searches are biased and only add messages and origins.
 * The window is sent as start/end and enforced here too: spans that started outside it are dropped.
 */
import type { Result } from '../../core/errors.js';
import type { JaegerTrace } from '../jaeger-model.js';
import type { TraceQuery } from '../jaeger-reader.js';
import type { Gap } from '../snapshot.js';
import type { Finding } from './finding.js';
import { clip } from './finding.js';
import type { SpanInfo } from './trace-spans.js';
import { calleeOf, callsOf, errorMessage, spanTree } from './trace-spans.js';
import { chooseServices, componentMap, declaredNamespaces, pool, within } from './trace-scope.js';

/** What the observer needs of a Jaeger reader. */
export interface TraceSource {
  services(): Promise<Result<string[]>>;
  traces(q: TraceQuery): Promise<Result<JaegerTrace[]>>;
  /** The server's clock (ms), once it has answered; the window is measured on it. */
  serverNow?(): number | undefined;
}

export interface TraceOptions {
  /** The observed namespace: findings about its components are filed under it, and only those. */
  namespace?: string;
  /**
   * The observed namespace's workloads and Services. Jaeger has no namespaces: a Jaeger service is taken
   * for one of these only when the names match (exactly, or as `<release>-<name>`) and its process does not
   * say another namespace (`k8s.namespace.name`, `service.namespace`). Without the list (all namespaces),
   * every service is read and filed without a namespace.
   */
  components?: readonly string[];
  /** Components to query first (those the other evidence is about). */
  focus?: readonly string[];
  maxServices?: number;
  /** The window's length (default 5 minutes) and its end (default: the server's clock, else this one's). */
  windowMs?: number;
  now?: number;
  sampleLimit?: number;
  errorLimit?: number;
  concurrency?: number;
}

const ERROR_RATIO = 0.1;
const SEVERE_RATIO = 0.2;
const MIN_FAILURES = 2;
const SLOW_US = 1_000_000;
const SEVERE_SLOW_US = 5_000_000;

interface EdgeStats {
  calls: number;
  errors: number;
  durations: number[];
  messages: Map<string, number>;
}

/** Where a failing trace starts: inside a component (`own`), or in a call from one to another. */
type Origin = { kind: 'own'; component: string } | { kind: 'call'; caller: string; callee: string };

const originKey = (o: Origin) => (o.kind === 'own' ? o.component : `${o.caller}>${o.callee}`);

/** Deepest failing spans none of whose children failed: where each failure starts. */
function originsOf(spans: readonly SpanInfo[]): { origin: Origin; span: SpanInfo }[] {
  const out = new Map<string, { origin: Origin; span: SpanInfo }>();
  for (const s of spans) {
    if (!s.error || s.children.some((c) => c.error)) continue;
    const callee = calleeOf(s);
    const origin: Origin =
      callee !== undefined && callee !== s.service
        ? { kind: 'call', caller: s.service, callee }
        : { kind: 'own', component: s.service };
    if (!out.has(originKey(origin))) out.set(originKey(origin), { origin, span: s });
  }
  return [...out.values()];
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? 0;
}

const seconds = (us: number) => Math.round(us / 10_000) / 100;

function topMessage(messages: Map<string, number>): string | undefined {
  return [...messages].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

/** Edge errors, edge latency and error origins from a bounded sample of traces. */
export async function analyzeTraces(
  source: TraceSource,
  options: TraceOptions = {},
): Promise<{ findings: Finding[]; gaps: Gap[] }> {
  const gaps: Gap[] = [];
  const listed = await source.services();
  if (!listed.ok) return { findings: [], gaps: [{ what: 'traces: services', ...listed.error }] };
  const mapped = componentMap(listed.value, options.components);
  const ours = mapped ? listed.value.filter((s) => mapped.has(s)) : listed.value;
  if (mapped && ours.length === 0 && listed.value.length > 0)
    gaps.push({
      what: 'traces: services',
      code: 'no-match',
      message:
        `none of the ${listed.value.length} services Jaeger knows matches a workload or Service in ` +
        `namespace ${options.namespace ?? '?'}; traces not read`,
    });
  const focus = new Set(options.focus ?? []);
  const services = chooseServices(
    ours,
    ours.filter((s) => focus.has(mapped?.get(s) ?? s)),
    options.maxServices ?? 40,
  );
  // Jaeger's search ignores `lookback`; the window is sent as start/end on the server's clock.
  const endMs = options.now ?? source.serverNow?.() ?? Date.now();
  const endUs = endMs * 1000;
  const startUs = endUs - (options.windowMs ?? 5 * 60_000) * 1000;
  const queries: TraceQuery[] = services.flatMap((service) => [
    { service, startUs, endUs, limit: options.sampleLimit ?? 20 },
    { service, startUs, endUs, limit: options.errorLimit ?? 10, tags: { error: 'true' } },
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
  let outside = 0;
  let foreign = 0;
  const declared = new Set<string>();
  replies.forEach((r, i) => {
    if (!r.ok) return;
    for (const t of r.value) {
      const kept = within(t, startUs, endUs);
      if (!kept) {
        outside++;
        continue;
      }
      // A trace whose processes say they run elsewhere, and none here, is another namespace's.
      const namespaces =
        options.namespace === undefined ? new Map<string, string>() : declaredNamespaces(kept);
      const here = [...namespaces].filter(([, ns]) => ns === options.namespace).map(([svc]) => svc);
      if (namespaces.size > 0 && here.length === 0) {
        foreign++;
        continue;
      }
      for (const svc of here) declared.add(svc);
      all.set(t.traceID, kept);
      if (queries[i]!.tags === undefined) sampled.set(t.traceID, kept);
    }
  });
  const dropped = [...all.values()].reduce((n, t) => n + (t.dropped ?? 0), 0);
  if (dropped > 0)
    gaps.push({
      what: 'traces: spans',
      code: 'partial',
      message: `${dropped} span(s) or tag(s) of ${all.size} traces skipped (malformed, or sampled from traces over 1000 spans)`,
    });
  if (outside > 0 && all.size === 0)
    gaps.push({
      what: 'traces: window',
      code: 'stale',
      message: `Jaeger returned ${outside} trace(s), none with a span in the last ${Math.round((endUs - startUs) / 60e6)} min`,
    });
  if (foreign > 0 && all.size === 0)
    gaps.push({
      what: 'traces: namespace',
      code: 'no-match',
      message: `all ${foreign} trace(s) found run in other namespaces (k8s.namespace.name)`,
    });
  return { findings: findingsOf(sampled, all, placement(options.namespace, mapped, declared)), gaps };
}

/** Where a service's findings go: its component in the observed namespace, or nowhere (another's). */
type Place = (service: string) => { component: string; namespace?: string } | undefined;

function placement(
  namespace: string | undefined,
  mapped: Map<string, string> | undefined,
  declared: ReadonlySet<string>,
): Place {
  return (service) => {
    const component = mapped
      ? (mapped.get(service) ?? (declared.has(service) ? service : undefined))
      : service;
    if (component === undefined) return undefined;
    return { component, ...(namespace === undefined ? {} : { namespace }) };
  };
}

function findingsOf(
  sampled: ReadonlyMap<string, JaegerTrace>,
  all: ReadonlyMap<string, JaegerTrace>,
  place: Place,
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
    for (const { caller, callee, span: s } of callsOf(spans)) {
      const e = edge(`${caller}>${callee}`);
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
    for (const { origin, span } of origins) {
      const key = originKey(origin);
      const f = failing.get(key) ?? { origin, traces: [], messages: new Map<string, number>() };
      f.traces.push(id);
      const message = errorMessage(span.span);
      if (message) f.messages.set(message, (f.messages.get(message) ?? 0) + 1);
      failing.set(key, f);
      if (inSample) sampledOrigins.set(key, (sampledOrigins.get(key) ?? 0) + 1);
    }
  }
  const findings: Finding[] = [];
  const add = (service: string, finding: Omit<Finding, 'subject' | 'component'>) => {
    const at = place(service);
    if (!at) return;
    const blames = finding.blames?.map((b) => place(b)?.component ?? b);
    findings.push({
      ...finding,
      subject: { kind: 'Service', name: at.component, ...(at.namespace ? { namespace: at.namespace } : {}) },
      component: at.component,
      ...(blames ? { blames } : {}),
    });
  };
  for (const [key, e] of edges) {
    const [caller, callee] = key.split('>') as [string, string];
    const peer = place(callee)?.component ?? callee;
    const ratio = e.calls > 0 ? e.errors / e.calls : 0;
    if (e.errors >= MIN_FAILURES && ratio >= ERROR_RATIO) {
      const message = topMessage(e.messages);
      add(caller, {
        source: 'traces',
        signal: 'TraceEdgeErrors',
        severity: ratio >= SEVERE_RATIO ? 'error' : 'warning',
        score: 34,
        summary: `${e.errors} of ${e.calls} sampled calls from ${caller} to ${callee} failed${message ? `: ${clip(message, 200)}` : ''}`,
        blames: [callee],
        attributes: { peer, errorRatio: Math.round(ratio * 1000) / 1000, calls: e.calls },
      });
    }
    const slow = p99(e.durations);
    if (e.durations.length >= MIN_FAILURES && slow >= SLOW_US)
      add(caller, {
        source: 'traces',
        signal: 'TraceEdgeLatency',
        severity: slow >= SEVERE_SLOW_US ? 'error' : 'warning',
        score: 32,
        summary: `${caller}'s calls to ${callee} have p99 ${seconds(slow)}s over ${e.durations.length} sampled calls`,
        blames: [callee],
        attributes: { peer, p99Seconds: seconds(slow), calls: e.calls },
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
    add(origin.kind === 'own' ? origin.component : origin.caller, {
      source: 'traces',
      signal: origin.kind === 'own' ? 'TraceErrorOrigin' : 'TraceCallOrigin',
      severity: rate >= SEVERE_RATIO ? 'error' : 'warning',
      score: origin.kind === 'own' ? 40 : 36,
      summary: `${f.traces.length} of ${errorTraces} failing traces start at ${where}${message ? ` (${clip(message, 200)})` : ''}`,
      excerpt,
      ...(origin.kind === 'call' ? { blames: [origin.callee] } : {}),
      attributes: {
        failingTraces: f.traces.length,
        sampledRate: Math.round(rate * 1000) / 1000,
        ...(origin.kind === 'call' ? { peer: place(origin.callee)?.component ?? origin.callee } : {}),
      },
    });
  }
  return findings;
}
