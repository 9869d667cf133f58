import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getApp } from '../../aiopslab-harness/sim/apps/index.js';
import { SimCluster } from '../../aiopslab-harness/sim/cluster.js';
import { injectFault } from '../../aiopslab-harness/sim/faults/index.js';
import { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import { endpoint, getText } from '../../src/observer/https-json.js';
import { JaegerReader } from '../../src/observer/jaeger-reader.js';
import { PrometheusReader } from '../../src/observer/prometheus-reader.js';

const NS = 'test-hotel-reservation';
let cluster: SimCluster;
let server: SimServer;
let prom: PrometheusReader;
let jaeger: JaegerReader;

beforeAll(async () => {
  cluster = new SimCluster({ seed: 5 });
  cluster.deployApp(getApp('hotel-reservation')!);
  expect(cluster.settle()).toBe(true);
  cluster.advance(10 * 60_000);
  injectFault(cluster, NS, { kind: 'misconfig_k8s_target_port', target: 'geo', params: {} });
  cluster.advance(3 * 60_000);
  server = await SimServer.start({ cluster });
  const options = { url: server.url, token: server.tokens.observer, caPem: server.caPem };
  prom = new PrometheusReader(options);
  jaeger = new JaegerReader(options);
});

afterAll(async () => {
  await server.close();
});

/** A plain HTTP server answering with `handler`; closed after the test. */
async function fakeServer(
  handler: Parameters<typeof createServer>[1],
): Promise<{ url: string; server: Server }> {
  const s = createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, server: s };
}

const close = (s: Server) =>
  new Promise<void>((resolve) => {
    s.closeAllConnections();
    s.close(() => resolve());
  });

describe('PrometheusReader against the simulator', () => {
  it('shows the callers of geo failing after its Service targets a dead port', async () => {
    const ratio = await prom.query(
      `sum by (service) (rate(requests_total{namespace="${NS}",code=~"5.."}[1m])) / ` +
        `sum by (service) (rate(requests_total{namespace="${NS}"}[1m]))`,
    );
    expect(ratio.ok).toBe(true);
    if (!ratio.ok) return;
    const by = Object.fromEntries(ratio.value.map((s) => [s.metric['service'] ?? '', s.value]));
    expect(by['search']).toBeGreaterThan(0.9);
    expect(by['profile']).toBe(0);
    const edges = await prom.query(
      `sum by (service, peer) (rate(client_requests_total{namespace="${NS}",code="500"}[1m])) > 0`,
    );
    // The failure propagates up the call chain: search's calls to geo fail, so frontend's calls to search do.
    expect(edges.ok && edges.value.map((s) => `${s.metric['service']}>${s.metric['peer']}`).sort()).toEqual([
      'frontend>search',
      'search>geo',
    ]);
  });

  it('reads a range, and scalars', async () => {
    const now = cluster.clock.now() / 1000;
    const range = await prom.queryRange(
      `sum(rate(requests_total{namespace="${NS}",service="search",code="500"}[1m]))`,
      now - 600,
      now,
      30,
    );
    expect(range.ok).toBe(true);
    if (!range.ok) return;
    const values = range.value[0]!.values.map(([, v]) => v);
    expect(values).toHaveLength(21);
    expect(values[0]).toBe(0);
    expect(values.at(-1)).toBeGreaterThan(1);
    expect(await prom.query('1 + 1', now)).toEqual({ ok: true, value: [{ metric: {}, value: 2 }] });
  });

  it("turns a bad query into 'bad-query' with Prometheus' own message", async () => {
    const bad = await prom.query('sum(rate(requests_total[5m])');
    expect(bad).toEqual({
      ok: false,
      error: { code: 'bad-query', message: expect.stringContaining('parse error') as string },
    });
    expect((await prom.query('requests_total[5m]')).ok).toBe(false);
  });

  it("reports a wrong token as 'denied' and sends only GETs", async () => {
    const wrong = new PrometheusReader({ url: server.url, token: 'aoi-observer.wrong', caPem: server.caPem });
    const res = await wrong.query('up');
    expect(res.ok ? 'ok' : res.error.code).toBe('denied');
    expect(res.ok ? '' : res.error.message).not.toContain('aoi-observer.wrong');
    expect(server.requestLog.every((e) => e.method === 'GET')).toBe(true);
    expect(server.writesBy('observer')).toEqual([]);
  });

  it("reports a closed port as 'unreachable', quickly", async () => {
    const { url, server: s } = await fakeServer(() => undefined);
    await close(s);
    const started = Date.now();
    const res = await new PrometheusReader({ url }).query('up');
    expect(res.ok ? 'ok' : res.error.code).toBe('unreachable');
    // Refused at once rather than waited out: well under the 10 s request timeout, with room for a busy machine.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses a server whose certificate it does not trust', async () => {
    const res = await new PrometheusReader({ url: server.url, token: server.tokens.observer }).query('up');
    expect(res.ok ? 'ok' : res.error.code).toBe('unreachable');
  });
});

