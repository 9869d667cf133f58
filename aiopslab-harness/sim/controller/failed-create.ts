/**
 * What a controller does when the API server refuses a pod it creates: a Warning `FailedCreate` event on the
 * owner, and another try later on the work queue's rate limiter.
 *
 * - Retries: client-go's DefaultControllerRateLimiter, per item 5 ms × 2^failures up to 1000 s
 *   (util/workqueue/default_rate_limiters.go); a success forgets the item.
 * - Events: client-go's EventCorrelator (tools/record/events_cache.go). Messages differ by pod name, so the
 *   aggregator groups them by object and reason: the first 9 distinct messages within 10 minutes are events of
 *   their own, from the 10th on one event whose message is `(combined from similar events): <latest>` and
 *   whose count grows; a group quiet for more than 10 minutes starts over.
 */
import type { JsonObject } from '../api/json.js';
import { text } from '../api/json.js';
import { resourceByKind } from '../api/resources.js';
import { metaOf } from '../store.js';
import type { ControllerContext } from './context.js';

const EVENTS = resourceByKind('Event');
const BASE_DELAY_MS = 5;
const MAX_DELAY_MS = 1_000_000;
const MAX_SIMILAR = 10;
const SIMILAR_WINDOW_MS = 600_000;

interface Similar {
  messages: Set<string>;
  last: number;
  combined?: string;
}

export class CreateFailures {
  private readonly failures = new Map<string, number>();
  private readonly similar = new Map<string, Similar>();
  /** Items waiting on the queue: a work queue holds each key once. */
  private readonly queued = new Set<string>();

  constructor(private readonly ctx: ControllerContext) {}

  /** Records the event and schedules `retry` after the item's back-off. */
  failed(owner: JsonObject, message: string, component: string, retry: () => void): void {
    this.recordEvent(owner, message, component);
    const uid = metaOf(owner).uid;
    const n = this.failures.get(uid) ?? 0;
    this.failures.set(uid, n + 1);
    if (this.queued.has(uid)) return;
    this.queued.add(uid);
    this.ctx.clock.after(Math.min(BASE_DELAY_MS * 2 ** n, MAX_DELAY_MS), () => {
      this.queued.delete(uid);
      retry();
    });
  }

  /** A sync that created what it needed: the rate limiter forgets the item. */
  succeeded(owner: JsonObject): void {
    this.failures.delete(metaOf(owner).uid);
  }

  private recordEvent(owner: JsonObject, message: string, component: string): void {
    const meta = metaOf(owner);
    const now = this.ctx.clock.now();
    let group = this.similar.get(meta.uid);
    if (!group || now - group.last > SIMILAR_WINDOW_MS) {
      group = { messages: new Set(), last: now, ...(group?.combined ? { combined: group.combined } : {}) };
      this.similar.set(meta.uid, group);
    }
    group.messages.add(message);
    group.last = now;
    if (group.messages.size < MAX_SIMILAR) {
      this.ctx.events.record(owner, 'Warning', 'FailedCreate', message, { component });
      return;
    }
    group.messages.delete(group.messages.values().next().value!);
    const combined = `(combined from similar events): ${message}`;
    const namespace = meta.namespace ?? 'default';
    const iso = this.ctx.clock.iso();
    if (group.combined && this.ctx.store.peek(EVENTS, namespace, group.combined)) {
      this.ctx.store.mutate(EVENTS, namespace, group.combined, (e) => {
        e['count'] = Number(e['count']) + 1;
        e['lastTimestamp'] = iso;
        e['message'] = combined;
      });
      return;
    }
    group.combined = `${meta.name}.${(now * 1_000_000).toString(16)}`;
    this.ctx.store.create(EVENTS, {
      metadata: { name: group.combined, namespace },
      involvedObject: {
        kind: text(owner['kind']),
        namespace,
        name: meta.name,
        uid: meta.uid,
        apiVersion: text(owner['apiVersion']),
        resourceVersion: meta.resourceVersion,
      },
      reason: 'FailedCreate',
      message: combined,
      source: { component },
      firstTimestamp: iso,
      lastTimestamp: iso,
      count: 1,
      type: 'Warning',
      eventTime: null,
      reportingComponent: component,
      reportingInstance: '',
    });
  }
}
