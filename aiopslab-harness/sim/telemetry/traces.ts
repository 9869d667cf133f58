/**
 * Traces synthesized from the call graph and the health model, never stored: each entry frontend starts one
 * sampled trace per second (slot), and a trace is a pure function of (namespace, entry, slot). Its ids
 * encode the slot, so /api/traces/{id} can rebuild it. A call fails as often as its edge does in the
 * health model; a failure marks the client span, its server span's ancestors and the root as failed, in the
 * instrumentation's own words (otel-tags.ts): Jaeger clients write `error=true` and a log with the message;
 * OpenTelemetry SDKs set the span status, which Jaeger shows as `otel.status_code=ERROR` and `error=true`
 * (as the collector's Jaeger translator does), next to `rpc.grpc.status_code` / `http.response.status_code`.
 * Trace ids are 64-bit (16 hex) from Jaeger clients, whose root span id is the trace id, and 128-bit (32 hex)
 * from OpenTelemetry.
 */
import type { AppSpec, ComponentSpec } from '../apps/types.js';
import type { HealthHistory, HealthSegment } from './history.js';
import { hashString, hex, mix, unit } from './noise.js';
import type { PodFacts } from './pods.js';
import { readyAt } from './pods.js';
import type { JaegerSpan, JaegerTag, JaegerTrace } from './jaeger-types.js';
import { callTags, failureTags, processTags, serverTags } from './otel-tags.js';
import {
  clientComponent,
  clientOperation,
  emitsSpans,
  routeOperation,
  serverOperation,
  tracedCallees,
  usesOpenTelemetry,
} from './span-names.js';

export type { JaegerSpan, JaegerTag, JaegerTrace } from './jaeger-types.js';

export const SLOT_MS = 1000;

export interface TraceSlot {
  namespace: string;
  entry: string;
  slot: number;
}

const entrySeed = (namespace: string, entry: string) => hashString(`${namespace}/${entry}`);

/** The trace id of a slot: 32 hex digits when `wide` (128-bit, OpenTelemetry), else 16 (Jaeger clients). */
export function traceIdOf({ namespace, entry, slot }: TraceSlot, wide = true): string {
  const seed = entrySeed(namespace, entry);
  const encoded = ((slot ^ seed) >>> 0).toString(16).padStart(8, '0');
  const high = `${seed.toString(16).padStart(8, '0')}${encoded}`;
  return wide ? `${high}${hex(mix(seed, slot), 16)}` : high;
}

/**
 * The slot a trace id stands for, given the (namespace, entry) pairs that exist. Ids are read as Jaeger reads
 * them (model.TraceIDFromString): up to 32 hex digits, leading zeros not significant, so a 64-bit id may
 * also be asked for padded to 32.
 */
export function decodeTraceId(
  raw: string,
  entries: { namespace: string; entry: string; wide: boolean }[],
): TraceSlot | undefined {
  if (!/^[0-9a-f]{1,32}$/.test(raw)) return undefined;
  const id = raw.padStart(32, '0');
  const narrow = id.startsWith('0000000000000000');
  const head = narrow ? id.slice(16) : id;
  for (const { namespace, entry, wide } of entries) {
    if (wide === narrow) continue;
    const seed = entrySeed(namespace, entry);
    if (parseInt(head.slice(0, 8), 16) !== seed) continue;
    const slot = (parseInt(head.slice(8, 16), 16) ^ seed) >>> 0;
    if (traceIdOf({ namespace, entry, slot }, wide) === head) return { namespace, entry, slot };
  }
  return undefined;
}

interface CallResult {
  durationUs: number;
  failed: boolean;
  error?: string;
}

class TraceBuilder {
  readonly spans: JaegerSpan[] = [];
  private readonly processes = new Map<string, { id: string; serviceName: string; tags: JaegerTag[] }>();
  private readonly otel: boolean;

  constructor(
    readonly traceID: string,
    private readonly seed: number,
    private readonly namespace: string,
    private readonly app: AppSpec,
    private readonly segment: HealthSegment,
    private readonly podOf: (component: string) => PodFacts | undefined,
  ) {
    this.otel = usesOpenTelemetry(app);
  }

