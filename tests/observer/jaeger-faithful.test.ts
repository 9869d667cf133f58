/**
 * The trace analyzer against the simulator's Jaeger, which answers as Jaeger v2.20 does (ignores
 * `lookback`, searches two days without `start`, OpenTelemetry tags on the demo's spans), and against a
 * local proxy in front of it that rewrites replies the way other Jaegers, storages and instrumentations
 * write them: year-old spans, errors only in OpenTelemetry's own tags, odd tag values.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimServer } from '../../aiopslab-harness/sim/index.js';
import { analyzeTraces } from '../../src/observer/analyzers/traces.js';
import { endpoint, getText } from '../../src/observer/https-json.js';
import { JaegerReader } from '../../src/observer/jaeger-reader.js';
import { startScenario } from './sim-helpers.js';

type Tag = { key: string; type?: string; value: unknown };
type Span = { tags: Tag[]; startTime: number; logs?: { fields: Tag[] }[] };

let shop: Awaited<ReturnType<typeof startScenario>>;
const proxies: Server[] = [];

beforeAll(async () => {
  shop = await startScenario({
    app: 'astronomy-shop',
    fault: 'feature_flag',
    target: 'payment',
    params: { flag: 'paymentFailure' },
  });
}, 60_000);

afterAll(async () => {
  for (const p of proxies) {
    p.closeAllConnections();
    await new Promise<void>((done) => p.close(() => done()));
  }
  await shop.server.close();
});

const readerOf = (s: SimServer, url = s.url) =>
  new JaegerReader({ url, ...(url === s.url ? { token: s.tokens.observer, caPem: s.caPem } : {}) });

/**
 * A plain-http Jaeger on loopback that forwards to the simulator (with the observer's token and CA) and
 * rewrites each trace's spans with `rewrite`. It keeps the simulator's Date header, as a proxy would.
 */
async function rewritingJaeger(s: SimServer, rewrite: (span: Span) => Span): Promise<string> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const params = Object.fromEntries(url.searchParams);
    void getText(endpoint(s.url, url.pathname, params), {
      url: s.url,
      token: s.tokens.observer,
      caPem: s.caPem,
    }).then((reply) => {
      if (!reply.ok) return res.writeHead(502).end(reply.error.message);
      let body = reply.value.body;
      if (url.pathname === '/api/traces' && reply.value.status === 200) {
        const parsed = JSON.parse(body) as { data: { spans: Span[] }[] };
        for (const trace of parsed.data) trace.spans = trace.spans.map(rewrite);
        body = JSON.stringify(parsed);
      }
      res
        .writeHead(reply.value.status, {
          'Content-Type': 'application/json',
          ...(reply.value.date ? { Date: reply.value.date } : {}),
        })
        .end(body);
    });
  });
  proxies.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const errorSignals = (findings: { signal: string; severity: string }[]) =>
  findings.filter((f) => f.signal.startsWith('Trace') && f.severity !== 'info').map((f) => f.signal);

