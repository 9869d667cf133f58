/**
 * What a span says, as the instrumentations in use record it: Jaeger clients (`error=true`,
 * `http.status_code`), OpenTelemetry through Jaeger (`otel.status_code=ERROR`, `http.response.status_code`,
 * `rpc.grpc.status_code`, `span.kind`), Zipkin (`error` holding the message). Values may come typed as
 * strings, numbers or bools. And which calls a trace shows: a client or producer span and the server or
 * consumer span under it, a span linked by FOLLOWS_FROM, or a server span right under another service's
 * server span (no client span in between).
 */
import type { JaegerSpan, JaegerTrace } from '../jaeger-model.js';

export interface SpanInfo {
  span: JaegerSpan;
  service: string;
  /** `server`, `client`, `producer`, `consumer`, `internal` or '' (not recorded). */
  kind: string;
  peer?: string;
  error: boolean;
  parent?: SpanInfo;
  children: SpanInfo[];
}

/** One call between two services, measured by `span` (the caller's span where there is one). */
export interface Call {
  caller: string;
  callee: string;
  span: SpanInfo;
}

export function tagValue(tags: JaegerSpan['tags'], key: string): string | number | boolean | undefined {
  return tags.find((x) => x.key === key)?.value;
}

const numberOf = (v: string | number | boolean | undefined): number | undefined => {
  if (v === undefined || typeof v === 'boolean' || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/** The `error` tag: true, "true", 1, or (Zipkin) the error message itself. */
function errorTag(v: string | number | boolean | undefined): boolean {
  if (v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  const text = v.trim().toLowerCase();
  return text !== '' && text !== 'false' && text !== '0';
}

export function isError(span: JaegerSpan): boolean {
  const t = span.tags;
  if (errorTag(tagValue(t, 'error'))) return true;
  if (String(tagValue(t, 'otel.status_code') ?? '').toUpperCase() === 'ERROR') return true;
  for (const key of ['http.status_code', 'http.response.status_code']) {
    const status = numberOf(tagValue(t, key));
    if (status !== undefined && status >= 500) return true;
  }
  const grpc = numberOf(tagValue(t, 'rpc.grpc.status_code'));
  return grpc !== undefined && grpc !== 0;
}

const MESSAGE_FIELDS = ['message', 'error.message', 'error.object', 'exception.message', 'error'];

export function errorMessage(span: JaegerSpan): string | undefined {
  for (const log of span.logs ?? []) {
    const m = log.fields.find((f) => MESSAGE_FIELDS.includes(f.key));
    if (m && typeof m.value === 'string' && m.value && m.value !== 'true') return m.value;
  }
  for (const key of ['error.message', 'otel.status_description', 'exception.message']) {
    const v = tagValue(span.tags, key);
    if (typeof v === 'string' && v) return v;
  }
  const zipkin = tagValue(span.tags, 'error');
  return typeof zipkin === 'string' && errorTag(zipkin) && zipkin !== 'true' && zipkin !== '1'
    ? zipkin
    : undefined;
}

/**
 * Whom a client span calls when no span of the callee is there (it never answered): `peer.service` (Jaeger
 * clients), else the first DNS label of `server.address` / `net.peer.name` (OpenTelemetry: `cart`,
 * `cart.shop.svc.cluster.local`), never an IP address.
 */
function peerOf(span: JaegerSpan): string | undefined {
  const peer = tagValue(span.tags, 'peer.service');
  if (peer !== undefined && peer !== '') return String(peer);
  const address = tagValue(span.tags, 'server.address') ?? tagValue(span.tags, 'net.peer.name');
  if (typeof address !== 'string' || address === '' || /^[0-9.]+$|:/.test(address)) return undefined;
  return address.split('.')[0];
}

/** The spans of one trace as a tree (CHILD_OF first, else FOLLOWS_FROM), each with its service and kind. */
export function spanTree(trace: JaegerTrace): SpanInfo[] {
  const infos = new Map<string, SpanInfo>();
  for (const span of trace.spans) {
    const peer = peerOf(span);
    infos.set(span.spanID, {
      span,
      service: trace.processes[span.processID]?.serviceName ?? '?',
      kind: String(tagValue(span.tags, 'span.kind') ?? '').toLowerCase(),
      ...(peer === undefined ? {} : { peer: String(peer) }),
      error: isError(span),
      children: [],
    });
  }
  for (const info of infos.values()) {
    const refs = info.span.references;
    const ref = refs.find((r) => r.refType === 'CHILD_OF') ?? refs.find((r) => r.refType === 'FOLLOWS_FROM');
    const parent = ref && ref.spanID !== info.span.spanID ? infos.get(ref.spanID) : undefined;
    if (parent) {
      info.parent = parent;
      parent.children.push(info);
    }
  }
  return [...infos.values()];
}

const CALLING = new Set(['client', 'producer']);
const CALLED = new Set(['server', 'consumer']);

/** The callee of a client or producer span: the other service's span under it, else its peer.service. */
export function calleeOf(info: SpanInfo): string | undefined {
  if (!CALLING.has(info.kind)) return undefined;
  const under = info.children.find(
    (c) => c.service !== info.service && (CALLED.has(c.kind) || c.kind === ''),
  );
  return under?.service ?? info.peer;
}

/** Every call between two services the trace shows. */
export function callsOf(spans: readonly SpanInfo[]): Call[] {
  const calls: Call[] = [];
  for (const s of spans) {
    const callee = calleeOf(s);
    if (callee !== undefined) {
      if (callee !== s.service) calls.push({ caller: s.service, callee, span: s });
      continue;
    }
    // A span of another service right under a span that is not a client or producer span: a call whose
    // caller side was not recorded (a server under a server, a consumer linked by FOLLOWS_FROM).
    const p = s.parent;
    if (p && p.service !== s.service && !CALLING.has(p.kind) && (CALLED.has(s.kind) || s.kind === ''))
      calls.push({ caller: p.service, callee: s.service, span: s });
  }
  return calls;
}
