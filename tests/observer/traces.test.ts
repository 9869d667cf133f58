import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProblems } from '../../aiopslab-harness/bench/load-problems.js';
import { appNames, getApp } from '../../aiopslab-harness/sim/apps/index.js';
import type { SimServer } from '../../aiopslab-harness/sim/index.js';
import { ok } from '../../src/core/errors.js';
import type { TraceSource } from '../../src/observer/analyzers/traces.js';
import { analyzeTraces } from '../../src/observer/analyzers/traces.js';
import type { JaegerSpan, JaegerTrace } from '../../src/observer/jaeger-reader.js';
import { JaegerReader } from '../../src/observer/jaeger-reader.js';
import { observe } from '../../src/observer/observe.js';
import { apiReader, startScenario } from './sim-helpers.js';

let server: SimServer | undefined;
let fake: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (fake) {
    const s = fake;
    s.closeAllConnections();
    await new Promise<void>((done) => s.close(() => done()));
    fake = undefined;
  }
});

const jaegerOf = (s: SimServer) => new JaegerReader({ url: s.url, token: s.tokens.observer, caPem: s.caPem });

/** A TraceSource that counts the searches it answers. */
function counting(source: TraceSource): TraceSource & { searches: number } {
  const counted = {
    searches: 0,
    services: () => source.services(),
    traces: (q: Parameters<TraceSource['traces']>[0]) => {
      counted.searches++;
      return source.traces(q);
    },
    serverNow: () => source.serverNow?.(),
  };
  return counted;
}

type Row = [fault: string, app: string, target: string, signal: string, callee: string];
const FAULTS: Row[] = [
  ['network_loss', 'hotel-reservation', 'user', 'TraceEdgeErrors', 'user'],
  ['network_loss', 'hotel-reservation', 'user', 'TraceCallOrigin', 'user'],
  ['misconfig_k8s_target_port', 'social-network', 'user-service', 'TraceEdgeErrors', 'user-service'],
  ['misconfig_k8s_target_port', 'social-network', 'user-service', 'TraceCallOrigin', 'user-service'],
  ['network_delay', 'hotel-reservation', 'user', 'TraceEdgeLatency', 'user'],
];

