import type { SimClock } from './clock.js';
import type { SeededRandom } from './random.js';
import type { JsonObject } from './api/json.js';
import { cloneJson, sameJson, text } from './api/json.js';
import type { ResourceType } from './api/resources.js';
import { apiVersionOf } from './api/resources.js';
import { alreadyExists, conflict, notFound } from './api/status.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  resource: ResourceType;
  object: JsonObject;
  resourceVersion: number;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
}

const HISTORY_LIMIT = 5000;
const KINDS_WITH_GENERATION = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'Pod']);

export function metaOf(obj: JsonObject): ObjectMeta {
  return obj['metadata'] as unknown as ObjectMeta;
}

function keyOf(type: ResourceType): string {
  return `${type.group}/${type.plural}`;
}

/**
 * Every object of the simulated cluster, by resource, namespace and name. Objects leave the store only as
 * copies; every change bumps one cluster-wide resourceVersion and is offered to watchers.
 */
export class ObjectStore {
  private readonly objects = new Map<string, Map<string, Map<string, JsonObject>>>();
  private readonly ownerIndex = new Map<string, Set<JsonObject>>();
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private readonly history: StoreEvent[] = [];
  private rv = 1000;

  constructor(
    private readonly clock: SimClock,
    private readonly random: SeededRandom,
  ) {}

  resourceVersion(): string {
    return String(this.rv);
  }

  oldestWatchableVersion(): number {
    return this.history[0]?.resourceVersion ?? this.rv;
  }