describe("the simulator's Jaeger answers as Jaeger v2.20", () => {
  const get = async (path: string, s: SimServer = shop.server) => {
    const reply = await getText(new URL(path, s.url), {
      url: s.url,
      token: s.tokens.observer,
      caPem: s.caPem,
    });
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.value;
  };

  it('ignores lookback: without start it searches two days back, and a search’s total is 0', async () => {
    const reply = await get('/api/traces?service=frontend&lookback=1m&limit=1500');
    const body = JSON.parse(reply.body) as { data: { spans: Span[] }[]; total: number };
    expect(body.total).toBe(0);
    const starts = body.data.map((t) => t.spans[0]!.startTime / 1000);
    // The cluster has run 8 minutes: a 1-minute lookback would have kept only its last minute.
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThan(5 * 60_000);
    const services = JSON.parse((await get('/api/services')).body) as { data: string[]; total: number };
    expect(services.total).toBe(services.data.length);
  });

  it('errors are Go http.Error replies: text/plain, the JSON envelope, status 400', async () => {
    const cases: [string, string][] = [
      [
        'tags={"error":true}',
        "malformed 'tags' parameter, cannot unmarshal JSON: json: cannot unmarshal bool into Go value of type string",
      ],
      ['tag=error', "malformed 'tag' parameter, expecting key:value, received: error"],
      ['minDuration=fast', `unable to parse param 'minDuration': time: invalid duration "fast"`],
      ['minDuration=2s&maxDuration=1s', "'maxDuration' should be greater than 'minDuration'"],
      ['limit=ten', 'strconv.ParseInt: parsing "ten": invalid syntax'],
      [
        'start=yesterday',
        `unable to parse param 'start': strconv.ParseInt: parsing "yesterday": invalid syntax`,
      ],
    ];
    for (const [query, msg] of cases) {
      const reply = await get(`/api/traces?service=cart&${query}`);
      expect([reply.status, reply.contentType], query).toEqual([400, 'text/plain; charset=utf-8']);
      expect(reply.body).toBe(
        `${JSON.stringify({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 400, msg }] })}\n`,
      );
    }
    const v3 = await get('/api/v3/traces?query.service_name=cart');
    expect([v3.status, v3.contentType, v3.body]).toEqual([
      400,
      'text/plain; charset=utf-8',
      '{"error":{"httpCode":400,"message":"query.startTimeMin and query.startTimeMax are required"}}\n',
    ]);
  });

  it('the demo’s spans carry OpenTelemetry tags and 32-hex ids; Jaeger-client apps 16-hex ids', async () => {
    const jaeger = readerOf(shop.server);
    await jaeger.services();
    const endUs = jaeger.serverNow()! * 1000;
    const found = await jaeger.traces({
      service: 'payment',
      startUs: endUs - 120e6,
      endUs,
      limit: 5,
      tags: { error: 'true' },
    });
    if (!found.ok) throw new Error(found.error.message);
    expect(found.value.length).toBeGreaterThan(0);
    const trace = found.value[0]!;
    expect(trace.traceID).toMatch(/^[0-9a-f]{32}$/);
    const keys = new Set(trace.spans.flatMap((s) => s.tags.map((t) => t.key)));
    for (const key of [
      'otel.status_code',
      'rpc.grpc.status_code',
      'rpc.system',
      'http.response.status_code',
      'server.address',
    ])
      expect(keys, key).toContain(key);
    expect(keys).not.toContain('peer.service');
    const processTags = Object.values(trace.processes).flatMap((p) => p.tags ?? []);
    expect(processTags).toContainEqual({ key: 'k8s.namespace.name', type: 'string', value: shop.namespace });

    const hotel = await startScenario({ app: 'hotel-reservation', fault: 'noop' });
    try {
      const reader = readerOf(hotel.server);
      await reader.services();
      const end = reader.serverNow()! * 1000;
      const traces = await reader.traces({ service: 'frontend', startUs: end - 60e6, endUs: end, limit: 1 });
      const id = traces.ok ? traces.value[0]!.traceID : '';
      expect(id).toMatch(/^[0-9a-f]{16}$/);
      const root = traces.ok ? traces.value[0]!.spans.find((s) => s.references.length === 0) : undefined;
      expect(root?.spanID).toBe(id);
      const padded = await get(`/api/traces/${id.padStart(32, '0')}`, hotel.server);
      expect((JSON.parse(padded.body) as { data: { traceID: string }[] }).data[0]!.traceID).toBe(id);
    } finally {
      await hotel.server.close();
    }
  }, 60_000);
});

