/**
 * Building blocks for the metric analyzers: selectors from the dialect table, per-workload sums of query
 * results, and the p-quantile of summed histogram buckets (as PromQL's histogram_quantile computes it, but
 * after grouping pods into their workloads, which PromQL cannot do without a label we would have to invent).
 */
import type { Result } from '../../core/errors.js';
import type { Identity } from '../metric-dialects.js';
import { quote } from '../metric-detect.js';
import type { InstantSample } from '../prometheus-reader.js';
import type { WorkloadMap, WorkloadRef } from '../metric-workloads.js';
import { workloadKey } from '../metric-workloads.js';

export function selector(who: Identity, namespace: string | undefined, only?: string): string {
  const parts = [
    ...(namespace === undefined ? [] : [`${who.namespace}=${quote(namespace)}`]),
    ...(only ? [only] : []),
  ];
  return `{${parts.join(',')}}`;
}

export const idLabels = (who: Identity) => [who.namespace, who.name, ...(who.or ? [who.or] : [])];

export interface PerWorkload {
  ref: WorkloadRef;
  value: number;
  /** How many series (pods, for pod identities) were summed. */
  n: number;
}

/** Sums samples per workload (and per `extra` key, e.g. a status code or `le`). */
export function sumByWorkload(
  samples: readonly InstantSample[],
  who: Identity,
  map: WorkloadMap,
  extra: (metric: Record<string, string>) => string = () => '',
): Map<string, PerWorkload & { extra: string }> {
  const out = new Map<string, PerWorkload & { extra: string }>();
  for (const s of samples) {
    if (!Number.isFinite(s.value)) continue;
    const ref = map.resolve(who, s.metric);
    if (!ref) continue;
    const e = extra(s.metric);
    const key = `${workloadKey(ref)}\u0000${e}`;
    const known = out.get(key);
    if (known) {
      known.value += s.value;
      known.n += 1;
    } else out.set(key, { ref, value: s.value, n: 1, extra: e });
  }
  return out;
}

export const okOr = (r: Result<InstantSample[]>): InstantSample[] => (r.ok ? r.value : []);

/** The q-quantile of cumulative bucket rates (`le` → rate), interpolated linearly within its bucket. */
export function quantileOf(q: number, buckets: ReadonlyMap<number, number>): number | undefined {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1);
  if (!total || total[0] !== Infinity || !(total[1] > 0)) return undefined;
  const rank = q * total[1];
  let lower = 0;
  let below = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      if (le === Infinity) return lower;
      if (count === below) return le;
      return lower + ((le - lower) * (rank - below)) / (count - below);
    }
    lower = le;
    below = count;
  }
  return undefined;
}

export const pct = (v: number) => `${Math.round(v * 1000) / 10}%`;
export const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;
