/**
 * Error ratios and p99 latency per workload (server families) and per caller → callee edge (client
 * families), from whichever request dialects hold series here. When two families measure the same workload
 * (an app instrumented with OpenTelemetry inside an Istio mesh), the earlier row of the table speaks for it.
 */
import type { Gap } from '../snapshot.js';
import type { RequestFamily } from '../metric-dialects.js';
import { REQUEST_FAMILIES, inScopeOf } from '../metric-dialects.js';
import type { MetricsSource } from '../metric-detect.js';
import type { WorkloadMap, WorkloadRef } from '../metric-workloads.js';
import { workloadKey } from '../metric-workloads.js';
import type { Finding } from './finding.js';
import { idLabels, okOr, pct, quantileOf, round, selector, sumByWorkload } from './metric-query.js';

const ERROR_RATIO = 0.05;
const SLOW_SECONDS = 1;
const WINDOW = '5m';

interface Measured {
  family: RequestFamily;
  ref: WorkloadRef;
  peer?: WorkloadRef;
  /** Requests per second, and the failed share of them. */
  rps: number;
  failed: number;
  p99?: number;
}

export interface RequestReading {
  findings: Finding[];
  gaps: Gap[];
  /** callee key → caller keys with traffic to it (for telling passed-on load from a service's own surge). */
  callers: Map<string, string[]>;
}

async function measure(
  metrics: MetricsSource,
  family: RequestFamily,
  namespace: string | undefined,
  map: WorkloadMap,
): Promise<{ measured: Measured[]; gaps: Gap[] }> {
  const peer = family.peer;
  const by = [...new Set([...idLabels(family.who), ...(peer ? idLabels(peer) : [])])];
  const sel = selector(family.who, namespace, family.only);
  const [counts, buckets] = await Promise.all([
    metrics.query(
      `sum by (${[...by, family.outcome.label].join(', ')}) (rate(${family.count}${sel}[${WINDOW}]))`,
    ),
    family.buckets
      ? metrics.query(
          `sum by (${[...by, 'le'].join(', ')}) (rate(${family.buckets.metric}${sel}[${WINDOW}]))`,
        )
      : Promise.resolve(undefined),
  ]);
  const gaps: Gap[] = [];
  for (const [what, r] of [
    [family.count, counts],
    [family.buckets?.metric ?? '', buckets],
  ] as const)
    if (r && !r.ok) gaps.push({ what: `metrics: ${what}`, ...r.error });
  const peerOf = (m: Record<string, string>): string => {
    const p = peer ? map.resolve(peer, m) : undefined;
    return p ? workloadKey(p) : '';
  };
  const peers = new Map<string, WorkloadRef>();
  const remember = (m: Record<string, string>) => {
    const p = peer ? map.resolve(peer, m) : undefined;
    if (p) peers.set(workloadKey(p), p);
    return p ? workloadKey(p) : '';
  };
  const out = new Map<string, Measured>();
  const entry = (ref: WorkloadRef, peerKey: string): Measured => {
    const key = `${workloadKey(ref)}>${peerKey}`;
    let m = out.get(key);
    if (!m) {
      const p = peers.get(peerKey);
      m = { family, ref, rps: 0, failed: 0, ...(p ? { peer: p } : {}) };
      out.set(key, m);
    }
    return m;
  };
  const failed = (m: Record<string, string>) => family.outcome.failed(m[family.outcome.label] ?? '');
  for (const s of sumByWorkload(
    okOr(counts),
    family.who,
    map,
    (m) => `${remember(m)}\u0000${failed(m) ? 1 : 0}`,
  ).values()) {
    const [peerKey, bad] = s.extra.split('\u0000');
    if (peer && !peerKey) continue;
    const m = entry(s.ref, peerKey ?? '');
    m.rps += s.value;
    if (bad === '1') m.failed += s.value;
  }
  const cumulative = new Map<string, Map<number, number>>();
  if (buckets?.ok)
    for (const s of sumByWorkload(
      buckets.value,
      family.who,
      map,
      (m) => `${peerOf(m)}\u0000${m['le'] ?? ''}`,
    ).values()) {
      const [peerKey, le] = s.extra.split('\u0000');
      const bound = le === '+Inf' ? Infinity : Number(le);
      if ((peer && !peerKey) || Number.isNaN(bound)) continue;
      const key = `${workloadKey(s.ref)}>${peerKey ?? ''}`;
      const b = cumulative.get(key) ?? new Map<number, number>();
      b.set(bound, (b.get(bound) ?? 0) + s.value);
      cumulative.set(key, b);
    }
  for (const [key, b] of cumulative) {
    const m = out.get(key);
    const q = quantileOf(0.99, b);
    if (m && q !== undefined) m.p99 = q * (family.buckets?.seconds ?? 1);
  }
  return { measured: [...out.values()].filter((m) => m.rps > 0), gaps };
}

