/**
 * A real Prometheus whose target stops answering marks that target's series stale at once: an instant
 * selector then sees no family at all. Metric detection looks over Prometheus' lookback instead, so one missed
 * scrape (a busy exporter, a restarted kube-state-metrics) does not turn every signal into "not measured", and
 * names the families that went stale as a gap: found, but possibly missing now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getApp, SimCluster, SimServer } from '../../aiopslab-harness/sim/index.js';
import { detectFamilies } from '../../src/observer/metric-detect.js';
import { PrometheusReader } from '../../src/observer/prometheus-reader.js';
import type { ScrapeTarget } from './real-prometheus.js';
import { findPrometheus, RealPrometheus } from './real-prometheus.js';

const binary = findPrometheus();
const NS = 'test-hotel-reservation';
const FAMILY = 'kube_deployment_status_replicas_available';

let server: SimServer;
let prometheus: RealPrometheus;

describe.skipIf(!binary)('metric detection after a target went stale (real Prometheus)', () => {
  beforeAll(async () => {
    const cluster = new SimCluster({ seed: 5 });
    cluster.deployApp(getApp('hotel-reservation')!);
    cluster.settle();
    server = await SimServer.start({ cluster, realtime: true, speed: 1 });
    const target: ScrapeTarget = { address: new URL(server.url).host, path: `/metrics/kube-state/${NS}` };
    prometheus = await RealPrometheus.start(binary!, server.caPem, server.tokens.observer, [target]);
    await prometheus.waitFor('a few successful scrapes', async () => {
      return (await prometheus.value('sum_over_time(up[1m])')) >= 3;
    });
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await server?.close();
  });

  it('still finds the family in the namespace once an instant query sees none', async () => {
    const reader = new PrometheusReader({ url: prometheus.url });
    const before = await detectFamilies(reader, NS, 60);
    expect(before.inScope.has(FAMILY)).toBe(true);
    expect(before.gaps.filter((g) => g.code === 'stale')).toEqual([]);
    // The target goes away: Prometheus writes stale markers for every series it had.
    await prometheus.setTargets([]);
    await prometheus.waitFor('the series to go stale', async () =>
      Number.isNaN(await prometheus.value(`count(${FAMILY}{namespace="${NS}"})`)),
    );
    const after = await detectFamilies(reader, NS, 60);
    expect(after.inScope.has(FAMILY)).toBe(true);
    // Found, and named as a blind spot: what it measures may be missing now.
    const stale = after.gaps.filter((g) => g.code === 'stale');
    expect(stale.map((g) => g.what)).toEqual(['metrics: families gone stale here']);
    expect(stale[0]?.message).toContain(FAMILY);
  }, 120_000);
});
