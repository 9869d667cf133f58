/**
 * Per-service saturation against the service's own recent past: CPU, memory and request rate now versus a
 * baseline window (30 minutes ago, else 5 minutes ago for a young cluster), plus memory against its limit.
 * A traffic rise a service inherits from a caller that rose as much is load passed on, not its own problem.
 */
import type { Result } from '../../core/errors.js';
import type { InstantSample } from '../prometheus-reader.js';
import type { Gap } from '../snapshot.js';
import type { Finding } from './finding.js';

export interface InstantQuery {
  query(promql: string): Promise<Result<InstantSample[]>>;
}

/** Baseline windows, most trusted first: long enough ago to predate a fresh fault. */
const BASELINE_OFFSETS = ['30m', '5m'];
const NOW_WINDOW = '2m';
const BASE_WINDOW = '5m';
const TRAFFIC_RATIO = 3;
const TRAFFIC_MIN_RPS = 0.5;
const CPU_RATIO = 2.5;
const CPU_MIN_CORES = 0.02;
const MEMORY_RATIO = 2;
const MEMORY_OF_LIMIT = 0.9;

type ByService = Map<string, { namespace: string | undefined; service: string; value: number }>;

function keyed(samples: readonly InstantSample[]): ByService {
  const out: ByService = new Map();
  for (const s of samples) {
    const service = s.metric['service'];
    if (!service || !Number.isFinite(s.value)) continue;
    const namespace = s.metric['namespace'];
    out.set(`${namespace ?? ''}/${service}`, { namespace, service, value: s.value });
  }
  return out;
}