  private rand(key: string): number {
    return unit(mix(this.seed, hashString(key)), 0);
  }

  /** Log-normal-ish jitter around 1. */
  private jitter(key: string): number {
    return Math.exp((this.rand(key) - 0.5) * 0.6);
  }

  private process(component: string): string {
    let p = this.processes.get(component);
    if (!p) {
      const pod = this.podOf(component);
      p = {
        id: `p${this.processes.size + 1}`,
        serviceName: component,
        tags: processTags(this.otel, this.namespace, component, pod?.name ?? component),
      };
      this.processes.set(component, p);
    }
    return p.id;
  }

  private span(component: string, op: string, parent: JaegerSpan | undefined, startUs: number, path: string) {
    const span: JaegerSpan = {
      traceID: this.traceID,
      // A Jaeger client's root span id is the trace id; OpenTelemetry's is random (here: the id's low half).
      spanID: parent ? hex(mix(this.seed, hashString(path)), 16) : this.traceID.slice(-16),
      flags: 1,
      operationName: op,
      references: parent ? [{ refType: 'CHILD_OF', traceID: this.traceID, spanID: parent.spanID }] : [],
      startTime: Math.round(startUs),
      duration: 0,
      tags: [],
      logs: [],
      processID: this.process(component),
      warnings: null,
    };
    this.spans.push(span);
    return span;
  }

  private finish(span: JaegerSpan, result: CallResult, tags: JaegerTag[]): void {
    span.duration = Math.max(1, Math.round(result.durationUs));
    const failure = result.failed
      ? failureTags(this.otel, span.startTime + span.duration, result.error ?? 'internal error')
      : undefined;
    span.tags = failure ? [...tags, ...failure.tags] : tags;
    if (failure) span.logs.push(failure.log);
  }

  server(spec: ComponentSpec, parent: JaegerSpan | undefined, startUs: number, path: string): CallResult {
    const health = this.segment.flows.components.get(spec.name)?.health;
    const all = tracedCallees(this.app, spec);
    const edges = all.map((c) => this.segment.flows.edges.get(`${spec.name}>${c.name}`)?.health);
    // What the health model puts down to the calls (a frontend averages its routes, a service compounds
    // its calls); the rest of the component's error rate and latency is its own.
    const frontend = spec.role === 'frontend';
    const average = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
    const rates = edges.map((e) => e?.errorRate ?? 0);
    const latencies = edges.map((e) => e?.latencyMs ?? 0);
    const explained = frontend ? average(rates) : 1 - rates.reduce((n, r) => n * (1 - r), 1);
    const childMs = frontend ? average(latencies) : latencies.reduce((a, b) => a + b, 0);
    const ownFailure = explained >= 1 ? 0 : Math.max(0, 1 - (1 - (health?.errorRate ?? 0)) / (1 - explained));
    const ownMs = Math.max(0.05, (health?.latencyMs ?? 1) - childMs) * this.jitter(`${path}#own`);
    // A call back into a component already on the path (a cycle in the graph) is not followed.
    const ancestors = new Set([...path.split('/'), spec.name]);
    let callees = all.filter((c) => !ancestors.has(c.name));
    let op = serverOperation(this.app, spec);
    if (frontend && callees.length > 0) {
      const chosen = callees[Math.floor(this.rand(`${path}#route`) * callees.length)]!;
      callees = [chosen];
      op = routeOperation(chosen.name);
    }
    const span = this.span(spec.name, op, parent, startUs, `${path}#server`);
    let cursor = startUs + 20 + this.rand(`${path}#start`) * 80;
    let childFailure: CallResult | undefined;
    for (const callee of callees) {
      const result = this.client(spec, callee, span, cursor, `${path}/${callee.name}`);
      cursor += result.durationUs + 10 + this.rand(`${path}/${callee.name}#gap`) * 40;
      if (result.failed) childFailure ??= result;
    }
    const failed = childFailure !== undefined || this.rand(`${path}#fail`) < ownFailure;
    const result: CallResult = { durationUs: cursor - startUs + ownMs * 1000, failed };
    const error = childFailure?.error ?? health?.error;
    if (failed && error) result.error = error;
    const tags = serverTags(this.otel, {
      component: spec.role === 'frontend' ? 'net/http' : clientComponent(this.app, spec),
      // The entry, and a frontend's routes, are HTTP; the rest gRPC or Thrift.
      http: !parent || op.startsWith('/'),
      op,
      failed,
    });
    this.finish(span, result, tags);
    return result;
  }

