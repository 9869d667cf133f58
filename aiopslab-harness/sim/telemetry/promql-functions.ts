/**
 * PromQL's numeric functions as Prometheus computes them: counter rates with its extrapolation to the
 * window's edges, instant rates from the last two samples, `*_over_time`, and classic-histogram quantiles.
 */
import type { Labels, Sample } from './types.js';

export interface VectorSample {
  labels: Labels;
  v: number;
}

/** rate/increase/delta: Prometheus' extrapolatedRate. */
export function extrapolatedRate(
  points: Sample[],
  rangeStart: number,
  rangeEnd: number,
  isCounter: boolean,
  isRate: boolean,
): number | undefined {
  if (points.length < 2) return undefined;
  const first = points[0]!;
  const last = points[points.length - 1]!;
  let result = last.v - first.v;
  if (isCounter) {
    for (let i = 1; i < points.length; i++) if (points[i]!.v < points[i - 1]!.v) result += points[i - 1]!.v;
  }
  const sampled = (last.t - first.t) / 1000;
  const average = sampled / (points.length - 1);
  const threshold = average * 1.1;
  let toStart = (first.t - rangeStart) / 1000;
  let toEnd = (rangeEnd - last.t) / 1000;
  if (toStart >= threshold) toStart = average / 2;
  if (isCounter && result > 0 && first.v >= 0) {
    const toZero = sampled * (first.v / result);
    if (toZero < toStart) toStart = toZero;
  }
  if (toEnd >= threshold) toEnd = average / 2;
  let factor = (sampled + toStart + toEnd) / sampled;
  if (isRate) factor /= (rangeEnd - rangeStart) / 1000;
  return result * factor;
}

/** irate/idelta: from the last two samples. */
export function instantRate(points: Sample[], isRate: boolean): number | undefined {
  if (points.length < 2) return undefined;
  const last = points[points.length - 1]!;
  const previous = points[points.length - 2]!;
  const diff = isRate && last.v < previous.v ? last.v : last.v - previous.v;
  const seconds = (last.t - previous.t) / 1000;
  if (isRate) return seconds === 0 ? undefined : diff / seconds;
  return diff;
}

export function overTime(func: string, points: Sample[]): number | undefined {
  if (points.length === 0) return undefined;
  const values = points.map((p) => p.v);
  switch (func) {
    case 'sum_over_time':
      return values.reduce((a, b) => a + b, 0);
    case 'avg_over_time':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'max_over_time':
      return values.reduce((a, b) => (b > a || Number.isNaN(a) ? b : a));
    case 'min_over_time':
      return values.reduce((a, b) => (b < a || Number.isNaN(a) ? b : a));
    case 'count_over_time':
      return values.length;
    case 'last_over_time':
      return values[values.length - 1];
    default:
      return undefined;
  }
}

export const MATH: Record<string, (v: number) => number> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  exp: Math.exp,
  ln: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  sqrt: Math.sqrt,
};

interface Bucket {
  upper: number;
  count: number;
}

/** The φ-quantile from cumulative buckets (Prometheus' bucketQuantile). */
export function bucketQuantile(q: number, input: Bucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const buckets = [...input].sort((a, b) => a.upper - b.upper);
  if (buckets.length < 2 || buckets[buckets.length - 1]!.upper !== Infinity) return NaN;
  for (let i = 1; i < buckets.length; i++)
    if (buckets[i]!.count < buckets[i - 1]!.count)
      buckets[i] = { ...buckets[i]!, count: buckets[i - 1]!.count };
  const observations = buckets[buckets.length - 1]!.count;
  if (observations === 0 || Number.isNaN(observations)) return NaN;
  let rank = q * observations;
  const b = buckets.findIndex((x) => x.count >= rank);
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.upper;
  if (b === 0 && buckets[0]!.upper <= 0) return buckets[0]!.upper;
  let start = 0;
  const end = buckets[b]!.upper;
  let count = buckets[b]!.count;
  if (b > 0) {
    start = buckets[b - 1]!.upper;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return start + (end - start) * (rank / count);
}

/** histogram_quantile over `le`-labelled samples, one result per label set without `le`. */
export function histogramQuantile(q: number, samples: VectorSample[]): VectorSample[] {
  const groups = new Map<string, { labels: Labels; buckets: Bucket[] }>();
  for (const s of samples) {
    const le = s.labels['le'];
    if (le === undefined) continue;
    const upper = le === '+Inf' || le === 'Inf' ? Infinity : Number(le);
    if (Number.isNaN(upper)) continue;
    const labels = Object.fromEntries(
      Object.entries(s.labels).filter(([k]) => k !== 'le' && k !== '__name__'),
    );
    const key = JSON.stringify(Object.entries(labels).sort());
    const group = groups.get(key) ?? { labels, buckets: [] };
    group.buckets.push({ upper, count: s.v });
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, v: bucketQuantile(q, g.buckets) }));
}
