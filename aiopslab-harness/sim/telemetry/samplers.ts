/**
 * Turning rates into scraped samples without storing any: every series is sampled on a fixed scrape grid
 * (SCRAPE_MS) and a sample is a pure function of its time. A counter integrates a piecewise-constant rate
 * (constant between health changes and pod events), plus noise that keeps it monotonic: the value at grid
 * point k is I(k) + d(k) with 0 <= d(k) <= half the smaller of the increments around k.
 */
import { unit } from './noise.js';
import type { Sample, Series, Labels } from './types.js';

export const SCRAPE_MS = 15_000;

/**
 * Value of a series at a grid time, or undefined when it has no sample there. `exact`: the value at any
 * time, as a scrape of the exposition reads it: counters without their grid noise (so they grow between
 * any two reads), gauges with noise that changes every second.
 */
export type SampleFn = (t: number, exact?: boolean) => number | undefined;

/** A series sampled on the grid, remembering the samples it computed (one source lives for one request). */
export class GridSeries implements Series {
  private readonly memo = new Map<number, number | undefined>();

  constructor(
    readonly labels: Labels,
    private readonly fn: SampleFn,
    private readonly now: number,
  ) {}

  at(t: number): number | undefined {
    if (t > this.now) return undefined;
    if (this.memo.has(t)) return this.memo.get(t);
    const v = this.fn(t);
    this.memo.set(t, v);
    return v;
  }

  /** The value at any time up to now, as a scrape reads it (see SampleFn). */
  exactAt(t: number): number | undefined {
    return t > this.now ? undefined : this.fn(t, true);
  }

  samples(from: number, to: number): Sample[] {
    const out: Sample[] = [];
    const last = Math.min(to, this.now);
    for (let t = (Math.floor(from / SCRAPE_MS) + 1) * SCRAPE_MS; t <= last; t += SCRAPE_MS) {
      const v = this.at(t);
      if (v !== undefined) out.push({ t, v });
    }
    return out;
  }
}

export interface CounterSpec {
  /** The noise seed, or how to compute it (only grid reads need it; a scrape of the exposition does not). */
  seed: number | (() => number);
  /** No sample (and no rate) before this time. */
  start: number;
  /** Times where the rate may change (health changes, pod events). */
  breakpoints: number[];
  /** Per-second rate, constant from a breakpoint to the next. */
  rate: (t: number) => number;
  /** When the counting process started, for the sample at `t` (a restart resets the counter). */
  origin: (t: number) => number;
  /** Relative noise on increments (0..1). */
  noise?: number;
  /** Counts whole events (requests), rather than an amount (CPU seconds). */
  integer?: boolean;
}

/** A counter: the integral of its rate since its origin, with monotonic noise. */
export function counter(spec: CounterSpec): SampleFn {
  let starts: number[] | undefined;
  let rates: number[] = [];
  let cumulative: number[] = [];
  const build = (): number[] => {
    const points = [...new Set([spec.start, ...spec.breakpoints.filter((b) => b > spec.start)])].sort(
      (a, b) => a - b,
    );
    rates = points.map((p) => spec.rate(p));
    cumulative = [0];
    for (let i = 1; i < points.length; i++)
      cumulative.push(cumulative[i - 1]! + (rates[i - 1]! * (points[i]! - points[i - 1]!)) / 1000);
    return points;
  };
  /** Events counted from `start` to `t`. */
  const integral = (t: number): number => {
    starts ??= build();
    if (t <= spec.start) return 0;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return cumulative[lo]! + (rates[lo]! * (t - starts[lo]!)) / 1000;
  };
  const amplitude = spec.noise ?? 0.2;
  let seed: number | undefined;
  const seedOf = () => (seed ??= typeof spec.seed === 'number' ? spec.seed : spec.seed());
  return (t, exact) => {
    if (t < spec.start) return undefined;
    const here = integral(t);
    if (exact) {
      const counted = Math.max(0, here - integral(spec.origin(t)));
      return spec.integer ? Math.floor(counted) : counted;
    }
    const before = here - integral(t - SCRAPE_MS);
    const after = integral(t + SCRAPE_MS) - here;
    const jitter =
      amplitude * unit(seedOf(), Math.floor(t / SCRAPE_MS)) * Math.max(0, Math.min(before, after));
    const value = Math.max(0, here - integral(spec.origin(t)) + jitter);
    return spec.integer ? Math.floor(value) : value;
  };
}

/** A gauge: `value(t)` times (1 ± noise), rounded to a whole number, sampled where it exists. */
export function gauge(seed: number, value: (t: number) => number | undefined, noise: number): SampleFn {
  return (t, exact) => {
    const v = value(t);
    if (v === undefined) return v;
    const bucket = exact ? Math.floor(t / 1000) : Math.floor(t / SCRAPE_MS);
    return Math.round(v * (1 + noise * (2 * unit(seed, bucket) - 1)));
  };
}
