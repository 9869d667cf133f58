/** PromQL values and the label-set helpers the evaluator and binary operators share. */
import { PromQLError } from './promql-lexer.js';
import type { VectorSample } from './promql-functions.js';
import type { Labels, Sample } from './types.js';

export type { VectorSample } from './promql-functions.js';

export interface MatrixSeries {
  labels: Labels;
  points: Sample[];
}

export type Value =
  | { type: 'scalar'; v: number }
  | { type: 'string'; s: string }
  | { type: 'vector'; samples: VectorSample[] }
  | { type: 'matrix'; series: MatrixSeries[] };

export function omit(labels: Labels, names: readonly string[]): Labels {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !names.includes(k)));
}

export function pick(labels: Labels, names: readonly string[]): Labels {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => names.includes(k)));
}

export function labelsKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
/** Fails like Prometheus when an operation leaves two samples with one label set. */
export function unique(samples: VectorSample[]): VectorSample[] {
  const seen = new Set<string>();
  for (const s of samples) {
    const key = labelsKey(s.labels);
    if (seen.has(key)) throw new PromQLError('vector cannot contain metrics with the same labelset');
    seen.add(key);
  }
  return samples;
}
