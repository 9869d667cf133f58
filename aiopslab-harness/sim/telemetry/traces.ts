/**
 * Traces synthesized from the call graph and the health model, never stored: each entry frontend starts one
 * sampled trace per second (slot), and a trace is a pure function of (namespace, entry, slot). Its ids
 * encode the slot, so /api/traces/{id} can rebuild it. A call fails as often as its edge does in the
 * health model; a failure marks the client span, its server span's ancestors and the root with
 * `error=true` and a log carrying the edge's error message.
 */
import type { AppSpec, ComponentSpec } from '../apps/types.js';
import type { HealthHistory, HealthSegment } from './history.js';
import { hashString, hex, mix, unit } from './noise.js';
import type { PodFacts } from './pods.js';
import { readyAt } from './pods.js';
import {
  clientComponent,
  clientOperation,
  emitsSpans,
  routeOperation,
  serverOperation,
  tracedCallees,
} from './span-names.js';

export const SLOT_MS = 1000;

export interface JaegerTag {
  key: string;
  type: 'string' | 'bool' | 'int64' | 'float64';
  value: string | boolean | number;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  flags: number;
  operationName: string;
  references: { refType: 'CHILD_OF'; traceID: string; spanID: string }[];
  startTime: number;
  duration: number;
  tags: JaegerTag[];
  logs: { timestamp: number; fields: JaegerTag[] }[];
  processID: string;
  warnings: null;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
  warnings: null;
}

export interface TraceSlot {
  namespace: string;
  entry: string;
  slot: number;
}

const tag = (key: string, value: string | boolean | number): JaegerTag => ({
  key,
  type: typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? 'int64' : 'string',
  value,
});

const entrySeed = (namespace: string, entry: string) => hashString(`${namespace}/${entry}`);

export function traceIdOf({ namespace, entry, slot }: TraceSlot): string {
  const seed = entrySeed(namespace, entry);
  const encoded = ((slot ^ seed) >>> 0).toString(16).padStart(8, '0');
  return `${seed.toString(16).padStart(8, '0')}${encoded}${hex(mix(seed, slot), 16)}`;
}

/** The slot a trace id stands for, given the (namespace, entry) pairs that exist. */
export function decodeTraceId(
  id: string,
  entries: { namespace: string; entry: string }[],
): TraceSlot | undefined {
  if (!/^[0-9a-f]{32}$/.test(id)) return undefined;
  for (const { namespace, entry } of entries) {
    const seed = entrySeed(namespace, entry);
    if (parseInt(id.slice(0, 8), 16) !== seed) continue;
    const slot = (parseInt(id.slice(8, 16), 16) ^ seed) >>> 0;
    if (traceIdOf({ namespace, entry, slot }) === id) return { namespace, entry, slot };
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

  constructor(
    readonly traceID: string,
    private readonly seed: number,
    private readonly app: AppSpec,
    private readonly segment: HealthSegment,
    private readonly podOf: (component: string) => PodFacts | undefined,
  ) {}

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
        tags: [tag('hostname', pod?.name ?? component), tag('jaeger.version', 'Go-2.30.0')],
      };
      this.processes.set(component, p);
    }
    return p.id;
  }

  private span(component: string, op: string, parent: JaegerSpan | undefined, startUs: number, path: string) {
    const span: JaegerSpan = {
      traceID: this.traceID,
      spanID: parent ? hex(mix(this.seed, hashString(path)), 16) : this.traceID.slice(16),
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
    span.tags = result.failed ? [...tags, tag('error', true)] : tags;
    if (result.failed)
      span.logs.push({
        timestamp: span.startTime + span.duration,
        fields: [tag('event', 'error'), tag('message', result.error ?? 'internal error')],
      });
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
    const tags = [
      tag('span.kind', 'server'),
      tag('component', spec.role === 'frontend' ? 'net/http' : clientComponent(this.app, spec)),
    ];
    if (!parent)
      tags.push(tag('http.method', 'GET'), tag('http.url', op), tag('http.status_code', failed ? 500 : 200));
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
    const tags = [
      tag('span.kind', 'client'),
      tag('component', clientComponent(this.app, callee)),
      tag('peer.service', callee.name),
    ];
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
  const traceID = traceIdOf(slot);
  const seed = hashString(traceID);
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
  const builder = new TraceBuilder(traceID, seed, app, segment, podOf);
  builder.server(entry, undefined, startMs * 1000, 'root');
  return builder.trace();
}
