/**
 * Which metric families a Prometheus holds, which of them have series in the observed namespace, and how
 * much history it keeps: read once per observation, so the analyzers query only what exists and every
 * signal nothing measures becomes a gap rather than silence.
 */
import type { Result } from '../core/errors.js';
import type { InstantSample, RangeSeries } from './prometheus-reader.js';
import type { Gap } from './snapshot.js';
import type { MetricSignal } from './metric-dialects.js';
import {
  REQUEST_FAMILIES,
  RESOURCE_FAMILIES,
  SIGNAL_NAMES,
  knownMetricNames,
  scopeKey,
  signalsOf,
} from './metric-dialects.js';

/** What the observer needs of a Prometheus API. */
export interface MetricsSource {
  /** An instant query at `atSeconds` (default: the server's now). */
  query(promql: string, atSeconds?: number): Promise<Result<InstantSample[]>>;
  queryRange(promql: string, start: number, end: number, step: number): Promise<Result<RangeSeries[]>>;
  labelValues(label: string): Promise<Result<string[]>>;
}

export interface Detected {
  /**
   * Known metric names with series in scope (the namespace, or anywhere), each also as scopeKey(name, label)
   * for the label that put it in scope: one name can be written with the namespace in different labels.
   */
  inScope: Set<string>;
  /** The server's now and its oldest sample in scope (Unix seconds); undefined when unknown. */
  now?: number;
  oldest?: number;
  gaps: Gap[];
}

/** Prometheus' own staleness lookback (--query.lookback-delta, 5m by default). */
const LOOKBACK = '5m';

export const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The namespace labels the table selects on, each with the known names using it. */
function byNamespaceLabel(names: readonly string[]): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  const add = (label: string, metric: string) => {
    if (!names.includes(metric)) return;
    out.set(label, (out.get(label) ?? new Set()).add(metric));
  };
  for (const f of REQUEST_FAMILIES) {
    add(f.who.namespace, f.count);
    if (f.buckets) add(f.who.namespace, f.buckets.metric);
  }
  for (const f of RESOURCE_FAMILIES) add(f.who.namespace, f.metric);
  return new Map([...out].map(([k, v]) => [k, [...v]]));
}

const gap = (what: string, code: string, message: string, namespace?: string): Gap => ({
  what: `metrics: ${what}`,
  code,
  message,
  ...(namespace === undefined ? {} : { namespace }),
});

