/**
 * The series source behind the Prometheus API and the exposition endpoint: every pod's series, built on
 * demand for one request at one simulated `now` (see catalog.ts for what each series is made of).
 */
import type { SimWorld } from '../runtime.js';
import { podSeries } from './catalog.js';
import { HealthHistory } from './history.js';
import { podFacts } from './pods.js';
import { GridSeries } from './samplers.js';
import type { Matcher, Series, SeriesSource } from './types.js';
import { matchesAll } from './types.js';

export class ClusterSeriesSource implements SeriesSource {
  readonly history: HealthHistory;
  private readonly byNamespace = new Map<string, GridSeries[]>();

  constructor(
    private readonly world: SimWorld,
    readonly now: number,
  ) {
    this.history = new HealthHistory(world, now);
  }

  /** Series of one namespace (or one pod of it). */
  seriesIn(namespace: string, pod?: string): GridSeries[] {
    let list = this.byNamespace.get(namespace);
    if (!list) {
      // Deleted pods too: Prometheus keeps their series, which end when the pod went away.
      list = podFacts(this.world, namespace, true).flatMap((facts) => {
        const end = facts.deletedAt === undefined ? this.now : Math.min(this.now, facts.deletedAt - 1);
        return podSeries(facts, this.history).map((def) => new GridSeries(def.labels, def.fn, end));
      });
      this.byNamespace.set(namespace, list);
    }
    return pod === undefined ? list : list.filter((s) => s.labels['pod'] === pod);
  }

  namespaces(): string[] {
    return [...new Set(podFacts(this.world).map((p) => p.namespace))].sort();
  }

  select(matchers: readonly Matcher[]): Series[] {
    const nsMatcher = matchers.find((m) => m.name === 'namespace' && m.op === '=');
    const namespaces = nsMatcher ? [nsMatcher.value] : this.namespaces();
    return namespaces.flatMap((ns) => this.seriesIn(ns)).filter((s) => matchesAll(matchers, s.labels));
  }
}
