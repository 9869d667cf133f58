/**
 * Per-workload saturation against the workload's own recent past: CPU and memory per pod (cAdvisor) and
 * requests per second (the first request family with series for it) now versus a baseline window, plus
 * memory against its limit (kube-state-metrics). Pods are summed into their workload before comparing, and
 * counters are read through rate(), so a restart, a rollout or a counter reset is not a surge. The baseline
 * is used only when Prometheus holds all of its window (see planBaseline); otherwise there is no comparison.
 * A traffic rise a workload inherits from a caller that rose as much is load passed on, not its own problem.
 */
import type { Gap } from '../snapshot.js';
import type { MetricsSource } from '../metric-detect.js';
import type { Identity, ResourceFamily } from '../metric-dialects.js';
import { REQUEST_FAMILIES, RESOURCE_FAMILIES, inScopeOf } from '../metric-dialects.js';
import type { WorkloadMap, WorkloadRef } from '../metric-workloads.js';
import { workloadKey } from '../metric-workloads.js';
import type { Finding } from './finding.js';
import type { PerWorkload } from './metric-query.js';
import { idLabels, okOr, round, selector, sumByWorkload } from './metric-query.js';

const TRAFFIC_RATIO = 3;
const TRAFFIC_MIN_RPS = 0.5;
const CPU_RATIO = 2.5;
const CPU_MIN_CORES = 0.02;
const MEMORY_RATIO = 2;
const MEMORY_OF_LIMIT = 0.9;

/** A baseline window: `window` seconds ending `offset` seconds ago. */
export interface Baseline {
  offset: number;
  window: number;
  /** The window "now" is measured over. */
  now: number;
}

type Reading = Map<string, PerWorkload>;

