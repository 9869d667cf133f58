import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceByKind } from '../../../aiopslab-harness/sim/api/resources.js';
import { getApp } from '../../../aiopslab-harness/sim/apps/index.js';
import { SimCluster } from '../../../aiopslab-harness/sim/cluster.js';
import type { Service } from '../../../aiopslab-harness/sim/model.js';
import { asView } from '../../../aiopslab-harness/sim/model.js';
import { SimServer } from '../../../aiopslab-harness/sim/server/http.js';
import type { JaegerTrace } from '../../../aiopslab-harness/sim/telemetry/traces.js';

const NS = 'test-hotel-reservation';
let cluster: SimCluster;
let server: SimServer;

interface Reply {
  status: number;
  contentType: string;
  body: string;
}

/** One request to the simulator over HTTPS, as the observer unless told otherwise (null: no token). */
function call(
  path: string,
  options: { token?: string | null; form?: Record<string, string> } = {},
): Promise<Reply> {
  const token = options.token === undefined ? server.tokens.observer : options.token;
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      {
        method: body === undefined ? 'GET' : 'POST',
        ca: server.caPem,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'] ?? '',
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface PromResponse {
  status: string;
  errorType?: string;
  error?: string;
  data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

async function prom(path: string, params: Record<string, string>): Promise<PromResponse> {
  const reply = await call(`${path}?${new URLSearchParams(params).toString()}`);
  return JSON.parse(reply.body) as PromResponse;
}

/** An instant query's result as `label value → number`. */
async function query(q: string, by: string): Promise<Record<string, number>> {
  const res = await prom('/api/v1/query', { query: q });
  expect(res.status, res.error).toBe('success');
  return Object.fromEntries(res.data.result.map((r) => [r.metric[by] ?? '', Number(r.value[1])]));
}

interface JaegerResponse {
  data: JaegerTrace[] | null;
  total: number;
  errors: { code: number; msg: string }[] | null;
}

async function traces(params: Record<string, string>): Promise<JaegerResponse> {
  return JSON.parse(
    (await call(`/api/traces?${new URLSearchParams(params).toString()}`)).body,
  ) as JaegerResponse;
}

const errorRatio = (ns: string, window: string) =>
  `sum by (service) (rate(requests_total{namespace="${ns}",code=~"5.."}[${window}])) / ` +
  `sum by (service) (rate(requests_total{namespace="${ns}"}[${window}]))`;

const failing = (trace: JaegerTrace) => trace.spans.filter((s) => s.tags.some((t) => t.key === 'error'));

beforeAll(async () => {
  cluster = new SimCluster({ seed: 5 });
  cluster.deployApp(getApp('hotel-reservation')!);
  expect(cluster.settle()).toBe(true);
  cluster.advance(10 * 60_000);
  server = await SimServer.start({ cluster });
});

afterAll(async () => {
  await server.close();
});

describe('telemetry over HTTPS', () => {
  it('lets any role read, logs reads, and turns away requests without a token', async () => {
    expect((await call('/api/v1/labels', { token: null })).status).toBe(401);
    for (const role of ['observer', 'executor', 'admin'] as const)
      expect((await call('/api/v1/labels', { token: server.tokens[role] })).status).toBe(200);
    const entry = server.requestLog.at(-1)!;
    expect(entry).toMatchObject({ verb: 'get', path: '/api/v1/labels', status: 200, role: 'admin' });
    expect(server.writesBy('observer')).toEqual([]);
    // The Kubernetes core API under /api/v1 still answers.
    const pods = await call(`/api/v1/namespaces/${NS}/pods`);
    expect(pods.status).toBe(200);
    expect((JSON.parse(pods.body) as { kind: string }).kind).toBe('PodList');
  });

  it('shows a healthy app: no errors, small p99 latency, CPU on every pod', async () => {
    const ratios = await query(errorRatio(NS, '5m'), 'service');
    expect(Object.keys(ratios)).toEqual(expect.arrayContaining(['frontend', 'search', 'geo', 'mongodb-geo']));
    for (const [service, ratio] of Object.entries(ratios)) expect(ratio, service).toBe(0);
    const rps = await query(`sum by (service) (rate(requests_total{namespace="${NS}"}[5m]))`, 'service');
    expect(rps['frontend']).toBeGreaterThan(18);
    expect(rps['frontend']).toBeLessThan(22);
    const p99 = await query(
      `histogram_quantile(0.99, sum by (le, service) (rate(request_duration_seconds_bucket{namespace="${NS}"}[5m])))`,
      'service',
    );
    for (const [service, seconds] of Object.entries(p99)) {
      expect(seconds, service).toBeGreaterThan(0);
      expect(seconds, service).toBeLessThan(0.1);
    }
    const cpu = await query(
      `sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="${NS}"}[1m]))`,
      'pod',
    );
    expect(Object.keys(cpu)).toHaveLength(19);
    for (const [pod, cores] of Object.entries(cpu)) {
      expect(cores, pod).toBeGreaterThan(0.001);
      expect(cores, pod).toBeLessThan(1);
    }
    expect(await query(`kube_pod_container_status_restarts_total{namespace="${NS}"} > 0`, 'pod')).toEqual({});
  });

  it('accepts POSTed forms, lists series, labels and values', async () => {
    const reply = await call('/api/v1/query', {
      form: { query: `count(kube_pod_status_phase{namespace="${NS}",phase="Running"} == 1)` },
    });
    expect(reply.contentType).toBe('application/json');
    expect((JSON.parse(reply.body) as PromResponse).data.result[0]!.value[1]).toBe('19');
    const series = JSON.parse(
      (
        await call(
          `/api/v1/series?${new URLSearchParams({ 'match[]': `requests_total{namespace="${NS}",service="geo"}` }).toString()}`,
        )
      ).body,
    ) as { data: Record<string, string>[] };
    expect(series.data.map((s) => s['code']).sort()).toEqual(['200', '500']);
    const labels = JSON.parse((await call('/api/v1/labels')).body) as { data: string[] };
    expect(labels.data).toEqual(
      expect.arrayContaining(['__name__', 'namespace', 'pod', 'container', 'service', 'code', 'le', 'peer']),
    );
    const names = JSON.parse((await call('/api/v1/label/__name__/values')).body) as { data: string[] };
    expect(names.data).toEqual(
      expect.arrayContaining([
        'container_cpu_usage_seconds_total',
        'client_requests_total',
        'request_duration_seconds_bucket',
      ]),
    );
  });

  it('answers bad PromQL and bad ranges with 400 bad_data', async () => {
    const reply = await call(
      `/api/v1/query?${new URLSearchParams({ query: 'sum(rate(requests_total[5m])' }).toString()}`,
    );
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error:
        'invalid parameter "query": 1:29: parse error: unexpected end of input in aggregation, expected "," or ")"',
    });
    const now = cluster.clock.now() / 1000;
    const tooMany = await prom('/api/v1/query_range', {
      query: 'up',
      start: String(now - 86_400),
      end: String(now),
      step: '1',
    });
    expect(tooMany.error).toMatch(/^exceeded maximum resolution of 11,000 points per timeseries/);
    const backwards = await prom('/api/v1/query_range', {
      query: '1',
      start: String(now),
      end: String(now - 60),
      step: '15s',
    });
    expect(backwards.error).toBe('end timestamp must not be before start time');
    expect((await prom('/api/v1/query', { query: 'foo @ 100' })).error).toContain(
      '@ modifier is not supported',
    );
  });

  it('serves a pod’s metrics in the text exposition format', async () => {
    const pod = cluster.store
      .peekAll(resourceByKind('Pod'), NS)
      .map((p) => (p['metadata'] as { name: string }).name)
      .find((n) => n.startsWith('search-'))!;
    const reply = await call(`/metrics/pods/${NS}/${pod}`);
    expect(reply.status).toBe(200);
    expect(reply.contentType).toContain('text/plain; version=0.0.4');
    expect(reply.body).toContain('# TYPE request_duration_seconds histogram');
    expect(reply.body).toMatch(
      new RegExp(
        `^requests_total\\{namespace="${NS}",pod="${pod}",service="search",code="200"\\} \\d+$`,
        'm',
      ),
    );
    expect(reply.body).toMatch(/^request_duration_seconds_bucket\{.*le="\+Inf"\} \d+$/m);
    expect((await call(`/metrics/pods/${NS}/nosuch`)).status).toBe(404);
  });

  it('serves traces without errors from a healthy app', async () => {
    const services = JSON.parse((await call('/api/services')).body) as { data: string[] };
    expect(services.data).toEqual([
      'frontend',
      'geo',
      'profile',
      'rate',
      'recommendation',
      'reservation',
      'search',
      'user',
    ]);
    const ops = JSON.parse((await call('/api/services/geo/operations')).body) as { data: string[] };
    expect(ops.data).toEqual(['geo.Geo/Nearby', 'mongo.find']);
    const res = await traces({ service: 'frontend', limit: '20', lookback: '1h' });
    expect(res.data).toHaveLength(20);
    for (const trace of res.data!) {
      expect(failing(trace)).toEqual([]);
      const root = trace.spans[0]!;
      expect(root.references).toEqual([]);
      expect(trace.processes[root.processID]!.serviceName).toBe('frontend');
      for (const span of trace.spans.slice(1))
        expect(trace.spans.some((s) => s.spanID === span.references[0]!.spanID)).toBe(true);
    }
    const starts = res.data!.map((t) => t.spans[0]!.startTime);
    expect([...starts].sort((a, b) => b - a)).toEqual(starts);
    expect((await traces({ service: 'search', tags: '{"error":"true"}' })).data).toEqual([]);
    const byId = JSON.parse((await call(`/api/traces/${res.data![0]!.traceID}`)).body) as JaegerResponse;
    expect(byId.data).toEqual([res.data![0]]);
    expect((await call('/api/traces/0123456789abcdef0123456789abcdef')).status).toBe(404);
    const missing = await traces({});
    expect(missing.errors).toEqual([{ code: 400, msg: "parameter 'service' is required" }]);
  });

  describe('after geo’s Service points at a port nothing listens on', () => {
    beforeAll(() => {
      cluster.store.mutate(resourceByKind('Service'), NS, 'geo', (o) => {
        const port = asView<Service>(o).spec.ports?.[0];
        if (port) port.targetPort = 9999;
      });
      cluster.reconcile();
      cluster.advance(120_000);
    });

    it('raises the error ratio of geo’s callers, and only theirs', async () => {
      const ratios = await query(errorRatio(NS, '1m'), 'service');
      expect(ratios['search']).toBeGreaterThan(0.95);
      expect(ratios['frontend']).toBeGreaterThan(0.1);
      expect(ratios['frontend']).toBeLessThan(0.35);
      expect(ratios['geo']).toBeNaN(); // nothing reaches it any more
      for (const service of ['profile', 'rate', 'user', 'reservation', 'recommendation'])
        expect(ratios[service], service).toBe(0);
      const edges = await query(
        `sum by (peer) (rate(client_requests_total{namespace="${NS}",service="search",code="500"}[1m])) > 0`,
        'peer',
      );
      expect(Object.keys(edges)).toEqual(['geo']);
    });

    it('shows the change over time in a range query', async () => {
      const now = cluster.clock.now() / 1000;
      const res = JSON.parse(
        (
          await call(
            `/api/v1/query_range?${new URLSearchParams({ query: `sum(rate(requests_total{namespace="${NS}",service="search",code="500"}[1m]))`, start: String(now - 600), end: String(now), step: '30' }).toString()}`,
          )
        ).body,
      ) as { data: { result: { values: [number, string][] }[] } };
      const values = res.data.result[0]!.values.map(([, v]) => Number(v));
      expect(values).toHaveLength(21);
      expect(values[0]).toBe(0);
      expect(values.at(-1)).toBeGreaterThan(3);
    });

    it('marks the search→geo calls and their ancestors as errors in traces', async () => {
      const res = await traces({ service: 'search', tags: '{"error":"true"}', limit: '5' });
      expect(res.data!.length).toBe(5);
      for (const trace of res.data!) {
        const names = failing(trace).map(
          (s) => `${trace.processes[s.processID]!.serviceName}:${s.operationName}`,
        );
        expect(names).toEqual([
          'frontend:/hotels',
          'frontend:search.Search/Nearby',
          'search:search.Search/Nearby',
          'search:geo.Geo/Nearby',
        ]);
        const message = failing(trace)
          .at(-1)!
          .logs[0]!.fields.find((f) => f.key === 'message')?.value;
        expect(message).toMatch(/dial tcp .*:8083: connect: connection refused/);
      }
      const healthy = await traces({ service: 'frontend', operation: '/user', limit: '5' });
      expect(healthy.data!.every((t) => failing(t).length === 0)).toBe(true);
    });

    it('counts restarts of a crash-looping container', async () => {
      cluster.hooks.unshift((ctx) =>
        ctx.pod.metadata.labels?.['io.kompose.service'] === 'user'
          ? { outcome: 'exit', afterMs: 5000, exitCode: 2, reason: 'Error', logs: ['panic: boom'] }
          : undefined,
      );
      const pod = cluster.store
        .peekAll(resourceByKind('Pod'), NS)
        .map((p) => (p['metadata'] as { name: string }).name)
        .find((n) => n.startsWith('user-'))!;
      cluster.store.remove(resourceByKind('Pod'), NS, pod);
      cluster.reconcile();
      cluster.advance(180_000);
      // kube-state-metrics names the pod, not the app's component: the restarted pod is one of user's.
      const restarts = await query(`kube_pod_container_status_restarts_total{namespace="${NS}"} > 0`, 'pod');
      expect(Object.keys(restarts).map((p) => p.replace(/-[a-z0-9]+-[a-z0-9]+$/, ''))).toEqual(['user']);
      expect(Object.values(restarts)[0]).toBeGreaterThanOrEqual(2);
      const recent = await query(
        `increase(kube_pod_container_status_restarts_total{namespace="${NS}"}[5m]) > 0`,
        'pod',
      );
      expect(Object.values(recent)[0]).toBeGreaterThanOrEqual(1);
    });
  });
});