describe('the analyzer reads traces as real Jaegers hand them over', () => {
  it('finds the failing payment calls from the simulator as it is', async () => {
    const { findings, gaps } = await analyzeTraces(readerOf(shop.server), { namespace: shop.namespace });
    expect(gaps).toEqual([]);
    expect(findings.some((f) => f.blames?.includes('payment') || f.component === 'payment')).toBe(true);
  });

  it('ignores year-old spans a Jaeger hands back outside the window', async () => {
    const YEAR_US = 365 * 86_400e6;
    const url = await rewritingJaeger(shop.server, (s) => ({ ...s, startTime: s.startTime - YEAR_US }));
    const { findings, gaps } = await analyzeTraces(readerOf(shop.server, url), { namespace: shop.namespace });
    expect(errorSignals(findings)).toEqual([]);
    expect(gaps).toMatchObject([{ what: 'traces: window', code: 'stale' }]);
  });

  const MARKERS = [
    'error',
    'otel.status_code',
    'otel.status_description',
    'rpc.grpc.status_code',
    'http.status_code',
    'http.response.status_code',
  ];
  const failed = (s: Span) =>
    s.tags.some(
      (t) => (t.key === 'error' && t.value === true) || (t.key === 'otel.status_code' && t.value === 'ERROR'),
    );
  /** Every error marker and log gone; a failed span says so only with `marker`. */
  const onlyMarker = (marker: Tag | undefined) => (s: Span) => ({
    ...s,
    tags: [...s.tags.filter((t) => !MARKERS.includes(t.key)), ...(marker && failed(s) ? [marker] : [])],
    logs: [],
  });

  it.each([
    [{ key: 'otel.status_code', type: 'string', value: 'ERROR' }],
    [{ key: 'rpc.grpc.status_code', type: 'int64', value: 14 }],
    [{ key: 'http.response.status_code', type: 'int64', value: 503 }],
    [{ key: 'http.response.status_code', type: 'string', value: '503' }],
    [{ key: 'error', type: 'string', value: 'connection refused' }],
  ])('finds errors recorded only as %j', async (marker) => {
    const url = await rewritingJaeger(shop.server, onlyMarker(marker));
    const { findings } = await analyzeTraces(readerOf(shop.server, url), { namespace: shop.namespace });
    expect(findings.some((f) => f.blames?.includes('payment') || f.component === 'payment')).toBe(true);
  });

  it('finds none once every error marker is gone (the markers above are what it read)', async () => {
    const url = await rewritingJaeger(shop.server, onlyMarker(undefined));
    const { findings } = await analyzeTraces(readerOf(shop.server, url), { namespace: shop.namespace });
    expect(errorSignals(findings).filter((s) => s !== 'TraceEdgeLatency')).toEqual([]);
  });

  it('string-typed values count as well as numbers and bools', async () => {
    const url = await rewritingJaeger(shop.server, (s) => ({
      ...s,
      tags: s.tags.map((t) => ({ ...t, type: 'string', value: String(t.value) })),
    }));
    const { findings } = await analyzeTraces(readerOf(shop.server, url), { namespace: shop.namespace });
    expect(errorSignals(findings).length).toBeGreaterThan(0);
  });

  it('a reply with odd tags still yields its other spans, and says what it skipped', async () => {
    const url = await rewritingJaeger(shop.server, (s) => ({
      ...s,
      tags: [
        { key: 'odd', type: 'string', value: null },
        { key: 'nested', value: { a: 1 } },
        { value: 'no key' } as unknown as Tag,
        ...s.tags,
      ],
    }));
    const { findings, gaps } = await analyzeTraces(readerOf(shop.server, url), { namespace: shop.namespace });
    expect(errorSignals(findings).length).toBeGreaterThan(0);
    expect(gaps).toMatchObject([{ what: 'traces: spans', code: 'partial' }]);
  });

  it('files nothing under a namespace whose workloads the trace services are not', async () => {
    const { findings, gaps } = await analyzeTraces(readerOf(shop.server), {
      namespace: 'default',
      components: ['kubernetes'],
    });
    expect(findings).toEqual([]);
    expect(gaps).toMatchObject([{ what: 'traces: services', code: 'no-match' }]);
  });

  it('drops traces whose processes run in another namespace even when a name matches', async () => {
    const { findings, gaps } = await analyzeTraces(readerOf(shop.server), {
      namespace: 'test-hotel-reservation',
      components: ['frontend', 'payment'],
    });
    expect(findings).toEqual([]);
    expect(gaps).toMatchObject([{ what: 'traces: namespace', code: 'no-match' }]);
  });
});

describe('Jaeger main: only /api/v3', () => {
  it('the reader falls back to /api/v3 and finds what v1 finds', async () => {
    // The same cluster, served as Jaeger's main branch would.
    const world = shop.cluster.world;
    world.jaegerRelease = 'main';
    try {
      const legacy = await getText(new URL('/api/services', shop.server.url), {
        url: shop.server.url,
        token: shop.server.tokens.observer,
        caPem: shop.server.caPem,
      });
      expect(legacy.ok && [legacy.value.status, legacy.value.body]).toEqual([404, '404 page not found\n']);
      const reader = readerOf(shop.server);
      const { findings, gaps } = await analyzeTraces(reader, { namespace: shop.namespace });
      expect(reader.api()).toBe('v3');
      expect(gaps).toEqual([]);
      expect(findings.some((f) => f.blames?.includes('payment') || f.component === 'payment')).toBe(true);
      const none = await reader.traces({ service: 'cart', startUs: 1e15, endUs: 1e15 + 60e6 });
      expect(none).toEqual({ ok: true, value: [] });
    } finally {
      world.jaegerRelease = 'v2.20';
    }
  });
});
