/**
 * The health model over time. Logs are rendered lazily, long after the lines' own times, so a caller's
 * line at 10:00:15 must reflect the health at 10:00:15, not at the moment someone reads it. The control
 * plane calls `flush` after every reconcile: namespaces whose state changed since get their health
 * recomputed, and a snapshot is kept when it differs from the last one. Cheap: nothing is computed for a
 * namespace nobody changed, and unchanged health adds nothing.
 */
import { computeHealth } from '../health.js';
import type { AppHealth } from '../health.js';
import type { SimWorld } from '../runtime.js';
import { metaOf } from '../store.js';
import { onInsideChange } from './changes.js';
import { DNS_NAMESPACE } from './dns-state.js';

/** Kinds whose changes never move the health model. */
const IRRELEVANT = new Set(['Event', 'ReplicaSet', 'ServiceAccount', 'Namespace']);
/** A namespace's health is recomputed at most this often on flushes (reads always get it current). */
const MIN_INTERVAL_MS = 1000;
/** Snapshots kept per namespace before the oldest half goes. */
const MAX_SNAPSHOTS = 4000;

// The world carries its timeline; declared from here so that runtime.ts need not import the health model.
declare module '../runtime.js' {
  interface SimWorld {
    /** The health model over time, kept by the control plane (faults/timeline.ts). */
    healthTimeline?: HealthTimeline;
  }
}

/** The timeline the control plane keeps for a world, if any. */
export function timelineOf(world: SimWorld): HealthTimeline | undefined {
  return world.healthTimeline;
}

interface Snapshot {
  at: number;
  health: AppHealth;
  signature: string;
}

export class HealthTimeline {
  private readonly snapshots = new Map<string, Snapshot[]>();
  private readonly dirty = new Set<string>();
  private readonly recordedAt = new Map<string, number>();

  constructor(private readonly world: SimWorld) {
    world.healthTimeline = this;
    onInsideChange(world, (namespace) => this.touch(namespace));
    world.store.subscribe((event) => {
      if (IRRELEVANT.has(event.resource.kind)) return;
      const namespace = metaOf(event.object).namespace;
      // Cluster-scoped objects, and kube-system's addons (cluster DNS), bear on every app.
      if (namespace !== undefined && namespace !== DNS_NAMESPACE) this.dirty.add(namespace);
      else for (const ns of world.apps.keys()) this.dirty.add(ns);
    });
  }

  /** Something the store does not show changed in a namespace (state inside a container, see changes.ts). */
  touch(namespace: string): void {
    this.dirty.add(namespace);
  }

  /**
   * Records the health of namespaces that changed since the last flush, at most once a simulated second
   * each (a busy namespace is recorded on a later flush, or when read), so bringing up many apps stays cheap.
   */
  flush(): void {
    if (this.dirty.size === 0) return;
    const now = this.world.clock.now();
    for (const namespace of [...this.dirty])
      if (now - (this.recordedAt.get(namespace) ?? -Infinity) >= MIN_INTERVAL_MS) this.record(namespace, now);
  }

  private record(namespace: string, now: number): void {
    this.dirty.delete(namespace);
    if (!this.world.apps.has(namespace)) return;
    this.recordedAt.set(namespace, now);
    const health = computeHealth(this.world, namespace, now);
    const signature = JSON.stringify({ ...health, at: 0 });
    const list = this.snapshots.get(namespace) ?? [];
    this.snapshots.set(namespace, list);
    if (list.at(-1)?.signature === signature) return;
    if (list.at(-1)?.at === now) list.pop();
    list.push({ at: now, health, signature });
    if (list.length > MAX_SNAPSHOTS) list.splice(0, MAX_SNAPSHOTS / 2);
  }

  private current(namespace: string): Snapshot[] {
    if (this.dirty.has(namespace)) this.record(namespace, this.world.clock.now());
    return this.snapshots.get(namespace) ?? [];
  }

  /** The health of a namespace as it was at simulated time `at` (before any record: the first one). */
  at(namespace: string, at: number): AppHealth | undefined {
    const list = this.current(namespace);
    if (list.length === 0) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (list[mid]!.at <= at) lo = mid;
      else hi = mid - 1;
    }
    return list[lo]!.health;
  }

  /** When the health of a namespace changed, oldest first (for telemetry over a window). */
  changes(namespace: string): { at: number; health: AppHealth }[] {
    return this.current(namespace).map(({ at, health }) => ({ at, health }));
  }
}