  eventsSince(resourceVersion: number): StoreEvent[] {
    return this.history.filter((e) => e.resourceVersion > resourceVersion);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The stored object itself: callers must not mutate it (use `mutate`). */
  peek(type: ResourceType, namespace: string | undefined, name: string): JsonObject | undefined {
    return this.bucket(type, namespace, false)?.get(name);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): JsonObject | undefined {
    const found = this.peek(type, namespace, name);
    return found ? cloneJson(found) : undefined;
  }

  /** Stored objects (not copies) of one namespace, or of all when `namespace` is undefined. */
  peekAll(type: ResourceType, namespace?: string): JsonObject[] {
    const byNamespace = this.objects.get(keyOf(type));
    if (!byNamespace) return [];
    if (type.namespaced && namespace !== undefined) return [...(byNamespace.get(namespace)?.values() ?? [])];
    const out: JsonObject[] = [];
    for (const bucket of byNamespace.values()) out.push(...bucket.values());
    return out;
  }

  /** Objects whose controller owner has this uid. */
  peekOwnedBy(ownerUid: string): JsonObject[] {
    return [...(this.ownerIndex.get(ownerUid) ?? [])];
  }

  count(type: ResourceType): number {
    let n = 0;
    for (const bucket of this.objects.get(keyOf(type))?.values() ?? []) n += bucket.size;
    return n;
  }

  create(type: ResourceType, input: JsonObject, options: { dryRun?: boolean } = {}): JsonObject {
    const obj = cloneJson(input);
    obj['apiVersion'] = apiVersionOf(type);
    obj['kind'] = type.kind;
    const meta = (obj['metadata'] ??= {}) as JsonObject;
    if (!meta['name'] && typeof meta['generateName'] === 'string') {
      meta['name'] = `${meta['generateName']}${this.random.suffix()}`;
    }
    const name = text(meta['name']);
    const namespace = type.namespaced ? text(meta['namespace']) : undefined;
    if (this.peek(type, namespace, name)) throw alreadyExists(type, name);
    meta['uid'] = this.random.uuid();
    meta['creationTimestamp'] = this.clock.iso();
    if (KINDS_WITH_GENERATION.has(type.kind)) meta['generation'] = 1;
    if (!type.namespaced) delete meta['namespace'];
    if (options.dryRun) {
      meta['resourceVersion'] = this.resourceVersion();
      return obj;
    }
    meta['resourceVersion'] = String(++this.rv);
    this.bucket(type, namespace, true)!.set(name, obj);
    this.indexOwner(obj, true);
    this.emit('ADDED', type, obj);
    return cloneJson(obj);
  }

  /**
   * Replaces an object. `expectedVersion` gives optimistic concurrency (409 on mismatch). Returns the stored
   * copy, or the unchanged object when nothing changed (no new resourceVersion, as a real server does).
   */
  replace(
    type: ResourceType,
    next: JsonObject,
    options: { expectedVersion?: string; dryRun?: boolean } = {},
  ): JsonObject {
    const meta = next['metadata'] as JsonObject;
    const name = text(meta['name']);
    const namespace = type.namespaced ? text(meta['namespace']) : undefined;
    const current = this.peek(type, namespace, name);
    if (!current) throw notFound(type, name);
    const currentMeta = metaOf(current);
    if (options.expectedVersion && options.expectedVersion !== currentMeta.resourceVersion) {
      throw conflict(type, name);
    }
    const obj = cloneJson(next);
    obj['apiVersion'] = apiVersionOf(type);
    obj['kind'] = type.kind;
    const objMeta = obj['metadata'] as JsonObject;
    objMeta['uid'] = currentMeta.uid;
    objMeta['creationTimestamp'] = currentMeta.creationTimestamp;
    if (currentMeta.deletionTimestamp) objMeta['deletionTimestamp'] = currentMeta.deletionTimestamp;
    if (currentMeta.generation !== undefined) {
      const specChanged = !sameJson(obj['spec'], current['spec']);
      objMeta['generation'] = currentMeta.generation + (specChanged ? 1 : 0);
    }
    objMeta['resourceVersion'] = currentMeta.resourceVersion;
    if (sameJson(obj, current)) return cloneJson(current);
    if (options.dryRun) return obj;
    objMeta['resourceVersion'] = String(++this.rv);
    this.indexOwner(current, false);
    this.bucket(type, namespace, true)!.set(name, obj);
    this.indexOwner(obj, true);
    this.emit('MODIFIED', type, obj);
    return cloneJson(obj);
  }

  /** Read-modify-write for controllers; a no-op when `change` leaves the object as it was. */
  mutate(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    change: (obj: JsonObject) => void,
  ): JsonObject | undefined {
    const current = this.peek(type, namespace, name);
    if (!current) return undefined;
    const next = cloneJson(current);
    change(next);
    return this.replace(type, next);
  }

  remove(type: ResourceType, namespace: string | undefined, name: string): JsonObject {
    const bucket = this.bucket(type, namespace, false);
    const current = bucket?.get(name);
    if (!bucket || !current) throw notFound(type, name);
    bucket.delete(name);
    this.indexOwner(current, false);
    const gone = cloneJson(current);
    (gone['metadata'] as JsonObject)['resourceVersion'] = String(++this.rv);
    this.emit('DELETED', type, gone);
    return gone;
  }

  private bucket(
    type: ResourceType,
    namespace: string | undefined,
    create: boolean,
  ): Map<string, JsonObject> | undefined {
    const key = keyOf(type);
    let byNamespace = this.objects.get(key);
    if (!byNamespace) {
      if (!create) return undefined;
      byNamespace = new Map();
      this.objects.set(key, byNamespace);
    }
    const ns = type.namespaced ? (namespace ?? '') : '';
    let bucket = byNamespace.get(ns);
    if (!bucket && create) {
      bucket = new Map();
      byNamespace.set(ns, bucket);
    }
    return bucket;
  }

  private indexOwner(obj: JsonObject, add: boolean): void {
    for (const ref of metaOf(obj).ownerReferences ?? []) {
      if (!ref.controller) continue;
      let set = this.ownerIndex.get(ref.uid);
      if (!set) {
        if (!add) continue;
        set = new Set();
        this.ownerIndex.set(ref.uid, set);
      }
      if (add) set.add(obj);
      else {
        set.delete(obj);
        if (set.size === 0) this.ownerIndex.delete(ref.uid);
      }
    }
  }

  private emit(type: WatchEventType, resource: ResourceType, object: JsonObject): void {
    const event: StoreEvent = { type, resource, object, resourceVersion: this.rv };
    this.history.push(event);
    if (this.history.length > HISTORY_LIMIT * 2) this.history.splice(0, HISTORY_LIMIT);
    for (const listener of this.listeners) listener(event);
  }
}
