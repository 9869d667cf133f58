/**
 * Discovery of Prometheus and Jaeger through the API server's service proxy, against the simulator over
 * HTTPS: what is found, that the readers answer through the found URLs, and that all of it is reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getApp } from '../../aiopslab-harness/sim/apps/index.js';
import { SimCluster } from '../../aiopslab-harness/sim/cluster.js';
import { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import { ok } from '../../src/core/errors.js';
import { kubeApiServer } from '../../src/observer/api-reader.js';
import type { ClusterReader } from '../../src/observer/cluster-reader.js';
import { readFailure } from '../../src/observer/cluster-reader.js';
import { chooseService, discoverTelemetry } from '../../src/observer/discover-telemetry.js';
import { endpoint } from '../../src/observer/https-json.js';
import { JaegerReader } from '../../src/observer/jaeger-reader.js';
import type { Service } from '../../src/observer/k8s-types.js';
import { PrometheusReader } from '../../src/observer/prometheus-reader.js';
import { tinyApp } from '../sim/fixtures.js';
import { apiReader, observerKubeConfig } from './sim-helpers.js';

const NS = 'test-hotel-reservation';

async function hotel(telemetryServices: boolean): Promise<SimServer> {
  const cluster = new SimCluster({ seed: 3, telemetryServices });
  cluster.deployApp(getApp('hotel-reservation')!);
  cluster.settle();
  cluster.advance(5 * 60_000);
  return SimServer.start({ cluster });
}

const credentials = (server: SimServer) => ({ token: server.tokens.observer, caPem: server.caPem });

describe('discoverTelemetry against the simulator', () => {
  let server: SimServer;
  beforeAll(async () => {
    server = await hotel(true);
  });
  afterAll(() => server.close());

  it('finds prometheus-server in observe and prefers the app namespace’s jaeger', async () => {
    const apiServer = kubeApiServer({ kubeConfig: observerKubeConfig(server) });
    expect(apiServer).toEqual(ok(server.url));
    const found = await discoverTelemetry(apiReader(server), { apiServer: server.url, namespaces: [NS] });
    expect(found.prometheusUrl).toBe(
      `${server.url}/api/v1/namespaces/observe/services/prometheus-server:80/proxy`,
    );
    expect(found.jaegerUrl).toBe(`${server.url}/api/v1/namespaces/${NS}/services/jaeger:16686/proxy`);
    expect(found.summary).toBe(
      `telemetry: Prometheus at service observe/prometheus-server:80 (API server proxy); ` +
        `Jaeger at service ${NS}/jaeger:16686 (API server proxy)`,
    );
  });

  it('without a namespace preference takes the Jaeger query Service; given URLs win', async () => {
    const found = await discoverTelemetry(apiReader(server), {
      apiServer: `${server.url}/`,
      prometheusUrl: 'https://prom.example:9090',
    });
    expect(found.prometheusUrl).toBe('https://prom.example:9090');
    expect(found.prometheus).toBeUndefined();
    expect(found.jaeger).toEqual({ namespace: 'observe', name: 'jaeger-query', port: 16686, scheme: 'http' });
    const both = await discoverTelemetry(apiReader(server), {
      apiServer: server.url,
      prometheusUrl: 'https://p',
      jaegerUrl: 'https://j',
    });
    expect(both).toEqual({
      prometheusUrl: 'https://p',
      jaegerUrl: 'https://j',
      summary: 'telemetry: Prometheus and Jaeger from their URL options',
    });
  });

  it('reads Prometheus and Jaeger through the discovered proxy URLs, as reads only', async () => {
    const before = server.requestLog.length;
    const found = await discoverTelemetry(apiReader(server), { apiServer: server.url, namespaces: [NS] });
    const prom = new PrometheusReader({ url: found.prometheusUrl!, ...credentials(server) });
    const up = await prom.query(`sum(rate(requests_total{namespace="${NS}"}[1m]))`);
    expect(up.ok && up.value[0]!.value).toBeGreaterThan(0);
    const range = await prom.queryRange(`sum(rate(requests_total{namespace="${NS}"}[1m]))`, 1, 2, 1);
    expect(range.ok).toBe(true);
    const jaeger = new JaegerReader({ url: found.jaegerUrl!, ...credentials(server) });
    const services = await jaeger.services();
    expect(services.ok && services.value).toContain('frontend');
    const endUs = jaeger.serverNow()! * 1000;
    const traces = await jaeger.traces({ service: 'frontend', limit: 3, startUs: endUs - 60e6, endUs });
    expect(traces.ok && traces.value.length).toBeGreaterThan(0);
    const proxied = server.requestLog.slice(before).filter((e) => e.subresource === 'proxy');
    expect(proxied.map((e) => [e.role, e.verb, e.status])).toEqual(
      Array.from({ length: 4 }, () => ['observer', 'get', 200]),
    );
    expect(server.writesBy('observer')).toEqual([]);
  });

  it('a Prometheus path through the Jaeger Service is the backend’s 404, not a Status', async () => {
    const wrong = new PrometheusReader({
      url: `${server.url}/api/v1/namespaces/observe/services/jaeger-query:16686/proxy`,
      ...credentials(server),
    });
    const reply = await wrong.query('up');
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'bad-response', message: 'HTTP 404: 404 page not found' },
    });
  });
});

describe('discoverTelemetry where nothing fronts telemetry', () => {
  it('finds nothing, without an error, in a cluster without telemetry Services', async () => {
    const cluster = new SimCluster({ seed: 1 });
    cluster.deployApp(tinyApp);
    const server = await SimServer.start({ cluster });
    try {
      const found = await discoverTelemetry(apiReader(server), {
        apiServer: server.url,
        namespaces: ['tiny'],
      });
      expect(found).toEqual({ summary: 'telemetry: Prometheus not found; Jaeger not found' });
    } finally {
      await server.close();
    }
  });

  it('lists namespace by namespace when the cluster-wide list is refused', async () => {
    const svc = (namespace: string, name: string, port: number): Service => ({
      metadata: { namespace, name, labels: {} },
      spec: { ports: [{ port }] },
    });
    const asked: (string | undefined)[] = [];
    const reader = {
      list: (_kind: string, namespace?: string) => {
        asked.push(namespace);
        if (namespace === undefined) return Promise.resolve(readFailure('forbidden', 'HTTP 403'));
        if (namespace === 'monitoring')
          return Promise.resolve(ok([svc('monitoring', 'prometheus-operated', 9090)]));
        return Promise.resolve(ok([]));
      },
    } as unknown as ClusterReader;
    const found = await discoverTelemetry(reader, { apiServer: 'https://k8s:6443', namespaces: ['shop'] });
    expect(asked.slice(0, 3)).toEqual([undefined, 'shop', 'observe']);
    expect(found.prometheusUrl).toBe(
      'https://k8s:6443/api/v1/namespaces/monitoring/services/prometheus-operated:9090/proxy',
    );
    expect(found.summary).toContain('cluster-wide Service list refused (forbidden)');
  });
});

describe('chooseService', () => {
  const svc = (
    name: string,
    labels: Record<string, string>,
    ports: { name?: string; port: number; targetPort?: number | string }[],
    namespace = 'monitoring',
  ): Service => ({ metadata: { name, namespace, labels }, spec: { ports } });
  const kubePrometheusStack = [
    svc('alertmanager-operated', { 'app.kubernetes.io/name': 'alertmanager' }, [
      { name: 'http-web', port: 9093 },
    ]),
    svc('kps-kube-prometheus-prometheus', { app: 'kube-prometheus-stack-prometheus' }, [
      { name: 'http-web', port: 9090 },
      { name: 'reloader-web', port: 8080 },
    ]),
    svc('kps-kube-state-metrics', { 'app.kubernetes.io/name': 'kube-state-metrics' }, [
      { name: 'http', port: 8080 },
    ]),
    svc('prometheus-operated', { 'operated-prometheus': 'true' }, [
      { name: 'web', port: 9090, targetPort: 'web' },
    ]),
    svc('kps-prometheus-node-exporter', { app: 'prometheus-node-exporter' }, [
      { name: 'http-metrics', port: 9100 },
    ]),
  ];
  const helm = [
    svc(
      'prometheus-alertmanager',
      { 'app.kubernetes.io/name': 'alertmanager' },
      [{ name: 'http', port: 9093 }],
      'observe',
    ),
    svc(
      'prometheus-server',
      { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/component': 'server' },
      [{ name: 'http', port: 80, targetPort: 9090 }],
      'observe',
    ),
    svc(
      'prometheus-prometheus-pushgateway',
      { app: 'prometheus', component: 'pushgateway' },
      [{ port: 9091 }],
      'observe',
    ),
  ];
  it.each([
    ['Helm chart server over its siblings', helm, 'prometheus', [], 'observe/prometheus-server:80'],
    [
      'kube-prometheus-stack: prometheus-operated',
      kubePrometheusStack,
      'prometheus',
      [],
      'monitoring/prometheus-operated:9090',
    ],
    [
      'Helm server before the operator when both exist',
      [...kubePrometheusStack, ...helm],
      'prometheus',
      [],
      'observe/prometheus-server:80',
    ],
    [
      'a preferred namespace first',
      [...kubePrometheusStack, ...helm],
      'prometheus',
      ['monitoring'],
      'monitoring/prometheus-operated:9090',
    ],
    [
      'jaeger-query over collector and all-in-one',
      [
        svc('jaeger-collector', { 'app.kubernetes.io/name': 'jaeger' }, [{ name: 'http', port: 14268 }]),
        svc('jaeger', { app: 'jaeger' }, [{ port: 16686 }], 'shop'),
        svc('jaeger-query', { 'app.kubernetes.io/name': 'jaeger', 'app.kubernetes.io/component': 'query' }, [
          { name: 'http-query', port: 16686 },
          { name: 'grpc-query', port: 16685 },
        ]),
      ],
      'jaeger',
      [],
      'monitoring/jaeger-query:16686',
    ],
    [
      'kube-prometheus-stack without prometheus-operated: <release>-kube-prometheus-prometheus',
      kubePrometheusStack.filter((x) => x.metadata?.name !== 'prometheus-operated'),
      'prometheus',
      [],
      'monitoring/kps-kube-prometheus-prometheus:9090',
    ],
    [
      // opentelemetry-helm-charts, examples/default/rendered/prometheus/service.yaml (chart 0.2x).
      'the OpenTelemetry demo’s <release>-prometheus-server',
      [
        svc(
          'example-prometheus-server',
          { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/component': 'server' },
          [{ name: 'http', port: 9090, targetPort: 9090 }],
          'otel-demo',
        ),
        svc(
          'example-otelcol',
          { 'app.kubernetes.io/name': 'otelcol' },
          [{ name: 'metrics', port: 8888 }],
          'otel-demo',
        ),
      ],
      'prometheus',
      [],
      'otel-demo/example-prometheus-server:9090',
    ],
    [
      'the OpenTelemetry demo’s newer `prometheus`',
      [
        svc(
          'prometheus',
          { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/component': 'server' },
          [{ name: 'http', port: 9090, targetPort: 9090 }],
          'otel-demo',
        ),
      ],
      'prometheus',
      [],
      'otel-demo/prometheus:9090',
    ],
    [
      // examples/default/rendered/jaeger/allinone-query-svc.yaml: headless, component service-query.
      'the OpenTelemetry demo’s jaeger-query (Jaeger v1 chart)',
      [
        svc(
          'jaeger-query',
          { 'app.kubernetes.io/name': 'jaeger', 'app.kubernetes.io/component': 'service-query' },
          [
            { name: 'http-query', port: 16686, targetPort: 16686 },
            { name: 'grpc-query', port: 16685, targetPort: 16685 },
          ],
          'otel-demo',
        ),
        svc(
          'jaeger-collector',
          { 'app.kubernetes.io/name': 'jaeger', 'app.kubernetes.io/component': 'service-collector' },
          [{ name: 'http-zipkin', port: 9411 }],
          'otel-demo',
        ),
      ],
      'jaeger',
      [],
      'otel-demo/jaeger-query:16686',
    ],
    [
      // examples/default/rendered/jaeger/jaeger/jaeger-service.yaml: one all-in-one Service, many ports.
      'the OpenTelemetry demo’s all-in-one `jaeger` (Jaeger v2 chart): its http-query port',
      [
        svc(
          'jaeger',
          { 'app.kubernetes.io/name': 'jaeger', 'app.kubernetes.io/component': 'all-in-one' },
          [
            { name: 'zk-compact-trft', port: 5775 },
            { name: 'config-rest', port: 5778 },
            { name: 'http-zipkin', port: 9411 },
            { name: 'otlp-http', port: 4318 },
            { name: 'http-query', port: 16686, targetPort: 16686 },
            { name: 'grpc-query', port: 16685 },
          ],
          'otel-demo',
        ),
      ],
      'jaeger',
      [],
      'otel-demo/jaeger:16686',
    ],
    [
      'nothing without a query port',
      [svc('jaeger-agent', { app: 'jaeger' }, [{ port: 6831 }])],
      'jaeger',
      [],
      undefined,
    ],
  ] as const)('%s', (_, services, backend, preferred, expected) => {
    const chosen = chooseService([...services], backend, [...preferred]);
    expect(chosen && `${chosen.namespace}/${chosen.name}:${chosen.port}`).toBe(expected);
  });

  it('keeps the base path when joining API paths onto a proxy URL', () => {
    const base = 'https://k8s:6443/api/v1/namespaces/observe/services/https:prometheus-server:443/proxy/';
    expect(endpoint(base, '/api/v1/query', { query: 'up' }).href).toBe(
      'https://k8s:6443/api/v1/namespaces/observe/services/https:prometheus-server:443/proxy/api/v1/query?query=up',
    );
  });
});
