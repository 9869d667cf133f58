/**
 * The observer against a real Prometheus (Debian's `prometheus`) that scrapes the simulator's pods over
 * HTTPS with the observer's token, the simulator's own metric names switched off: each fault must show as
 * the same component and signal as through the simulator's own Prometheus API, in every request dialect.
 * One Prometheus and one realtime cluster serve every case (faults in two namespaces) to keep it short.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimCluster, SimServer, getApp, renderKubeconfig } from '../../aiopslab-harness/sim/index.js';
import { injectFault } from '../../aiopslab-harness/sim/faults/index.js';
import { resourceByKind } from '../../aiopslab-harness/sim/api/resources.js';
import type { Evidence } from '../../src/core/evidence.js';
import type { BaselineOptions, MetricsSource } from '../../src/observer/analyzers/telemetry.js';
import { REQUEST_FAMILIES } from '../../src/observer/metric-dialects.js';
import { PrometheusReader } from '../../src/observer/prometheus-reader.js';
import { observe } from '../../src/observer/observe.js';
import { spawnAoi } from '../cli/spawn-aoi.js';
import type { ScrapeTarget } from './real-prometheus.js';
import { RealPrometheus, findPrometheus } from './real-prometheus.js';
import { apiReader } from './sim-helpers.js';

const binary = findPrometheus();
if (!binary)
  console.log('skipping the real-Prometheus tests: no prometheus binary on PATH or at /usr/bin/prometheus');

/** What the simulator serves (its own names off), and the request dialects observed one at a time. */
const SERVED = ['otel', 'istio', 'linkerd'] as const;
const DIALECTS = ['otel', 'spanmetrics', 'istio', 'linkerd'] as const;
const FAULTS: [string, { kind: string; target: string; params: Record<string, string> }][] = [
  ...['adHighCpu', 'recommendationCacheFailure', 'kafkaQueueProblems', 'cartFailure', 'imageSlowLoad'].map(
    (flag) => ['shop', { kind: 'feature_flag', target: '', params: { flag } }] as (typeof FAULTS)[number],
  ),
  ['hotel', { kind: 'container_kill', target: 'geo', params: {} }],
  ['hotel', { kind: 'assign_to_non_existent_node', target: 'user', params: {} }],
];
/** One fault per signal family: namespace, component, signal. */
const EXPECTED: [string, string, string][] = [
  ['shop', 'cart', 'ErrorRateHigh'],
  ['shop', 'checkout', 'PeerErrorRate'],
  ['shop', 'frontend', 'LatencyHigh'],
  ['shop', 'frontend-proxy', 'PeerLatency'],
  ['shop', 'kafka', 'TrafficSpike'],
  ['shop', 'ad', 'CpuHigh'],
  ['shop', 'recommendation', 'MemoryHigh'],
  ['hotel', 'geo', 'RestartsRising'],
  ['hotel', 'user', 'ReplicasShort'],
];
const SPIKES = ['TrafficSpike', 'CpuHigh', 'MemoryHigh'];
/**
 * The pods Prometheus scrapes: those of the workloads the cases are about (plus kube-state-metrics). All 40
 * pods every second in three dialects would take the simulator more than the one core a test may use.
 */
const SCRAPED: Record<string, string[]> = {
  shop: ['cart', 'checkout', 'ad', 'kafka', 'recommendation', 'frontend', 'frontend-proxy', 'otel-collector'],
  hotel: ['geo', 'user'],
};
/** Seconds of scrapes before the faults, and after them. */
const HEALTHY_S = 14;
const FAULTY_S = 10;
/**
 * A baseline that fits the short history: 8 s ending just before the faults (however long the observations
 * before took on a busy machine), now over the last 6 s.
 */
const shortBaseline = (injectedAt: number): BaselineOptions => ({
  offsets: [Math.ceil(Date.now() / 1000 - injectedAt) + 1],
  window: 8,
  minWindow: 6,
  now: 6,
});

function newCluster(): SimCluster {
  const cluster = new SimCluster({ seed: 11 });
  cluster.deployApp(getApp('astronomy-shop')!, 'shop');
  cluster.deployApp(getApp('hotel-reservation')!, 'hotel');
  expect(cluster.settle()).toBe(true);
  // The simulator's own names off: only the dialects real exporters write.
  cluster.world.metricDialects = [...SERVED];
  return cluster;
}