function sel(namespace: string | undefined, extra = ''): string {
  const parts = [...(namespace === undefined ? [] : [`namespace="${namespace}"`]), ...(extra ? [extra] : [])];
  return `{${parts.join(',')}}`;
}

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;
const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)}Mi`;

/** The queries, by what they measure; `%o` stands for the baseline's ` offset X` and `%w` for its window. */
function queries(ns: string | undefined): Record<string, string> {
  const cpu = (w: string, o: string) =>
    `avg by (namespace, service) (sum by (namespace, service, pod) (rate(container_cpu_usage_seconds_total${sel(ns)}[${w}]${o})))`;
  const memory = (o: string) =>
    `avg by (namespace, service) (sum by (namespace, service, pod) (container_memory_working_set_bytes${sel(ns)}${o}))`;
  const traffic = (w: string, o: string) =>
    `sum by (namespace, service) (rate(requests_total${sel(ns)}[${w}]${o}))`;
  const out: Record<string, string> = {
    cpu: cpu(NOW_WINDOW, ''),
    memory: memory(''),
    traffic: traffic(NOW_WINDOW, ''),
    memoryLimit: `avg by (namespace, service) (sum by (namespace, service, pod) (kube_pod_container_resource_limits${sel(ns, 'resource="memory"')}))`,
    edges: `sum by (namespace, service, peer) (rate(client_requests_total${sel(ns)}[${BASE_WINDOW}]))`,
  };
  for (const offset of BASELINE_OFFSETS) {
    out[`cpu@${offset}`] = cpu(BASE_WINDOW, ` offset ${offset}`);
    out[`memory@${offset}`] = memory(` offset ${offset}`);
    out[`traffic@${offset}`] = traffic(BASE_WINDOW, ` offset ${offset}`);
  }
  return out;
}

/** The oldest baseline each service has. */
function baseline(results: ReadonlyMap<string, ByService>, what: string): ByService {
  const out: ByService = new Map();
  for (const offset of [...BASELINE_OFFSETS].reverse())
    for (const [k, v] of results.get(`${what}@${offset}`) ?? []) if (v.value > 0) out.set(k, v);
  return out;
}

export async function analyzeSaturation(
  metrics: InstantQuery,
  namespace: string | undefined,
): Promise<{ findings: Finding[]; gaps: Gap[] }> {
  const gaps: Gap[] = [];
  const entries = Object.entries(queries(namespace));
  const answers = await Promise.all(
    entries.map(async ([name, q]) => [name, await metrics.query(q)] as const),
  );
  const results = new Map<string, ByService>();
  for (const [name, answer] of answers) {
    if (answer.ok) results.set(name, keyed(answer.value));
    else if (!name.includes('@')) gaps.push({ what: `metrics: ${name}`, ...answer.error });
  }
  const now = (what: string): ByService => results.get(what) ?? (new Map() as ByService);
  const ratios = (what: string) => {
    const base = baseline(results, what);
    const out = new Map<
      string,
      { namespace: string | undefined; service: string; value: number; ratio: number; base: number }
    >();
    for (const [k, v] of now(what)) {
      const b = base.get(k);
      if (b && b.value > 0) out.set(k, { ...v, ratio: v.value / b.value, base: b.value });
    }
    return out;
  };
  const traffic = ratios('traffic');
  const cpu = ratios('cpu');
  const memory = ratios('memory');
  const limits = now('memoryLimit');

  // callee → its callers, to tell a service's own surge from load its callers pass on.
  const callers = new Map<string, string[]>();
  const edges = answers.find(([n]) => n === 'edges')?.[1];
  for (const s of edges?.ok ? edges.value : []) {
    const { service, peer } = s.metric;
    if (!service || !peer || !(s.value > 0)) continue;
    const key = `${s.metric['namespace'] ?? ''}/${peer}`;
    callers.set(key, [...(callers.get(key) ?? []), `${s.metric['namespace'] ?? ''}/${service}`]);
  }
  // Only a real surge is passed on; a young baseline window reads somewhat low for every service alike.
  const inherited = (key: string): boolean => {
    const own = traffic.get(key)?.ratio ?? 1;
    if (own < TRAFFIC_RATIO) return false;
    return (callers.get(key) ?? []).some(
      (c) => (traffic.get(c)?.ratio ?? 1) >= Math.max(TRAFFIC_RATIO, own / 2),
    );
  };

  const findings: Finding[] = [];
  const subject = (ns: string | undefined, name: string) => ({
    kind: 'Service',
    name,
    ...(ns ? { namespace: ns } : {}),
  });
  for (const [key, t] of traffic) {
    if (t.ratio < TRAFFIC_RATIO || t.value < TRAFFIC_MIN_RPS || inherited(key)) continue;
    findings.push({
      source: 'metrics',
      subject: subject(t.namespace, t.service),
      component: t.service,
      signal: 'TrafficSpike',
      severity: t.ratio >= 5 ? 'error' : 'warning',
      score: 42,
      summary: `${t.service} serves ${round(t.value, 1)} req/s, ${round(t.ratio, 1)}× its baseline of ${round(t.base, 1)} req/s`,
      attributes: { rps: round(t.value, 3), baselineRps: round(t.base, 3), ratio: round(t.ratio) },
    });
  }
  for (const [key, c] of cpu) {
    if (c.ratio < CPU_RATIO || c.value < CPU_MIN_CORES || inherited(key)) continue;
    findings.push({
      source: 'metrics',
      subject: subject(c.namespace, c.service),
      component: c.service,
      signal: 'CpuHigh',
      severity: c.ratio >= 4 ? 'error' : 'warning',
      score: 42,
      summary: `${c.service} uses ${round(c.value, 3)} CPU cores per pod, ${round(c.ratio, 1)}× its baseline of ${round(c.base, 3)}`,
      attributes: { cores: round(c.value, 4), baselineCores: round(c.base, 4), ratio: round(c.ratio) },
    });
  }
  for (const [key, m] of memory) {
    const limit = limits.get(key)?.value;
    const ofLimit = limit && limit > 0 ? m.value / limit : undefined;
    const nearLimit = ofLimit !== undefined && ofLimit >= MEMORY_OF_LIMIT && m.ratio >= 1.2;
    if (m.ratio < MEMORY_RATIO && !nearLimit) continue;
    findings.push({
      source: 'metrics',
      subject: subject(m.namespace, m.service),
      component: m.service,
      signal: 'MemoryHigh',
      severity: nearLimit || m.ratio >= 3 ? 'error' : 'warning',
      score: 42,
      summary: `${m.service} working set is ${mib(m.value)} per pod, ${round(m.ratio, 1)}× its baseline of ${mib(m.base)}${ofLimit === undefined ? '' : `, ${Math.round(ofLimit * 100)}% of its limit`}`,
      attributes: {
        bytes: Math.round(m.value),
        baselineBytes: Math.round(m.base),
        ratio: round(m.ratio),
        ...(ofLimit === undefined ? {} : { ofLimit: round(ofLimit) }),
      },
    });
  }
  return { findings, gaps };
}