  private client(
    caller: ComponentSpec,
    callee: ComponentSpec,
    parent: JaegerSpan,
    startUs: number,
    path: string,
  ): CallResult {
    const edge = this.segment.flows.edges.get(`${caller.name}>${callee.name}`);
    const calleeHealth = this.segment.flows.components.get(callee.name)?.health;
    const span = this.span(caller.name, clientOperation(this.app, callee), parent, startUs, `${path}#client`);
    const edgeMs = edge?.health.latencyMs ?? 1;
    let result: CallResult;
    if (!edge || this.rand(`${path}#arrive`) >= edge.arrives) {
      const timeout = (edge?.health.lossRate ?? 0) > 0;
      result = {
        durationUs: (timeout ? Math.min(edgeMs, 3000) * 1000 : 300) * this.jitter(`${path}#dial`),
        failed: true,
      };
      result.error = edge?.health.error ?? 'connection refused';
    } else if (emitsSpans(callee)) {
      const delayUs = Math.max(0.05, edgeMs - (calleeHealth?.latencyMs ?? 0)) * 500;
      const inner = this.server(callee, span, startUs + delayUs, path);
      result = { durationUs: inner.durationUs + 2 * delayUs, failed: inner.failed };
      const error = edge.health.error ?? inner.error;
      if (inner.failed && error) result.error = error;
    } else {
      result = {
        durationUs: edgeMs * 1000 * this.jitter(`${path}#call`),
        failed: this.rand(`${path}#fail`) < edge.health.errorRate,
      };
      if (result.failed) result.error = edge.health.error ?? 'internal error';
    }
    const tags = callTags(this.otel, {
      component: clientComponent(this.app, callee),
      callee: callee.name,
      namespace: this.namespace,
      op: clientOperation(this.app, callee),
      failed: result.failed,
      http: callee.role === 'frontend',
    });
    this.finish(span, result, tags);
    return result;
  }

  trace(): JaegerTrace {
    const processes: JaegerTrace['processes'] = {};
    for (const p of this.processes.values()) processes[p.id] = { serviceName: p.serviceName, tags: p.tags };
    return { traceID: this.traceID, spans: this.spans, processes, warnings: null };
  }
}

/** The trace of one slot, or undefined when the entry served no request then (not deployed, not ready). */
export function synthesizeTrace(
  history: HealthHistory,
  pods: (namespace: string) => PodFacts[],
  slot: TraceSlot,
): JaegerTrace | undefined {
  const app = history.app(slot.namespace);
  const entry = app?.components.find((c) => c.name === slot.entry);
  if (!app || !entry) return undefined;
  const traceID = traceIdOf(slot, usesOpenTelemetry(app));
  // The randomness comes from the 128-bit id whatever width is shown, so a trace is the same either way.
  const seed = hashString(traceIdOf(slot));
  const startMs = slot.slot * SLOT_MS + unit(seed, 1) * SLOT_MS;
  if (startMs > history.now) return undefined;
  const segment = history.at(slot.namespace, startMs);
  const flow = segment?.flows.components.get(entry.name);
  if (!segment || !flow || flow.inflow <= 0) return undefined;
  const podOf = (component: string): PodFacts | undefined => {
    const ready = pods(slot.namespace).filter((p) => p.component?.name === component && readyAt(p, startMs));
    return ready[mix(seed, hashString(component)) % Math.max(1, ready.length)];
  };
  if (!podOf(entry.name)) return undefined;
  const builder = new TraceBuilder(traceID, seed, slot.namespace, app, segment, podOf);
  builder.server(entry, undefined, startMs * 1000, 'root');
  return builder.trace();
}