const injectAll = (cluster: SimCluster) => {
  for (const [ns, fault] of FAULTS) injectFault(cluster, ns, fault);
};

/** The Prometheus API with every request dialect but one hidden, as if only that one were installed. */
function onlyDialect(source: MetricsSource, dialect: string): MetricsSource {
  const hidden = new Set(
    REQUEST_FAMILIES.filter((f) => !f.dialect.startsWith(dialect)).flatMap((f) => [
      f.count,
      f.buckets?.metric,
    ]),
  );
  for (const f of REQUEST_FAMILIES.filter((f) => f.dialect.startsWith(dialect))) {
    hidden.delete(f.count);
    hidden.delete(f.buckets?.metric);
  }
  return {
    query: (q, at) => source.query(q, at),
    queryRange: (q, a, b, c) => source.queryRange(q, a, b, c),
    labelValues: async (label) => {
      const names = await source.labelValues(label);
      return names.ok ? { ok: true, value: names.value.filter((n) => !hidden.has(n)) } : names;
    },
  };
}

const found = (evidence: readonly Evidence[]) =>
  evidence
    .filter((e) => e.source === 'metrics')
    .map((e) => `${e.subject.namespace}/${e.component}/${e.signal}`);
const key = ([ns, component, signal]: [string, string, string]) => `${ns}/${component}/${signal}`;

/**
 * The collector's spanmetrics have no client side (no peer) and cover the instrumented services only
 * (kafka is not one): those cases are not theirs.
 */
const expectedFor = (dialect: string) =>
  EXPECTED.filter(
    ([, component, signal]) =>
      dialect !== 'spanmetrics' || (!signal.startsWith('Peer') && component !== 'kafka'),
  ).map(key);

async function findings(server: SimServer, metrics: MetricsSource, baseline?: BaselineOptions) {
  const out: Evidence[] = [];
  for (const namespace of ['shop', 'hotel']) {
    const result = await observe(apiReader(server), {
      namespace,
      metrics,
      maxEvidenceTokens: 100_000,
      ...(baseline ? { metricsBaseline: baseline } : {}),
    });
    if (!result.ok) throw new Error(result.error.message);
    // Nothing about another namespace is filed under this one.
    const elsewhere = result.value.evidence.filter(
      (e) => e.source === 'metrics' && e.subject.namespace !== namespace,
    );
    expect(elsewhere).toEqual([]);
    out.push(...result.value.evidence);
  }
  return out;
}

describe('the simulator’s own Prometheus API, in simulated time', () => {
  it('shows each fault in every request dialect, and nothing from the other namespace', async () => {
    const cluster = newCluster();
    cluster.advance(5 * 60_000);
    injectAll(cluster);
    cluster.advance(3 * 60_000);
    const server = await SimServer.start({ cluster });
    try {
      const reader = new PrometheusReader({
        url: server.url,
        token: server.tokens.observer,
        caPem: server.caPem,
      });
      for (const dialect of DIALECTS) {
        const evidence = await findings(server, onlyDialect(reader, dialect));
        expect(found(evidence), dialect).toEqual(expect.arrayContaining(expectedFor(dialect)));
      }
    } finally {
      await server.close();
    }
  }, 120_000);
});