describe('analyzeTraces against the simulator', () => {
  it.each(FAULTS)('%s (%s/%s): %s blames %s', async (fault, app, target, signal, callee) => {
    const started = await startScenario({ app, fault, target });
    server = started.server;
    const source = counting(jaegerOf(server));
    const { findings, gaps } = await analyzeTraces(source, { namespace: started.namespace });
    expect(gaps).toEqual([]);
    const hit = findings.find((f) => f.signal === signal && f.blames?.includes(callee));
    expect(
      hit,
      findings.map((f) => `${f.signal} ${f.component} → ${f.blames?.join(',')}`).join('\n'),
    ).toMatchObject({
      source: 'traces',
      subject: { kind: 'Service', namespace: started.namespace },
    });
    expect(['warning', 'error']).toContain(hit?.severity);
    expect(hit?.component).not.toBe(callee);
    // One sample and one error search per service, whatever the number of pods.
    const services = await source.services();
    expect(source.searches).toBe(2 * (services.ok ? services.value.length : 0));
  });

  it.each([
    ['hotel-reservation', 'noop', undefined],
    ['social-network', 'noop', undefined],
    ['hotel-reservation', 'noop', 'benign_error_logs'],
    ['social-network', 'noop', 'benign_error_logs'],
  ])('finds nothing in a healthy %s (%s, noise %s)', async (app, fault, noise) => {
    const started = await startScenario({ app, fault, ...(noise === undefined ? {} : { noise }) });
    server = started.server;
    const { findings, gaps } = await analyzeTraces(jaegerOf(server), { namespace: started.namespace });
    expect(gaps).toEqual([]);
    expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  it('caps the services it searches, focus first', async () => {
    const started = await startScenario({ app: 'social-network', fault: 'noop' });
    server = started.server;
    const asked: string[] = [];
    const jaeger = jaegerOf(server);
    const source: TraceSource = {
      services: () => jaeger.services(),
      traces: (q) => {
        asked.push(q.service);
        return jaeger.traces(q);
      },
      serverNow: () => jaeger.serverNow(),
    };
    await analyzeTraces(source, { maxServices: 3, focus: ['user-service', 'no-such-service'] });
    expect(new Set(asked).size).toBe(3);
    expect(asked.length).toBe(6);
    expect(asked).toContain('user-service');
  });

  it('reads Jaeger with the observer token, by GET only', async () => {
    const started = await startScenario({
      app: 'hotel-reservation',
      fault: 'misconfig_k8s_target_port',
      target: 'geo',
    });
    server = started.server;
    const result = await observe(apiReader(server), {
      namespace: started.namespace,
      traces: jaegerOf(server),
    });
    expect(result.ok).toBe(true);
    expect(server.writesBy('observer')).toEqual([]);
    const jaeger = server.requestLog.filter((e) => e.path.startsWith('/api/'));
    expect(jaeger.length).toBeGreaterThan(2);
    for (const e of jaeger) expect(e).toMatchObject({ role: 'observer', method: 'GET', status: 200 });
  });
});

describe('an unusable Jaeger is a gap, not a failure', () => {
  async function fakeJaeger(handler: Parameters<typeof createServer>[1]): Promise<string> {
    fake = createServer(handler);
    await new Promise<void>((done) => fake!.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  }

  const brokenServices: [string, () => Promise<string>, string][] = [
    ['a closed port', () => Promise.resolve('http://127.0.0.1:1'), 'unreachable'],
    ['HTTP 500', () => fakeJaeger((_req, res) => res.writeHead(500).end('boom')), 'unreachable'],
    ['HTTP 403', () => fakeJaeger((_req, res) => res.writeHead(403).end('{}')), 'denied'],
    ['garbage', () => fakeJaeger((_req, res) => res.writeHead(200).end('<html>not json')), 'bad-response'],
  ];

  it.each(brokenServices)('%s', async (_name, url, code) => {
    const started = await startScenario({
      app: 'social-network',
      fault: 'misconfig_k8s_target_port',
      target: 'user-service',
    });
    server = started.server;
    const result = await observe(apiReader(server), {
      namespace: started.namespace,
      traces: new JaegerReader({ url: await url(), timeoutMs: 2000 }),
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.gaps).toEqual([expect.objectContaining({ what: 'traces: services', code })]);
    expect(result.value.evidence[0]).toMatchObject({ signal: 'TargetPortMismatch' });
    expect(result.value.evidence.some((e) => e.signal === 'gap')).toBe(true);
  });

  it('malformed traces from a Jaeger that lists services', async () => {
    const url = await fakeJaeger((req, res) => {
      const body = req.url?.startsWith('/api/services')
        ? { data: ['a', 'b'], errors: null }
        : { data: [{ traceID: 'x', spans: 'nope' }], errors: null };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
    const { findings, gaps } = await analyzeTraces(new JaegerReader({ url }));
    expect(findings).toEqual([]);
    expect(gaps).toMatchObject([{ what: 'traces: search', code: 'bad-response' }]);
    expect(gaps[0]?.message).toMatch(/^4 of 4 trace searches failed/);
  });
});

/** Traces built by hand: one caller, one callee, failing in the given way. */
function trace(id: string, failure: 'none' | 'refused' | 'callee'): JaegerTrace {
  const tags = (kind: string, error: boolean, peer?: string): JaegerSpan['tags'] => [
    { key: 'span.kind', type: 'string', value: kind },
    ...(peer ? [{ key: 'peer.service', type: 'string', value: peer }] : []),
    ...(error ? [{ key: 'error', type: 'bool', value: true }] : []),
  ];
  const span = (spanID: string, parent: string | undefined, processID: string, t: JaegerSpan['tags']) => ({
    traceID: id,
    spanID,
    operationName: spanID,
    references: parent ? [{ refType: 'CHILD_OF', traceID: id, spanID: parent }] : [],
    startTime: 0,
    duration: 1000,
    tags: t,
    logs:
      failure === 'none'
        ? []
        : [{ timestamp: 0, fields: [{ key: 'message', type: 'string', value: 'it broke' }] }],
    processID,
  });
  const failed = failure !== 'none';
  const spans = [
    span('root', undefined, 'p1', tags('server', failed)),
    span('call', 'root', 'p1', tags('client', failed, 'b')),
    ...(failure === 'refused' ? [] : [span('serve', 'call', 'p2', tags('server', failed))]),
  ];
  return { traceID: id, spans, processes: { p1: { serviceName: 'a' }, p2: { serviceName: 'b' } } };
}

/** A source of fixed traces, whose clock stands just after their spans (at 1 ms past the epoch). */
function staticSource(traces: JaegerTrace[]): TraceSource {
  return {
    services: () => Promise.resolve(ok(['a'])),
    traces: () => Promise.resolve(ok(traces)),
    serverNow: () => 1,
  };
}

describe('error origins', () => {
  it('a failure inside the callee is its own evidence', async () => {
    const traces = [trace('t1', 'callee'), trace('t2', 'callee'), trace('t3', 'none')];
    const { findings } = await analyzeTraces(staticSource(traces));
    const origin = findings.find((f) => f.signal === 'TraceErrorOrigin');
    expect(origin).toMatchObject({
      component: 'b',
      severity: 'error',
      summary: '2 of 2 failing traces start at b (it broke)',
    });
    expect(origin?.blames).toBeUndefined();
    expect(findings.find((f) => f.signal === 'TraceEdgeErrors')).toMatchObject({
      component: 'a',
      blames: ['b'],
      attributes: { peer: 'b', calls: 3, errorRatio: 0.667 },
    });
  });

  it('a callee that never answers: the failure starts at the call and blames the callee', async () => {
    const traces = [trace('t1', 'refused'), trace('t2', 'refused'), trace('t3', 'none')];
    const { findings } = await analyzeTraces(staticSource(traces));
    expect(findings.some((f) => f.signal === 'TraceErrorOrigin')).toBe(false);
    expect(findings.find((f) => f.signal === 'TraceCallOrigin')).toMatchObject({
      component: 'a',
      blames: ['b'],
      summary: "2 of 2 failing traces start at a's calls to b (it broke)",
    });
  });
});

describe('the trace analyzer knows no names', () => {
  it('names no app component, namespace or problem', async () => {
    const text = readFileSync(resolve(import.meta.dirname, '../../src/observer/analyzers/traces.ts'), 'utf8');
    const names = new Set<string>();
    for (const name of appNames()) {
      const app = getApp(name)!;
      names.add(app.defaultNamespace);
      for (const c of app.components) names.add(c.name);
    }
    for (const p of await loadProblems()) names.add(p.id);
    expect(names.size).toBeGreaterThan(50);
    const found = [...names].filter((n) =>
      new RegExp(`['"\`/]${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"\`/]`).test(text),
    );
    expect(found).toEqual([]);
  });
});

describe('calls as other instrumentations record them', () => {
  type Kind = 'server' | 'client' | 'producer' | 'consumer';
  const span = (
    id: string,
    spanID: string,
    processID: string,
    kind: Kind,
    failed: boolean,
    ref?: [string, string],
  ) => ({
    traceID: id,
    spanID,
    operationName: spanID,
    references: ref ? [{ refType: ref[0], traceID: id, spanID: ref[1] }] : [],
    startTime: 0,
    duration: 1000,
    tags: [
      { key: 'span.kind', type: 'string', value: kind },
      ...(failed ? [{ key: 'otel.status_code', type: 'string', value: 'ERROR' }] : []),
    ],
    processID,
  });
  const processes = { p1: { serviceName: 'a' }, p2: { serviceName: 'b' } };
  /** Two failing traces and one healthy one, each a's span calling b's in the given way. */
  const shapes: [string, (id: string, failed: boolean) => JaegerTrace['spans']][] = [
    [
      'a consumer linked by FOLLOWS_FROM',
      (id, failed) => [
        span(id, 'root', 'p1', 'server', failed),
        span(id, 'work', 'p2', 'consumer', failed, ['FOLLOWS_FROM', 'root']),
      ],
    ],
    [
      'producer → consumer',
      (id, failed) => [
        span(id, 'root', 'p1', 'server', failed),
        span(id, 'send', 'p1', 'producer', failed, ['CHILD_OF', 'root']),
        span(id, 'recv', 'p2', 'consumer', failed, ['CHILD_OF', 'send']),
      ],
    ],
    [
      'a server span right under another service’s server span',
      (id, failed) => [
        span(id, 'root', 'p1', 'server', failed),
        span(id, 'serve', 'p2', 'server', failed, ['CHILD_OF', 'root']),
      ],
    ],
  ];
  it.each(shapes)('%s is a call from a to b', async (_name, build) => {
    const traces = ['t1', 't2', 't3'].map((id, i) => ({ traceID: id, spans: build(id, i < 2), processes }));
    const { findings } = await analyzeTraces(staticSource(traces));
    expect(findings.find((f) => f.signal === 'TraceEdgeErrors')).toMatchObject({
      component: 'a',
      blames: ['b'],
      attributes: { calls: 3, errorRatio: 0.667 },
    });
    expect(findings.find((f) => f.signal === 'TraceErrorOrigin')).toMatchObject({ component: 'b' });
  });
});

describe('a trace over 1,000 spans', () => {
  it('is sampled, failing spans kept, not dropped whole', async () => {
    const now = Date.now();
    const id = 'big';
    const spans = [
      {
        traceID: id,
        spanID: 's0',
        operationName: 'GET /',
        references: [],
        startTime: (now - 1000) * 1000,
        duration: 10,
        tags: [
          { key: 'span.kind', type: 'string', value: 'server' },
          { key: 'error', type: 'bool', value: true },
        ],
        logs: [],
        processID: 'p1',
        warnings: null,
      },
      ...Array.from({ length: 5000 }, (_, i) => ({
        traceID: id,
        spanID: `c${i}`,
        operationName: 'query',
        references: [{ refType: 'CHILD_OF', traceID: id, spanID: 's0' }],
        startTime: (now - 1000) * 1000 + i,
        duration: 5,
        tags: [
          { key: 'span.kind', type: 'string', value: 'client' },
          { key: 'peer.service', type: 'string', value: 'db' },
          ...(i % 1000 === 999 ? [{ key: 'error', type: 'bool', value: true }] : []),
        ],
        logs:
          i % 1000 === 999
            ? [{ timestamp: 0, fields: [{ key: 'message', type: 'string', value: 'db timeout' }] }]
            : [],
        processID: 'p1',
        warnings: null,
      })),
    ];
    const body = JSON.stringify({
      data: [{ traceID: id, spans, processes: { p1: { serviceName: 'a', tags: [] } } }],
      total: 0,
      limit: 0,
      offset: 0,
      errors: null,
    });
    expect(body.length).toBeGreaterThan(1_000_000);
    fake = createServer((req, res) => {
      const reply = req.url?.startsWith('/api/services') ? JSON.stringify({ data: ['a'], total: 1 }) : body;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(reply);
    });
    await new Promise<void>((done) => fake!.listen(0, '127.0.0.1', done));
    const reader = new JaegerReader({ url: `http://127.0.0.1:${(fake.address() as AddressInfo).port}` });
    const found = await reader.traces({ service: 'a', startUs: (now - 60_000) * 1000, endUs: now * 1000 });
    expect(found.ok && found.value[0]!.spans.length).toBe(1000);
    expect(found.ok && found.value[0]!.dropped).toBe(4001);
    const kept = found.ok ? found.value[0]!.spans.filter((s) => s.tags.some((t) => t.key === 'error')) : [];
    expect(kept.map((s) => s.spanID)).toEqual(['s0', 'c999', 'c1999', 'c2999', 'c3999', 'c4999']);
    const { gaps } = await analyzeTraces(reader, { now });
    expect(gaps).toMatchObject([{ what: 'traces: spans', code: 'partial' }]);
  });
});
