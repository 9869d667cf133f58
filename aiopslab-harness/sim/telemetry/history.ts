/**
 * The health model over time, as telemetry reads it. Nothing is stored per tick: the control plane's
 * health timeline (`world.healthTimeline`) keeps one snapshot per change of the model, so a window of time
 * is a handful of segments with constant health, each turned into request flows once per request to the
 * API. Without a timeline, the model at `now` stands for every time.
 */
import type { AppSpec } from '../apps/types.js';
import { computeHealth } from '../health.js';
import type { AppHealth } from '../health.js';
import type { SimWorld } from '../runtime.js';
import { computeFlows } from './flows.js';
import type { Flows } from './flows.js';

export interface HealthSegment {
  /** Start of the segment (simulated ms); the first segment also stands for any time before it. */
  at: number;
  health: AppHealth;
  flows: Flows;
}

/**
 * Flows per health snapshot: the timeline keeps its snapshots, and every request (a scrape each second per
 * pod) would otherwise recompute the same flows for each of them.
 */
const flowsOf = new WeakMap<AppHealth, Flows>();

function flowsFor(app: AppSpec, health: AppHealth): Flows {
  let flows = flowsOf.get(health);
  if (!flows) flowsOf.set(health, (flows = computeFlows(app, health)));
  return flows;
}

export class HealthHistory {
  private readonly cache = new Map<string, HealthSegment[]>();

  constructor(
    readonly world: SimWorld,
    readonly now: number,
  ) {}

  app(namespace: string): AppSpec | undefined {
    return this.world.apps.get(namespace)?.app;
  }

  /** Segments of constant health for the app in `namespace`, oldest first (empty when none is deployed). */
  segments(namespace: string): HealthSegment[] {
    const known = this.cache.get(namespace);
    if (known) return known;
    const app = this.app(namespace);
    let list: HealthSegment[] = [];
    if (app) {
      const changes = (this.world.healthTimeline?.changes(namespace) ?? []).filter((c) => c.at <= this.now);
      if (changes.length === 0)
        changes.push({ at: this.now, health: computeHealth(this.world, namespace, this.now) });
      list = changes.map(({ at, health }) => ({ at, health, flows: flowsFor(app, health) }));
    }
    this.cache.set(namespace, list);
    return list;
  }

  /** The segment in force at `t`. */
  at(namespace: string, t: number): HealthSegment | undefined {
    const list = this.segments(namespace);
    let lo = 0;
    let hi = list.length - 1;
    if (hi < 0) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (list[mid]!.at <= t) lo = mid;
      else hi = mid - 1;
    }
    return list[lo];
  }

  /** Times at which the health of `namespace` changes (segment starts after the first). */
  breakpoints(namespace: string): number[] {
    return this.segments(namespace)
      .slice(1)
      .map((s) => s.at);
  }
}
