import { describe, expect, it } from 'vitest';
import { resourceByKind } from '../../../aiopslab-harness/sim/api/resources.js';
import { getApp } from '../../../aiopslab-harness/sim/apps/index.js';
import { SimCluster } from '../../../aiopslab-harness/sim/cluster.js';
import type { Service } from '../../../aiopslab-harness/sim/model.js';
import { asView } from '../../../aiopslab-harness/sim/model.js';
import { SCRAPE_MS } from '../../../aiopslab-harness/sim/telemetry/samplers.js';
import { ClusterSeriesSource } from '../../../aiopslab-harness/sim/telemetry/series.js';
import type { Matcher, Sample } from '../../../aiopslab-harness/sim/telemetry/types.js';

const NS = 'test-hotel-reservation';

function running(): SimCluster {
  const cluster = new SimCluster({ seed: 9 });
  cluster.deployApp(getApp('hotel-reservation')!);
  expect(cluster.settle()).toBe(true);
  cluster.advance(20 * 60_000);
  return cluster;
}

const eq = (name: string, value: string): Matcher => ({ name, op: '=', value });

function samples(cluster: SimCluster, matchers: Matcher[], from: number, to: number): Sample[] {
  const series = new ClusterSeriesSource(cluster.world, cluster.clock.now()).select(matchers);
  expect(series).toHaveLength(1);
  return series[0]!.samples(from, to);
}

describe('generated series', () => {
  it('samples counters on the scrape grid, monotonic, at the workload’s rate', () => {
    const cluster = running();
    const now = cluster.clock.now();
    const points = samples(
      cluster,
      [eq('__name__', 'requests_total'), eq('namespace', NS), eq('service', 'frontend'), eq('code', '200')],
      now - 15 * 60_000,
      now,
    );
    expect(points).toHaveLength(60);
    for (const p of points) expect(p.t % SCRAPE_MS).toBe(0);
    for (let i = 1; i < points.length; i++) expect(points[i]!.v).toBeGreaterThanOrEqual(points[i - 1]!.v);
    const perSecond = (points.at(-1)!.v - points[0]!.v) / ((points.at(-1)!.t - points[0]!.t) / 1000);
    expect(perSecond).toBeGreaterThan(19);
    expect(perSecond).toBeLessThan(21);
  });

  it('gives the same numbers on every read, and keeps the past when health changes', () => {
    const cluster = running();
    const before = cluster.clock.now();
    const geoCalls = [
      eq('__name__', 'client_requests_total'),
      eq('namespace', NS),
      eq('service', 'search'),
      eq('peer', 'geo'),
      eq('code', '500'),
    ];
    const past = samples(cluster, geoCalls, before - 10 * 60_000, before);
    expect(samples(cluster, geoCalls, before - 10 * 60_000, before)).toEqual(past);
    expect(new Set(past.map((p) => p.v))).toEqual(new Set([0]));

    cluster.store.mutate(resourceByKind('Service'), NS, 'geo', (o) => {
      const port = asView<Service>(o).spec.ports?.[0];
      if (port) port.targetPort = 9999;
    });
    cluster.reconcile();
    cluster.advance(5 * 60_000);
    expect(samples(cluster, geoCalls, before - 10 * 60_000, before)).toEqual(past);
    const after = samples(cluster, geoCalls, before, cluster.clock.now());
    expect(after.at(-1)!.v).toBeGreaterThan(1000);
  });

  it('keeps no series for pods that are not there, nor samples past now', () => {
    const cluster = running();
    const now = cluster.clock.now();
    const source = new ClusterSeriesSource(cluster.world, now);
    expect(source.select([eq('namespace', 'nosuch')])).toEqual([]);
    const [cpu] = source.select([eq('__name__', 'container_cpu_usage_seconds_total'), eq('namespace', NS)]);
    expect(cpu!.samples(now, now + 60_000)).toEqual([]);
    expect(cpu!.samples(0, 60_000)).toEqual([]);
  });
});