export async function detectFamilies(
  metrics: MetricsSource,
  namespace: string | undefined,
  historyWanted: number,
): Promise<Detected> {
  const known = knownMetricNames();
  const [names, clock] = await Promise.all([metrics.labelValues('__name__'), metrics.query('time()')]);
  if (!names.ok)
    return { inScope: new Set(), gaps: [gap('metric names', names.error.code, names.error.message)] };
  const held = known.filter((n) => names.value.includes(n));
  if (held.length === 0)
    return {
      inScope: new Set(),
      gaps: [
        gap(
          'no known metric family',
          'not-found',
          `Prometheus answers, but holds none of the ${known.length} metric families the observer reads ` +
            `(kube-state-metrics, cAdvisor, OpenTelemetry HTTP/RPC, spanmetrics, Istio, Linkerd), e.g. ` +
            `${['container_cpu_usage_seconds_total', 'kube_pod_container_status_restarts_total', 'istio_requests_total', 'traces_span_metrics_calls_total'].join(', ')}`,
        ),
      ],
    };
  const gaps: Gap[] = [];
  const inScope = new Set<string>();
  const labels = [...byNamespaceLabel(held)];
  const selectors = labels.map(([label, list]) => {
    const matchers = [`__name__=~${quote(list.join('|'))}`];
    matchers.push(namespace === undefined ? `${label}!=""` : `${label}=${quote(namespace)}`);
    return `{${matchers.join(',')}}`;
  });
  // Over the lookback, not at one instant: one failed scrape (a busy exporter, a restarted kube-state-metrics)
  // marks a target's series stale, and an instant selector would then see no family at all here. The instant
  // count is read beside it, so a family that went stale is named as a gap instead of read as silence.
  // last_over_time keeps the name (checked against Prometheus 2.42).
  const [scoped, live] = await Promise.all([
    Promise.all(
      selectors.map((sel) => metrics.query(`count by (__name__) (last_over_time(${sel}[${LOOKBACK}]))`)),
    ),
    Promise.all(selectors.map((sel) => metrics.query(`count by (__name__) (${sel})`))),
  ]);
  /** A name in scope and the namespace label that put it there, for the history probe below. */
  let probe: { name: string; label: string } | undefined;
  const stale = new Set<string>();
  scoped.forEach((answer, i) => {
    const label = labels[i]![0];
    if (!answer.ok) gaps.push(gap('metric families in scope', answer.error.code, answer.error.message));
    else {
      const now = live[i];
      const fresh = new Set(now?.ok ? now.value.map((s) => s.metric['__name__']) : []);
      for (const s of answer.value) {
        const name = s.metric['__name__'];
        if (!name) continue;
        inScope.add(name).add(scopeKey(name, label));
        probe ??= { name, label };
        if (now?.ok && !fresh.has(name)) stale.add(name);
      }
    }
  });
  if (stale.size > 0)
    gaps.push(
      gap(
        'families gone stale here',
        'stale',
        `${[...stale].sort().join(', ')} had series in ${namespace === undefined ? 'any namespace' : `namespace ${namespace}`} ` +
          `within ${LOOKBACK} but none now: their target's last scrape failed or it went away, so what they measure may be missing`,
        namespace,
      ),
    );
  const measured = new Set<MetricSignal>();
  for (const f of [...REQUEST_FAMILIES, ...RESOURCE_FAMILIES])
    if (inScope.has('count' in f ? f.count : f.metric)) for (const s of signalsOf(f)) measured.add(s);
  const where = namespace === undefined ? 'any namespace' : `namespace ${namespace}`;
  // A family with no series here is a blind spot only when nothing else measures its signals here: a state
  // family (a waiting reason) has no series while all is well, and a second dialect may measure the same thing.
  const familyNames = (f: (typeof REQUEST_FAMILIES)[number] | (typeof RESOURCE_FAMILIES)[number]) =>
    'count' in f ? f.count : f.metric;
  const unmeasuredBy = new Set(
    [...REQUEST_FAMILIES, ...RESOURCE_FAMILIES]
      .filter((f) => signalsOf(f).some((signal) => !measured.has(signal)))
      .map(familyNames),
  );
  const empty = held.filter((n) => !inScope.has(n) && unmeasuredBy.has(n));
  if (empty.length > 0)
    gaps.push(
      gap(
        'families without series here',
        'not-found',
        `${empty.join(', ')} exist in Prometheus but have no series in ${where}`,
        namespace,
      ),
    );
  for (const signal of Object.keys(SIGNAL_NAMES) as MetricSignal[])
    if (!measured.has(signal)) {
      const looked = [...REQUEST_FAMILIES, ...RESOURCE_FAMILIES]
        .filter((f) => signalsOf(f).includes(signal))
        .map(familyNames);
      gaps.push(
        gap(
          `${SIGNAL_NAMES[signal]} not measured`,
          'not-found',
          `no series of ${[...new Set(looked)].join(', ')} in ${where}`,
          namespace,
        ),
      );
    }
  const now = clock.ok ? clock.value[0]?.value : undefined;
  if (now === undefined || probe === undefined) return { inScope, gaps };
  const selector = namespace === undefined ? `{${probe.label}!=""}` : `{${probe.label}=${quote(namespace)}}`;
  const step = Math.max(1, Math.round(historyWanted / 200));
  const range = await metrics.queryRange(`count(${probe.name}${selector})`, now - historyWanted, now, step);
  if (!range.ok) {
    gaps.push(gap('history', range.error.code, range.error.message, namespace));
    return { inScope, now, gaps };
  }
  const oldest = Math.min(...range.value.flatMap((s) => s.values.map(([t]) => t)));
  return { inScope, now, ...(Number.isFinite(oldest) ? { oldest } : {}), gaps };
}
