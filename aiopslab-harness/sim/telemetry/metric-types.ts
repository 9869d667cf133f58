import type { SampleFn } from './samplers.js';
import type { Labels } from './types.js';

/** A metric family's type and help text, as its exposition's # TYPE and # HELP lines say. */
export interface MetricInfo {
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  /**
   * The exporter stamps each sample with the time it read it (cAdvisor since v0.33, so the kubelet's
   * /metrics/cadvisor since Kubernetes 1.18: google/cadvisor#2123, prometheus-operator/kube-prometheus#695);
   * Prometheus keeps that time instead of its scrape's (honor_timestamps defaults to true).
   */
  timestamped?: true;
}

/** One series: its labels and how its value follows from the cluster at a time. */
export interface SeriesDef {
  labels: Labels;
  fn: SampleFn;
}