describe.skipIf(!binary)('a real Prometheus scraping the simulator', () => {
  let cluster: SimCluster;
  let server: SimServer;
  let prometheus: RealPrometheus;
  let home: string;
  let injectedAt: number;

  const targets = (): ScrapeTarget[] => {
    const address = new URL(server.url).host;
    return Object.entries(SCRAPED).flatMap(([ns, workloads]) => [
      { address, path: `/metrics/kube-state/${ns}` },
      ...cluster.store
        .peekAll(resourceByKind('Pod'), ns)
        .map((p) => (p['metadata'] as { name: string }).name)
        .filter((pod) => workloads.some((w) => new RegExp(`^${w}-[a-z0-9]+-[a-z0-9]+$`).test(pod)))
        .map((pod) => ({ address, path: `/metrics/pods/${ns}/${pod}` })),
    ]);
  };

  beforeAll(async () => {
    cluster = newCluster();
    // Realtime, so that every scrape reads values that moved since the last one.
    server = await SimServer.start({ cluster, realtime: true, speed: 1 });
    const started = performance.now();
    prometheus = await RealPrometheus.start(binary!, server.caPem, server.tokens.observer, targets());
    const count = targets().length;
    await prometheus.waitFor(
      'every target up',
      async () => (await prometheus.value('count(up == 1)')) === count,
    );
    // A baseline needs HEALTHY_S seconds of scrapes before the faults.
    await prometheus.waitFor(
      `${HEALTHY_S} s of scrapes`,
      async () => (await prometheus.value(`min(count_over_time(up[1m]))`)) >= HEALTHY_S,
    );
    injectedAt = Date.now() / 1000;
    injectAll(cluster);
    // Then FAULTY_S seconds of scrapes of the faulty cluster; pods replaced meanwhile join the targets.
    await prometheus.waitFor(`${FAULTY_S} s of scrapes after the faults`, async () => {
      await prometheus.setTargets(targets());
      return (await prometheus.value(`min(timestamp(up))`)) >= injectedAt + FAULTY_S;
    });
    console.log(
      `real Prometheus: ${count} targets, ready for the observer after ${Math.round(performance.now() - started)} ms`,
    );
    home = await mkdtemp(join(tmpdir(), 'aoi-real-prom-'));
  }, 90_000);

  afterAll(async () => {
    await prometheus?.stop();
    await server?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('the observer finds each fault as the simulator’s API shows it, in every request dialect', async () => {
    const reader = new PrometheusReader({ url: prometheus.url });
    const table: string[] = [];
    for (const dialect of DIALECTS) {
      const evidence = await findings(server, onlyDialect(reader, dialect), shortBaseline(injectedAt));
      const seen = found(evidence);
      table.push(
        `${dialect}: ${EXPECTED.map((e) => `${e[2]}=${seen.includes(key(e)) ? 'found' : expectedFor(dialect).includes(key(e)) ? 'NOT FOUND' : 'n.a.'}`).join(' ')}`,
      );
      expect(seen, dialect).toEqual(expect.arrayContaining(expectedFor(dialect)));
      // Every signal measured, on a baseline Prometheus holds (hotel's unscraped frontend is a gap, rightly;
      // so are hotel's requests under spanmetrics: hotel runs no OpenTelemetry collector).
      const blind = evidence.filter(
        (e) =>
          e.signal === 'gap' &&
          /not measured|baseline/.test(e.subject.name) &&
          (dialect !== 'spanmetrics' || e.subject.namespace === 'shop'),
      );
      expect(blind, dialect).toEqual([]);
    }
    console.log(`dialect × signal against the real Prometheus:\n${table.join('\n')}`);
  }, 60_000);

  it('with less history than the default baseline: a baseline-unknown gap and no spike (aoi observe)', async () => {
    const kubeconfig = join(home, 'kubeconfig');
    await writeFile(kubeconfig, renderKubeconfig(server.url, server.tokens, server.caPem), { mode: 0o600 });
    const run = await spawnAoi(
      [
        'observe',
        '-n',
        'shop',
        '--kubeconfig',
        kubeconfig,
        '--prometheus-url',
        prometheus.url,
        '--output',
        'json',
        '--max-evidence-tokens',
        '100000',
      ],
      home,
    );
    expect([1, 3], run.stderr).toContain(run.exitCode);
    const report = JSON.parse(run.stdout) as {
      evidence: Evidence[];
      gaps: { what: string; message: string }[];
    };
    const baseline = report.gaps.find((g) => g.what === 'metrics: baseline unknown');
    expect(baseline?.message).toMatch(/Prometheus holds \d+ s of history here; a baseline needs 7 min/);
    expect(report.evidence.filter((e) => SPIKES.includes(e.signal))).toEqual([]);
    // What needs no baseline is still found, as through the simulator's API.
    expect(found(report.evidence)).toEqual(
      expect.arrayContaining([
        'shop/cart/ErrorRateHigh',
        'shop/frontend/LatencyHigh',
        'shop/checkout/PeerErrorRate',
      ]),
    );
  }, 60_000);
});
