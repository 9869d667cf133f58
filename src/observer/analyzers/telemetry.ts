/**
 * Metrics as evidence: detects which metric families Prometheus holds (metric-detect.ts), maps their series
 * to the workloads the observer read (metric-workloads.ts), and reads request errors and latency
 * (requests.ts), saturation against a baseline (saturation.ts) and restarts and availability
 * (kube-state.ts) from whatever dialects are present. What no family measures is a gap, and so is a
 * baseline Prometheus has not held long enough.
 */
import type { Gap } from '../snapshot.js';
import type { Detected, MetricsSource } from '../metric-detect.js';
import { detectFamilies } from '../metric-detect.js';
import type { WorkloadObjects } from '../metric-workloads.js';
import { WorkloadMap } from '../metric-workloads.js';
import type { Finding } from './finding.js';
import { analyzeKubeState } from './kube-state.js';
import { analyzeRequests } from './requests.js';
import type { Baseline } from './saturation.js';
import { analyzeSaturation } from './saturation.js';

export type { MetricsSource } from '../metric-detect.js';

/**
 * Where the baseline may lie: the first offset (seconds ago) whose whole window Prometheus holds; else the
 * last offset with a shorter window, if Prometheus holds at least `minWindow` of it.
 */
export interface BaselineOptions {
  offsets: number[];
  window: number;
  minWindow: number;
  /** The window "now" is measured over. */
  now: number;
}

export const DEFAULT_BASELINE: BaselineOptions = {
  offsets: [1800, 300],
  window: 300,
  minWindow: 120,
  now: 120,
};

const minutes = (s: number) => (s >= 60 ? `${Math.round(s / 6) / 10} min` : `${Math.round(s)} s`);

/** The baseline window Prometheus holds in full, or a gap saying why there is none. */
export function planBaseline(d: Detected, o: BaselineOptions, namespace?: string): Baseline | Gap {
  const held = d.now !== undefined && d.oldest !== undefined ? d.now - d.oldest : undefined;
  if (held !== undefined) {
    for (const offset of o.offsets)
      if (held >= offset + o.window) return { offset, window: o.window, now: o.now };
    const last = o.offsets.at(-1) ?? 0;
    const shorter = Math.floor(held - last);
    if (shorter >= o.minWindow) return { offset: last, window: shorter, now: o.now };
  }
  const need = (o.offsets.at(-1) ?? 0) + o.minWindow;
  return {
    what: 'metrics: baseline unknown',
    code: 'no-history',
    message:
      `${held === undefined ? 'could not tell how much history Prometheus holds' : `Prometheus holds ${minutes(held)} of history here`}; ` +
      `a baseline needs ${minutes(need)}, so traffic, CPU and memory are not compared with their past (no spike is flagged)`,
    ...(namespace === undefined ? {} : { namespace }),
  };
}

export async function analyzeTelemetry(
  metrics: MetricsSource,
  namespace: string | undefined,
  objects: WorkloadObjects,
  baselineOptions: BaselineOptions = DEFAULT_BASELINE,
): Promise<{ findings: Finding[]; gaps: Gap[] }> {
  const history = Math.max(...baselineOptions.offsets) + baselineOptions.window;
  const detected = await detectFamilies(metrics, namespace, history);
  const gaps = [...detected.gaps];
  if (detected.inScope.size === 0) return { findings: [], gaps };
  const map = new WorkloadMap(objects);
  // Every query at the instant detection read: on a cluster whose clock runs fast (or a slow observation),
  // a baseline "5 minutes ago" must not slide into the fault while the queries are under way.
  const at = detected.now;
  const pinned: MetricsSource =
    at === undefined
      ? metrics
      : {
          query: (promql) => metrics.query(promql, at),
          queryRange: (promql, start, end, step) => metrics.queryRange(promql, start, end, step),
          labelValues: (label) => metrics.labelValues(label),
        };
  const baseline = planBaseline(detected, baselineOptions, namespace);
  const [requests, state] = await Promise.all([
    analyzeRequests(pinned, namespace, detected.inScope, map),
    analyzeKubeState(pinned, namespace, detected.inScope, map),
  ]);
  const findings = [...requests.findings, ...state.findings];
  gaps.push(...requests.gaps, ...state.gaps);
  if ('what' in baseline) gaps.push(baseline);
  else {
    const saturation = await analyzeSaturation(
      pinned,
      namespace,
      detected.inScope,
      map,
      baseline,
      requests.callers,
    );
    findings.push(...saturation.findings);
    gaps.push(...saturation.gaps);
  }
  return { findings, gaps };
}