const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)}Mi`;

function perWorkload(
  samples: Parameters<typeof sumByWorkload>[0],
  who: Identity | undefined,
  map: WorkloadMap,
): Reading {
  const out: Reading = new Map();
  if (!who) return out;
  for (const s of sumByWorkload(samples, who, map).values()) out.set(workloadKey(s.ref), s);
  return out;
}

const resource = (signal: ResourceFamily['signal'], inScope: ReadonlySet<string>) =>
  RESOURCE_FAMILIES.find((f) => f.signal === signal && inScopeOf(inScope, f));

export async function analyzeSaturation(
  metrics: MetricsSource,
  namespace: string | undefined,
  inScope: ReadonlySet<string>,
  map: WorkloadMap,
  baseline: Baseline,
  callersOf: ReadonlyMap<string, string[]>,
): Promise<{ findings: Finding[]; gaps: Gap[] }> {
  const gaps: Gap[] = [];
  const at = (window: number, offset: number) => `[${window}s]${offset ? ` offset ${offset}s` : ''}`;
  const cpu = resource('cpu', inScope);
  const memory = resource('memory', inScope);
  const limit = resource('memoryLimit', inScope);
  const podSum = (f: ResourceFamily, inner: string) => `sum by (${idLabels(f.who).join(', ')}) (${inner})`;
  const ask = async (what: string, q: string | undefined) => {
    if (q === undefined) return [];
    const r = await metrics.query(q);
    if (!r.ok) gaps.push({ what: `metrics: ${what}`, ...r.error });
    return okOr(r);
  };
  const cpuAt = (w: number, o: number) =>
    cpu && podSum(cpu, `rate(${cpu.metric}${selector(cpu.who, namespace, cpu.only)}${at(w, o)})`);
  const memoryAt = (w: number, o: number) =>
    memory &&
    podSum(
      memory,
      o
        ? `avg_over_time(${memory.metric}${selector(memory.who, namespace, memory.only)}${at(w, o)})`
        : `${memory.metric}${selector(memory.who, namespace, memory.only)}`,
    );
  const servers = REQUEST_FAMILIES.filter((f) => f.side === 'server' && inScopeOf(inScope, f));
  const trafficAt = (w: number, o: number) =>
    servers.map((f) =>
      ask(
        f.count,
        `sum by (${idLabels(f.who).join(', ')}) (rate(${f.count}${selector(f.who, namespace, f.only)}${at(w, o)}))`,
      ),
    );
  const [cpuNow, cpuBase, memNow, memBase, limits, trafficNow, trafficBase] = await Promise.all([
    ask('CPU', cpuAt(baseline.now, 0)),
    ask('CPU baseline', cpuAt(baseline.window, baseline.offset)),
    ask('memory', memoryAt(0, 0)),
    ask('memory baseline', memoryAt(baseline.window, baseline.offset)),
    ask(
      'memory limits',
      limit && podSum(limit, `${limit.metric}${selector(limit.who, namespace, limit.only)}`),
    ),
    Promise.all(trafficAt(baseline.now, 0)),
    Promise.all(trafficAt(baseline.window, baseline.offset)),
  ]);
  /** Per workload: the first family (in table order) with traffic for it. */
  const traffic = (answers: Awaited<ReturnType<typeof ask>>[]): Reading => {
    const out: Reading = new Map();
    answers.forEach((samples, i) => {
      for (const [k, v] of perWorkload(samples, servers[i]?.who, map))
        if (!out.has(k) && v.value > 0) out.set(k, v);
    });
    return out;
  };
  const perPod = (r: Reading): Reading =>
    new Map([...r].map(([k, v]) => [k, { ...v, value: v.value / Math.max(1, v.n) }]));
  const compare = (now: Reading, base: Reading) => {
    const out = new Map<string, { ref: WorkloadRef; value: number; base: number; ratio: number }>();
    for (const [k, v] of now) {
      const b = base.get(k);
      if (b && b.value > 0)
        out.set(k, { ref: v.ref, value: v.value, base: b.value, ratio: v.value / b.value });
    }
    return out;
  };
  const rps = compare(traffic(trafficNow), traffic(trafficBase));
  const cores = compare(
    perPod(perWorkload(cpuNow, cpu?.who, map)),
    perPod(perWorkload(cpuBase, cpu?.who, map)),
  );
  const bytes = compare(
    perPod(perWorkload(memNow, memory?.who, map)),
    perPod(perWorkload(memBase, memory?.who, map)),
  );
  const limitOf = perPod(perWorkload(limits, limit?.who, map));

  // Only a real surge is passed on; a short baseline window reads somewhat low for every workload alike.
  const inherited = (key: string): boolean => {
    const own = rps.get(key)?.ratio ?? 1;
    if (own < TRAFFIC_RATIO) return false;
    return (callersOf.get(key) ?? []).some(
      (c) => (rps.get(c)?.ratio ?? 1) >= Math.max(TRAFFIC_RATIO, own / 2),
    );
  };
  const findings: Finding[] = [];
  const base = (ref: WorkloadRef) => ({
    source: 'metrics' as const,
    subject: { kind: ref.kind, name: ref.name, namespace: ref.namespace },
    component: ref.name,
    score: 42,
  });
  for (const [key, t] of rps) {
    if (t.ratio < TRAFFIC_RATIO || t.value < TRAFFIC_MIN_RPS || inherited(key)) continue;
    findings.push({
      ...base(t.ref),
      signal: 'TrafficSpike',
      severity: t.ratio >= 5 ? 'error' : 'warning',
      summary: `${t.ref.name} serves ${round(t.value, 1)} req/s, ${round(t.ratio, 1)}× its baseline of ${round(t.base, 1)} req/s`,
      attributes: { rps: round(t.value, 3), baselineRps: round(t.base, 3), ratio: round(t.ratio) },
    });
  }
  for (const [key, c] of cores) {
    if (c.ratio < CPU_RATIO || c.value < CPU_MIN_CORES || inherited(key)) continue;
    findings.push({
      ...base(c.ref),
      signal: 'CpuHigh',
      severity: c.ratio >= 4 ? 'error' : 'warning',
      summary: `${c.ref.name} uses ${round(c.value, 3)} CPU cores per pod, ${round(c.ratio, 1)}× its baseline of ${round(c.base, 3)}`,
      attributes: { cores: round(c.value, 4), baselineCores: round(c.base, 4), ratio: round(c.ratio) },
    });
  }
  for (const [key, m] of bytes) {
    const cap = limitOf.get(key)?.value;
    const ofLimit = cap && cap > 0 ? m.value / cap : undefined;
    const nearLimit = ofLimit !== undefined && ofLimit >= MEMORY_OF_LIMIT && m.ratio >= 1.2;
    if (m.ratio < MEMORY_RATIO && !nearLimit) continue;
    findings.push({
      ...base(m.ref),
      signal: 'MemoryHigh',
      severity: nearLimit || m.ratio >= 3 ? 'error' : 'warning',
      summary: `${m.ref.name} working set is ${mib(m.value)} per pod, ${round(m.ratio, 1)}× its baseline of ${mib(m.base)}${ofLimit === undefined ? '' : `, ${Math.round(ofLimit * 100)}% of its limit`}`,
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
