/**
 * The series source behind the Prometheus API and the exposition endpoint: every pod's series, built on
 * demand for one request at one simulated `now` (see catalog.ts for what each series is made of).
 */
import type { SimWorld } from '../runtime.js';
import { podSeries } from './catalog.js';
import type { SeriesDef } from './metric-types.js';
import { workloadSeries } from './kube-state.js';
import { defaultDialects } from './request-metrics.js';
import { HealthHistory } from './history.js';
import { podFacts } from './pods.js';
import { GridSeries } from './samplers.js';
import type { Matcher, Series, SeriesSource } from './types.js';
import { matcherMatches, matchesAll } from './types.js';

export class ClusterSeriesSource implements SeriesSource {
  readonly history: HealthHistory;
  private readonly byNamespace = new Map<string, GridSeries[]>();
  private readonly byName = new Map<string, Map<string, GridSeries[]>>();

  constructor(
    private readonly world: SimWorld,
    readonly now: number,
  ) {
    this.history = new HealthHistory(world, now);
  }

  /** Series of one namespace (or one pod of it; workload series, which have no pod, only without). */
  seriesIn(namespace: string, pod?: string): GridSeries[] {
    const known = this.byNamespace.get(namespace);
    if (known) return pod === undefined ? known : known.filter((s) => s.labels['pod'] === pod);
    // A scrape reads one pod: build only that pod's series (scrapes come every second, each at a new now).
    if (pod !== undefined) return this.build(namespace, (name) => name === pod, false);
    const list = this.build(namespace, () => true, true);
    this.byNamespace.set(namespace, list);
    return list;
  }

  /** kube-state-metrics' workload series of a namespace only (what its own pod serves). */
  workloadSeriesIn(namespace: string): GridSeries[] {
    return workloadSeries(this.world, namespace).map((def) => new GridSeries(def.labels, def.fn, this.now));
  }

  /** One pod's series as definitions, each with the time its samples end (a deleted pod's). */
  podDefs(namespace: string, pod: string): (SeriesDef & { end: number })[] {
    const dialects = this.world.metricDialects ?? defaultDialects(this.history.app(namespace));
    return podFacts(this.world, namespace, true, (name) => name === pod).flatMap((facts) => {
      const end = facts.deletedAt === undefined ? Infinity : facts.deletedAt - 1;
      return podSeries(facts, this.history, dialects).map((def) => ({ ...def, end }));
    });
  }

  private build(namespace: string, wanted: (pod: string) => boolean, workloads: boolean): GridSeries[] {
    const dialects = this.world.metricDialects ?? defaultDialects(this.history.app(namespace));
    // Deleted pods too: Prometheus keeps their series, which end when the pod went away.
    const list = podFacts(this.world, namespace, true, wanted).flatMap((facts) => {
      const end = facts.deletedAt === undefined ? this.now : Math.min(this.now, facts.deletedAt - 1);
      return podSeries(facts, this.history, dialects).map((def) => new GridSeries(def.labels, def.fn, end));
    });
    if (workloads)
      for (const def of workloadSeries(this.world, namespace))
        list.push(new GridSeries(def.labels, def.fn, this.now));
    return list;
  }

  namespaces(): string[] {
    return [...new Set(podFacts(this.world).map((p) => p.namespace))].sort();
  }

  /**
   * Series matching every matcher. Series are looked up by name first (a namespace holds tens of thousands
   * and an observation sends a few dozen queries, nearly all for one or a few names).
   */
  select(matchers: readonly Matcher[]): Series[] {
    const nsMatcher = matchers.find((m) => m.name === 'namespace' && m.op === '=');
    const namespaces = nsMatcher ? [nsMatcher.value] : this.namespaces();
    const byName = matchers.filter((m) => m.name === '__name__');
    const rest = matchers.filter((m) => m.name !== '__name__');
    const out: Series[] = [];
    for (const ns of namespaces)
      for (const [name, list] of this.namedIn(ns))
        if (byName.every((m) => matcherMatches(m, name)))
          for (const s of list) if (matchesAll(rest, s.labels)) out.push(s);
    return out;
  }

  private namedIn(namespace: string): Map<string, GridSeries[]> {
    let index = this.byName.get(namespace);
    if (index) return index;
    index = new Map();
    for (const s of this.seriesIn(namespace)) {
      const name = s.labels['__name__'] ?? '';
      const list = index.get(name);
      if (list) list.push(s);
      else index.set(name, [s]);
    }
    this.byName.set(namespace, index);
    return index;
  }
}
