import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimServer } from '../../aiopslab-harness/sim/index.js';
import { quantileOf } from '../../src/observer/analyzers/metric-query.js';
import { DEFAULT_BASELINE, analyzeTelemetry, planBaseline } from '../../src/observer/analyzers/telemetry.js';
import { PrometheusReader } from '../../src/observer/prometheus-reader.js';
import { observe } from '../../src/observer/observe.js';
import { apiReader, metricsOf, startScenario } from './sim-helpers.js';

let sim: SimServer | undefined;
let fake: Server | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  fake?.closeAllConnections();
  await new Promise<void>((resolve) => (fake ? fake.close(() => resolve()) : resolve()));
  fake = undefined;
});

/** A Prometheus that holds only its own metrics (it scrapes nothing the observer knows). */
async function barePrometheus(): Promise<string> {
  fake = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/api/v1/label/__name__/values')
      res.end(
        JSON.stringify({ status: 'success', data: ['go_goroutines', 'process_cpu_seconds_total', 'up'] }),
      );
    else if (url.pathname === '/api/v1/query')
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1e9, '1e9'] } }));
    else res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'unexpected' }));
  });
  await new Promise<void>((resolve) => fake!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
}

const empty = { pods: [], deployments: [], statefulsets: [], replicasets: [], services: [] };

describe('no silent blind spots', () => {
  it('a Prometheus with none of the known families is a gap naming what was looked for', async () => {
    const result = await analyzeTelemetry(
      new PrometheusReader({ url: await barePrometheus() }),
      'shop',
      empty,
    );
    expect(result.findings).toEqual([]);
    expect(result.gaps).toHaveLength(1);
    expect(result.gaps[0]).toMatchObject({ what: 'metrics: no known metric family', code: 'not-found' });
    expect(result.gaps[0]!.message).toMatch(
      /kube-state-metrics, cAdvisor, OpenTelemetry.*istio_requests_total/,
    );
  });

  it('families Prometheus holds but not for this namespace are gaps, one per signal left unmeasured', async () => {
    const started = await startScenario({ app: 'hotel-reservation' });
    sim = started.server;
    const result = await observe(apiReader(sim), { namespace: 'nothing-here', metrics: metricsOf(sim) });
    if (!result.ok) throw new Error(result.error.message);
    const gaps = result.value.gaps.filter((g) => g.what.startsWith('metrics'));
    expect(gaps.map((g) => g.what)).toEqual([
      'metrics: families without series here',
      'metrics: error ratio not measured',
      'metrics: latency not measured',
      'metrics: traffic not measured',
      'metrics: CPU not measured',
      'metrics: memory not measured',
      'metrics: restarts not measured',
      'metrics: availability not measured',
    ]);
    expect(gaps[0]!.message).toMatch(
      /container_cpu_usage_seconds_total.*exist in Prometheus but have no series in namespace nothing-here/,
    );
    expect(gaps.find((g) => g.what === 'metrics: CPU not measured')?.message).toBe(
      'no series of container_cpu_usage_seconds_total in namespace nothing-here',
    );
  });
});

describe('the baseline window', () => {
  const at = (held: number) => ({ inScope: new Set<string>(), now: 10_000, oldest: 10_000 - held, gaps: [] });

  it('is 30 minutes ago when Prometheus holds 35 minutes, else 5 minutes ago', () => {
    expect(planBaseline(at(36 * 60), DEFAULT_BASELINE)).toEqual({ offset: 1800, window: 300, now: 120 });
    expect(planBaseline(at(11 * 60), DEFAULT_BASELINE)).toEqual({ offset: 300, window: 300, now: 120 });
  });

  it('shrinks to the part Prometheus holds in full, never a half-empty window', () => {
    expect(planBaseline(at(8 * 60), DEFAULT_BASELINE)).toEqual({ offset: 300, window: 180, now: 120 });
  });

  it('is unknown with two minutes of history', () => {
    expect(planBaseline(at(120), DEFAULT_BASELINE, 'shop')).toEqual({
      what: 'metrics: baseline unknown',
      code: 'no-history',
      namespace: 'shop',
      message:
        'Prometheus holds 2 min of history here; a baseline needs 7 min, so traffic, CPU and memory are not compared with their past (no spike is flagged)',
    });
  });
});

describe('quantiles of summed buckets', () => {
  it('interpolates within the bucket the rank falls in, as histogram_quantile does', () => {
    const buckets = new Map([
      [0.1, 50],
      [1, 90],
      [10, 100],
      [Infinity, 100],
    ]);
    expect(quantileOf(0.5, buckets)).toBeCloseTo(0.1);
    expect(quantileOf(0.99, buckets)).toBeCloseTo(1 + 9 * 0.9);
    expect(quantileOf(0.99, new Map([[Infinity, 0]]))).toBeUndefined();
  });
});
