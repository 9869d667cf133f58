import { describe, expect, it } from 'vitest';
import { astronomyShop } from '../../../aiopslab-harness/sim/apps/astronomy-shop.js';
import { SimCluster } from '../../../aiopslab-harness/sim/cluster.js';
import { injectFault } from '../../../aiopslab-harness/sim/faults/index.js';
import { Evaluator } from '../../../aiopslab-harness/sim/telemetry/promql-eval.js';
import { parsePromQL } from '../../../aiopslab-harness/sim/telemetry/promql-parser.js';
import { ClusterSeriesSource } from '../../../aiopslab-harness/sim/telemetry/series.js';

const NS = astronomyShop.defaultNamespace;

/** astronomy-shop, 10 minutes healthy, then the flag on for 5 minutes. */
function withFlag(flag: string | undefined): SimCluster {
  const cluster = new SimCluster({ seed: 3 });
  cluster.deployApp(astronomyShop);
  expect(cluster.settle()).toBe(true);
  cluster.advance(10 * 60_000);
  if (flag) injectFault(cluster, NS, { kind: 'feature_flag', target: '', params: { flag } });
  cluster.advance(5 * 60_000);
  return cluster;
}

/** An instant query now, as `labels → value` with the labels named in `by`. */
function query(cluster: SimCluster, promql: string, by: string[]): Record<string, number> {
  const now = cluster.clock.now();
  const value = new Evaluator(new ClusterSeriesSource(cluster.world, now)).instant(parsePromQL(promql), now);
  if (value.type !== 'vector') throw new Error(`${promql} gave a ${value.type}`);
  return Object.fromEntries(value.samples.map((s) => [by.map((l) => s.labels[l]).join('>'), s.v]));
}

const errorRatio = (metric: string, by: string) =>
  `sum by (${by}) (rate(${metric}{namespace="${NS}",code="500"}[2m])) / sum by (${by}) (rate(${metric}{namespace="${NS}"}[2m]))`;
const edgeP99 = `histogram_quantile(0.99, sum by (service, peer, le) (rate(client_request_duration_seconds_bucket{namespace="${NS}"}[2m])))`;

describe('feature flags in the generated telemetry', () => {
  it('cartFailure: cart counts the calls it fails itself; only checkout’s calls fail', () => {
    const cluster = withFlag('cartFailure');
    const served = query(cluster, errorRatio('requests_total', 'service'), ['service']);
    expect(served['cart']).toBeGreaterThan(0.1);
    expect(served['cart']).toBeLessThan(0.9);
    const edges = query(cluster, errorRatio('client_requests_total', 'service, peer'), ['service', 'peer']);
    expect(edges['checkout>cart']).toBeGreaterThan(0.9);
    expect(edges['frontend>cart']).toBe(0);
  });

  it('imageSlowLoad: calls to the frontend are slow, calls to image-provider are not', () => {
    const cluster = withFlag('imageSlowLoad');
    const p99 = query(cluster, edgeP99, ['service', 'peer']);
    expect(p99['frontend-proxy>frontend']).toBeGreaterThanOrEqual(5);
    expect(p99['frontend-proxy>image-provider']).toBeLessThan(0.1);
  });

  it('kafkaQueueProblems: consumers poll kafka and wait on it; kafka’s traffic rises against its baseline', () => {
    const healthy = withFlag(undefined);
    const calm = query(healthy, edgeP99, ['service', 'peer']);
    expect(calm['accounting>kafka']).toBeLessThan(0.1);
    const cluster = withFlag('kafkaQueueProblems');
    const p99 = query(cluster, edgeP99, ['service', 'peer']);
    expect(p99['accounting>kafka']).toBeGreaterThanOrEqual(5);
    expect(p99['fraud-detection>kafka']).toBeGreaterThanOrEqual(5);
    const rise = query(
      cluster,
      `sum by (service) (rate(requests_total{namespace="${NS}",service="kafka"}[2m])) / sum by (service) (rate(requests_total{namespace="${NS}",service="kafka"}[5m] offset 5m))`,
      ['service'],
    );
    expect(rise['kafka']).toBeGreaterThan(5);
  });
});