function subjectOf(ref: WorkloadRef) {
  return { kind: ref.kind, name: ref.name, namespace: ref.namespace };
}

function findingsOf(m: Measured): Finding[] {
  const out: Finding[] = [];
  const name = m.ref.name;
  const ratio = m.failed / m.rps;
  const attributes = { dialect: m.family.dialect, metric: m.family.count };
  const peer = m.peer?.namespace === m.ref.namespace ? m.peer.name : undefined;
  if (m.family.side === 'client' && !peer) return out;
  if (ratio >= ERROR_RATIO)
    out.push({
      source: 'metrics',
      subject: subjectOf(m.ref),
      component: name,
      signal: peer ? 'PeerErrorRate' : 'ErrorRateHigh',
      severity: ratio >= 0.2 ? 'error' : 'warning',
      score: peer ? 35 : 45,
      summary: peer
        ? `${pct(ratio)} of ${name}'s calls to ${peer} fail (5m rate, ${m.family.dialect})`
        : `${name} answers ${pct(ratio)} of its requests with errors (5m rate, ${m.family.dialect})`,
      ...(peer ? { blames: [peer] } : {}),
      attributes: { ...attributes, errorRatio: round(ratio, 3), ...(peer ? { peer } : {}) },
    });
  if (m.p99 !== undefined && m.p99 >= SLOW_SECONDS) {
    const seconds = round(m.p99);
    out.push({
      source: 'metrics',
      subject: subjectOf(m.ref),
      component: name,
      signal: peer ? 'PeerLatency' : 'LatencyHigh',
      severity: m.p99 >= 5 ? 'error' : 'warning',
      score: peer ? 33 : 40,
      summary: peer
        ? `${name}'s calls to ${peer} have p99 latency ${seconds}s (5m, ${m.family.dialect})`
        : `${name} p99 latency is ${seconds}s (5m, ${m.family.dialect})`,
      ...(peer ? { blames: [peer] } : {}),
      attributes: { ...attributes, p99Seconds: seconds, ...(peer ? { peer } : {}) },
    });
  }
  return out;
}

/** Request findings from every request family with series in scope. */
export async function analyzeRequests(
  metrics: MetricsSource,
  namespace: string | undefined,
  inScope: ReadonlySet<string>,
  map: WorkloadMap,
): Promise<RequestReading> {
  const families = REQUEST_FAMILIES.filter((f) => inScopeOf(inScope, f));
  const results = await Promise.all(families.map((f) => measure(metrics, f, namespace, map)));
  const gaps = results.flatMap((r) => r.gaps);
  const spoken = new Set<string>();
  const findings: Finding[] = [];
  const callers = new Map<string, string[]>();
  for (const { measured } of results)
    for (const m of measured) {
      const key = `${m.family.side}:${workloadKey(m.ref)}>${m.peer ? workloadKey(m.peer) : ''}`;
      if (spoken.has(key)) continue;
      spoken.add(key);
      findings.push(...findingsOf(m));
      if (m.peer) {
        const callee = workloadKey(m.peer);
        callers.set(callee, [...(callers.get(callee) ?? []), workloadKey(m.ref)]);
      }
    }
  return { findings, gaps, callers };
}
