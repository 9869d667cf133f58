import { afterEach, describe, expect, it } from 'vitest';
import type { Evidence } from '../../src/core/evidence.js';
import type { SimServer } from '../../aiopslab-harness/sim/index.js';
import { observe } from '../../src/observer/observe.js';
import type { Scenario } from './sim-helpers.js';
import { apiReader, metricsOf, startScenario } from './sim-helpers.js';

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ASTRONOMY = 'astronomy-shop';
const METRIC_SIGNALS = ['CpuHigh', 'MemoryHigh', 'TrafficSpike', 'PeerLatency'];

async function evidenceOf(scenario: Scenario): Promise<Evidence[]> {
  const started = await startScenario(scenario);
  server = started.server;
  const result = await observe(apiReader(server), {
    namespace: started.namespace,
    metrics: metricsOf(server),
    maxEvidenceTokens: 20_000,
  });
  if (!result.ok) throw new Error(result.error.message);
  return result.value.evidence;
}

const flag = (name: string): Scenario => ({ app: ASTRONOMY, fault: 'feature_flag', params: { flag: name } });
const bySignal = (evidence: Evidence[], signal: string) => evidence.filter((e) => e.signal === signal);

describe('saturation against a baseline, and per-edge latency', () => {
  it('adHighCpu: CpuHigh on ad, against its own baseline', async () => {
    const evidence = await evidenceOf(flag('adHighCpu'));
    const cpu = bySignal(evidence, 'CpuHigh');
    expect(cpu.map((e) => e.component)).toEqual(['ad']);
    expect(cpu[0]).toMatchObject({ source: 'metrics', subject: { kind: 'Deployment', name: 'ad' } });
    expect(Number(cpu[0]!.attributes?.['ratio'])).toBeGreaterThan(4);
    expect(Number(cpu[0]!.attributes?.['baselineCores'])).toBeGreaterThan(0);
  });

  it('loadGeneratorFloodHomepage: the spike is the frontend’s own; callees only pass it on', async () => {
    const evidence = await evidenceOf(flag('loadGeneratorFloodHomepage'));
    expect(bySignal(evidence, 'TrafficSpike').map((e) => e.component)).toEqual(['frontend']);
    expect(bySignal(evidence, 'CpuHigh').map((e) => e.component)).toEqual(['frontend']);
    expect(Number(bySignal(evidence, 'TrafficSpike')[0]!.attributes?.['ratio'])).toBeGreaterThan(5);
  });

  it('imageSlowLoad: frontend-proxy’s calls to frontend are slow and blame it', async () => {
    const evidence = await evidenceOf(flag('imageSlowLoad'));
    const peer = bySignal(evidence, 'PeerLatency');
    const proxy = peer.find((e) => e.component === 'frontend-proxy');
    expect(proxy).toMatchObject({
      blames: ['frontend'],
      severity: 'error',
      attributes: { peer: 'frontend' },
    });
    expect(peer.some((e) => e.blames?.includes('image-provider'))).toBe(false);
    expect(evidence.some((e) => e.component === 'frontend' && e.signal === 'LatencyHigh')).toBe(true);
    expect(evidence.some((e) => e.component === 'image-provider' && e.source === 'metrics')).toBe(false);
  });

  it('kafkaQueueProblems: kafka surges; its consumers wait on it', async () => {
    const evidence = await evidenceOf(flag('kafkaQueueProblems'));
    expect(bySignal(evidence, 'TrafficSpike').map((e) => e.component)).toEqual(['kafka']);
    expect(bySignal(evidence, 'CpuHigh').map((e) => e.component)).toEqual(['kafka']);
    const lag = bySignal(evidence, 'PeerLatency').filter((e) => e.blames?.includes('kafka'));
    expect(lag.map((e) => e.component).sort()).toEqual(['accounting', 'fraud-detection']);
  });

  it('recommendationCacheFailure: MemoryHigh on recommendation', async () => {
    const evidence = await evidenceOf(flag('recommendationCacheFailure'));
    expect(bySignal(evidence, 'MemoryHigh').map((e) => e.component)).toEqual(['recommendation']);
  });

  it('a healthy cluster with noise shows no metrics warnings at all', async () => {
    const evidence = await evidenceOf({ app: ASTRONOMY, noise: 'restarted_once' });
    expect(evidence.filter((e) => e.source === 'metrics' && e.severity !== 'info')).toEqual([]);
    expect(evidence.filter((e) => METRIC_SIGNALS.includes(e.signal))).toEqual([]);
  });
});
