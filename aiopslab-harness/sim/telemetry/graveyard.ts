/**
 * Pods that are gone, kept for telemetry: Prometheus keeps a deleted pod's series until retention, so a
 * window of time before a restart still shows the old pod's traffic. Bounded by age and by count.
 */
import { resourceByKind } from '../api/resources.js';
import type { SimClock } from '../clock.js';
import type { ObjectStore } from '../store.js';
import type { JsonObject } from '../api/json.js';

const PODS = resourceByKind('Pod');
/** Longer than any baseline the observer compares against (30 minutes plus its window). */
const RETENTION_MS = 60 * 60_000;
const MAX_PER_NAMESPACE = 500;

export interface Tombstone {
  pod: JsonObject;
  deletedAt: number;
}

export class PodGraveyard {
  private readonly byNamespace = new Map<string, Tombstone[]>();

  constructor(
    store: ObjectStore,
    private readonly clock: SimClock,
  ) {
    store.subscribe((event) => {
      if (event.type !== 'DELETED' || event.resource !== PODS) return;
      const meta = event.object['metadata'] as { namespace?: string } | undefined;
      const namespace = meta?.namespace ?? 'default';
      const list = this.byNamespace.get(namespace) ?? [];
      list.push({ pod: event.object, deletedAt: this.clock.now() });
      if (list.length > MAX_PER_NAMESPACE) list.splice(0, list.length - MAX_PER_NAMESPACE);
      this.byNamespace.set(namespace, list);
    });
  }

  /** Pods deleted within the retention, of one namespace or all, oldest first. */
  list(namespace?: string): Tombstone[] {
    const since = this.clock.now() - RETENTION_MS;
    const lists =
      namespace === undefined ? [...this.byNamespace.values()] : [this.byNamespace.get(namespace) ?? []];
    return lists.flatMap((list) => list.filter((t) => t.deletedAt >= since));
  }
}