describe('JaegerReader against the simulator', () => {
  it('lists services and finds error traces for search→geo', async () => {
    const services = await jaeger.services();
    expect(services.ok && services.value).toEqual(expect.arrayContaining(['frontend', 'search', 'geo']));
    const endUs = jaeger.serverNow()! * 1000;
    const res = await jaeger.traces({
      service: 'search',
      tags: { error: 'true' },
      limit: 5,
      startUs: endUs - 5 * 60e6,
      endUs,
    });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.value).toHaveLength(5);
    for (const trace of res.value) {
      const failing = trace.spans
        .filter((s) => s.tags.some((t) => t.key === 'error' && String(t.value) === 'true'))
        .map((s) => `${trace.processes[s.processID]!.serviceName}:${s.operationName}`);
      expect(failing).toContain('search:geo.Geo/Nearby');
    }
  });

  it("maps Jaeger's errors", async () => {
    const bad = await jaeger.traces({ service: 'search', startUs: NaN, endUs: 1 });
    expect(bad.ok ? 'ok' : bad.error).toEqual({
      code: 'bad-query',
      message: `unable to parse param 'start': strconv.ParseInt: parsing "NaN": invalid syntax`,
    });
    const denied = await new JaegerReader({ url: server.url, caPem: server.caPem }).services();
    expect(denied.ok ? 'ok' : denied.error.code).toBe('denied');
  });
});

describe('getText', () => {
  it('retries 5xx and 429 at most three times, then gives the reply', async () => {
    let calls = 0;
    const { url, server: s } = await fakeServer((_req, res) => {
      calls++;
      res.writeHead(calls < 3 ? 503 : 200).end(calls < 3 ? 'busy' : 'fine');
    });
    expect(await getText(endpoint(url, '/x', {}), { url })).toMatchObject({
      ok: true,
      value: { status: 200, body: 'fine' },
    });
    calls = -10;
    const res = await getText(endpoint(url, '/x', {}), { url });
    expect(res).toMatchObject({ ok: true, value: { status: 503, body: 'busy' } });
    expect(calls).toBe(-7);
    await close(s);
  });

  it("gives 'timeout' for a silent server and 'too-large' past the size cap", async () => {
    const { url, server: s } = await fakeServer((req, res) => {
      if (req.url === '/big') res.end('x'.repeat(4096));
    });
    const slow = await getText(endpoint(url, '/slow', {}), { url, timeoutMs: 100 });
    expect(slow.ok ? 'ok' : slow.error.code).toBe('timeout');
    const big = await getText(endpoint(url, '/big', {}), { url }, 1024);
    expect(big.ok ? 'ok' : big.error.code).toBe('too-large');
    await close(s);
  });

  it('keeps a base path and rejects other schemes', async () => {
    expect(endpoint('https://h:9/prom/', '/api/v1/query', { query: 'up' }).href).toBe(
      'https://h:9/prom/api/v1/query?query=up',
    );
    const res = await getText(new URL('file:///etc/passwd'), { url: 'file:///' });
    expect(res.ok ? 'ok' : res.error.code).toBe('unreachable');
    const injected = await new PrometheusReader({
      url: server.url,
      token: 'a\r\nX-Evil: 1',
      caPem: server.caPem,
    }).query('up');
    expect(injected.ok ? 'ok' : injected.error).toEqual({
      code: 'unreachable',
      message: expect.stringContaining('ERR_INVALID_CHAR') as string,
    });
  });
});
