import type { SampleFn } from './samplers.js';
import type { Labels } from './types.js';

/** A metric family's type and help text, as its exposition's # TYPE and # HELP lines say. */
export interface MetricInfo {
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
}

/** One series: its labels and how its value follows from the cluster at a time. */
export interface SeriesDef {
  labels: Labels;
  fn: SampleFn;
}
