import type { SimClock } from '../clock.js';
import type { SeededRandom } from '../random.js';
import type { JsonObject } from '../api/json.js';
import { text } from '../api/json.js';
import { resourceByKind } from '../api/resources.js';
import type { ObjectStore } from '../store.js';
import { metaOf } from '../store.js';

export interface EventSource {
  component: string;
  host?: string;
}

const EVENTS = resourceByKind('Event');
/** Events per namespace kept before the oldest go (a real cluster expires them after an hour). */
const MAX_EVENTS_PER_NAMESPACE = 5000;

/**
 * Records core/v1 Events the way the Kubernetes event recorder does: a repeat of the same object, reason,
 * message and source bumps `count` and `lastTimestamp` instead of adding a new Event.
 */
export class EventRecorder {
  private readonly keys = new Map<string, string>();
  private readonly order = new Map<string, string[]>();

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: SimClock,
    private readonly random: SeededRandom,
  ) {}

  record(
    involved: JsonObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    source: EventSource,
    fieldPath?: string,
  ): void {
    const meta = metaOf(involved);
    const namespace = meta.namespace ?? 'default';
    const key = [meta.uid, fieldPath ?? '', reason, message, source.component, source.host ?? ''].join(
      '\u0000',
    );
    const now = this.clock.iso();
    const existing = this.keys.get(key);
    if (existing && this.store.peek(EVENTS, namespace, existing)) {
      this.store.mutate(EVENTS, namespace, existing, (event) => {
        event['count'] = Number(event['count']) + 1;
        event['lastTimestamp'] = now;
      });
      return;
    }
    const name = `${meta.name}.${this.hexSuffix()}`;
    const involvedObject: JsonObject = {
      kind: text(involved['kind']),
      namespace,
      name: meta.name,
      uid: meta.uid,
      apiVersion: text(involved['apiVersion']),
      resourceVersion: meta.resourceVersion,
    };
    if (!meta.namespace) delete involvedObject['namespace'];
    if (fieldPath) involvedObject['fieldPath'] = fieldPath;
    const sourceJson: JsonObject = { component: source.component };
    if (source.host) sourceJson['host'] = source.host;
    this.store.create(EVENTS, {
      metadata: { name, namespace },
      involvedObject,
      reason,
      message,
      source: sourceJson,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    });
    this.keys.set(key, name);
    this.trim(namespace, name);
  }

  private trim(namespace: string, name: string): void {
    let names = this.order.get(namespace);
    if (!names) {
      names = [];
      this.order.set(namespace, names);
    }
    names.push(name);
    while (names.length > MAX_EVENTS_PER_NAMESPACE) {
      const oldest = names.shift()!;
      if (this.store.peek(EVENTS, namespace, oldest)) this.store.remove(EVENTS, namespace, oldest);
    }
  }

  private hexSuffix(): string {
    let out = '';
    for (let i = 0; i < 16; i++) out += this.random.int(16).toString(16);
    return out;
  }
}
