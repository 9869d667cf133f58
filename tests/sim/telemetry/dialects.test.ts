import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceByKind } from '../../../aiopslab-harness/sim/api/resources.js';
import { getApp } from '../../../aiopslab-harness/sim/apps/index.js';
import { SimCluster } from '../../../aiopslab-harness/sim/cluster.js';
import { SimServer } from '../../../aiopslab-harness/sim/server/http.js';
import { PrometheusReader } from '../../../src/observer/prometheus-reader.js';

const NS = 'astronomy-shop';
let cluster: SimCluster;
let server: SimServer;
let prom: PrometheusReader;

beforeAll(async () => {
  cluster = new SimCluster({ seed: 3 });
  cluster.deployApp(getApp('astronomy-shop')!);
  expect(cluster.settle()).toBe(true);
  cluster.advance(2 * 60_000);
  server = await SimServer.start({ cluster });
  prom = new PrometheusReader({ url: server.url, token: server.tokens.observer, caPem: server.caPem });
});

afterAll(async () => {
  delete cluster.world.metricDialects;
  await server.close();
});

/** A GET over HTTPS with the observer's token, trusting the simulator's CA. */
function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      { ca: server.caPem, headers: { authorization: `Bearer ${server.tokens.observer}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A scrape of an exposition endpoint: series → value. */
async function scrape(path: string): Promise<Map<string, number>> {
  const reply = await get(path);
  expect(reply.status).toBe(200);
  return new Map(
    reply.body
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))] as const),
  );
}

const names = async () => {
  const r = await prom.labelValues('__name__');
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('the dialects the simulator speaks', () => {
  it('astronomy-shop: kube-state-metrics, cAdvisor, the demo’s spanmetrics and OpenTelemetry semconv', async () => {
    expect(await names()).toEqual(
      expect.arrayContaining([
        'kube_deployment_spec_replicas',
        'kube_deployment_status_replicas_available',
        'kube_pod_container_status_restarts_total',
        'container_cpu_usage_seconds_total',
        'container_memory_working_set_bytes',
        'traces_span_metrics_calls_total',
        'traces_span_metrics_duration_milliseconds_bucket',
        'http_server_request_duration_seconds_bucket',
        'rpc_server_duration_milliseconds_bucket',
        'rpc_client_duration_milliseconds_bucket',
        'requests_total',
      ]),
    );
    // The collector's spanmetrics name services, not pods.
    const calls = await prom.query(
      `sum by (service_name) (rate(traces_span_metrics_calls_total{namespace="${NS}",service_name="cart"}[1m]))`,
    );
    expect(calls.ok && calls.value[0]!.value).toBeGreaterThan(0);
  });

  it('--metrics istio replaces the request dialect: no sim names, every histogram with its _sum', async () => {
    cluster.world.metricDialects = ['istio'];
    const held = await names();
    expect(held).toEqual(
      expect.arrayContaining(['istio_requests_total', 'istio_request_duration_milliseconds_sum']),
    );
    expect(
      held.filter((n) => /^(requests_total|client_requests_total|traces_span|http_|rpc_)/.test(n)),
    ).toEqual([]);
    for (const bucket of held.filter((n) => n.endsWith('_bucket')))
      expect(held, bucket).toContain(bucket.replace(/_bucket$/, '_sum'));
    const inbound = await prom.query(
      `sum by (source_workload) (rate(istio_requests_total{reporter="destination",destination_workload="cart"}[1m]))`,
    );
    expect(inbound.ok && inbound.value.map((s) => s.metric['source_workload']).sort()).toEqual([
      'checkout',
      'frontend',
      'unknown',
    ]);
    delete cluster.world.metricDialects;
  });

  it('serves kube-state-metrics’ workload series from their own endpoint, without a pod', async () => {
    const reply = await get(`/metrics/kube-state/${NS}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatch(
      /^kube_deployment_spec_replicas\{namespace="astronomy-shop",deployment="cart"\} 1$/m,
    );
    expect(reply.body).not.toMatch(/pod="/);
  });
});

describe('the exposition a scraper reads', () => {
  it('moves at every 1 s scrape and never goes back, across the 15 s grid', async () => {
    const pod = cluster.store
      .peekAll(resourceByKind('Pod'), NS)
      .map((p) => (p['metadata'] as { name: string }).name)
      .find((n) => n.startsWith('cart-'))!;
    let previous: Map<string, number> | undefined;
    for (let i = 0; i < 20; i++) {
      const now = await scrape(`/metrics/pods/${NS}/${pod}`);
      if (previous) {
        const cpu = [...now].find(([k]) => k.startsWith('container_cpu_usage_seconds_total'))!;
        expect(cpu[1]).toBeGreaterThan(previous.get(cpu[0])!);
        for (const [series, value] of now)
          if (/_total\{|_count\{|_sum\{|_bucket\{/.test(series) && previous.has(series))
            expect(value, series).toBeGreaterThanOrEqual(previous.get(series)!);
      }
      previous = now;
      cluster.advance(1000);
    }
  });
});
