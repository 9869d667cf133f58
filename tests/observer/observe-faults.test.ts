import { afterEach, describe, expect, it } from 'vitest';
import type { Evidence } from '../../src/core/evidence.js';
import { Evidence as EvidenceSchema } from '../../src/core/evidence.js';
import type { SimServer } from '../../aiopslab-harness/sim/index.js';
import { observe } from '../../src/observer/observe.js';
import { PrometheusReader } from '../../src/observer/prometheus-reader.js';
import { apiReader, metricsOf, startScenario } from './sim-helpers.js';

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const about = (target: string) => (e: Evidence) =>
  e.subject.name === target || e.subject.name.startsWith(`${target}-`);

/**
 * fault, app, target ('' = namespace-wide), the signal that must be in the top 5 about the target, and the
 * fault's parameters. Every Kubernetes fault kind of the problem set is here, feature flags once per flag.
 */
type Row = [fault: string, app: string, target: string, signal: string, params?: Record<string, string>];
const TABLE: Row[] = [
  ['misconfig_k8s_target_port', 'social-network', 'user-service', 'TargetPortMismatch'],
  ['scale_pods_to_zero', 'social-network', 'user-service', 'ScaledToZero'],
  ['assign_to_non_existent_node', 'social-network', 'user-service', 'FailedScheduling'],
  ['wrong_bin_usage', 'hotel-reservation', 'profile', 'WrongBinary'],
  ['revoke_auth_mongodb', 'hotel-reservation', 'mongodb-geo', 'AuthErrors'],
  ['user_unregistered_mongodb', 'hotel-reservation', 'mongodb-geo', 'AuthErrors'],
  ['misconfig_app', 'hotel-reservation', 'geo', 'CrashLoopBackOff'],
  ['redeploy_without_pv', 'hotel-reservation', '', 'PVCPending'],
  ['auth_miss_mongodb', 'social-network', 'url-shorten-mongodb', 'CallerErrors'],
  ['pod_failure', 'hotel-reservation', 'user', 'ContainerRestarted'],
  ['container_kill', 'hotel-reservation', 'geo', 'ContainerRestarted'],
  ['network_delay', 'hotel-reservation', 'user', 'LatencyHigh'],
  ['network_loss', 'hotel-reservation', 'user', 'CallerErrors'],
  ['pod_kill', 'hotel-reservation', 'user', 'ContainerRestarted'],
  ['feature_flag', 'astronomy-shop', 'ad', 'ErrorRateHigh', { flag: 'adFailure' }],
  ['feature_flag', 'astronomy-shop', 'ad', 'CpuHigh', { flag: 'adHighCpu' }],
  ['feature_flag', 'astronomy-shop', 'ad', 'LatencyHigh', { flag: 'adManualGc' }],
  ['feature_flag', 'astronomy-shop', 'cart', 'ErrorRateHigh', { flag: 'cartFailure' }],
  ['feature_flag', 'astronomy-shop', 'checkout', 'UnknownHost', { flag: 'paymentUnreachable' }],
  ['feature_flag', 'astronomy-shop', 'frontend', 'LatencyHigh', { flag: 'imageSlowLoad' }],
  ['feature_flag', 'astronomy-shop', 'frontend', 'TrafficSpike', { flag: 'loadGeneratorFloodHomepage' }],
  ['feature_flag', 'astronomy-shop', 'kafka', 'CpuHigh', { flag: 'kafkaQueueProblems' }],
  ['feature_flag', 'astronomy-shop', 'payment', 'ErrorRateHigh', { flag: 'paymentFailure' }],
  ['feature_flag', 'astronomy-shop', 'product-catalog', 'ErrorRateHigh', { flag: 'productCatalogFailure' }],
  ['feature_flag', 'astronomy-shop', 'recommendation', 'MemoryHigh', { flag: 'recommendationCacheFailure' }],
];
/**
 * Faults visible without metrics: network faults show only in latency and error rates, and most flags only
 * in error rates, latency and saturation.
 */
const WITHOUT_METRICS = TABLE.filter(([fault]) => !fault.startsWith('network_') && fault !== 'feature_flag');

describe('observe() against the simulated cluster', () => {
  it.each(TABLE)(
    '%s on %s/%s: the root cause is in the top 5 (with metrics)',
    async (fault, app, target, signal, params) => {
      const started = await startScenario({
        app,
        fault,
        target,
        ...(params === undefined ? {} : { params }),
      });
      server = started.server;
      const result = await observe(apiReader(server), {
        namespace: started.namespace,
        metrics: metricsOf(server),
      });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const report = result.value;
      const top = report.evidence.slice(0, 5);
      const hit = top.find((e) => e.signal === signal && (target === '' || about(target)(e)));
      expect(hit, top.map((e) => `${e.id} ${e.signal} ${e.subject.name}`).join('\n')).toBeDefined();
      expect(report.incident).toBe(true);
      expect(report.evidence.map((e) => e.id)).toEqual(report.evidence.map((_, i) => `ev-${i + 1}`));
      for (const e of report.evidence) expect(() => EvidenceSchema.parse(e)).not.toThrow();
    },
  );

  it('ranks the misrouted Service above the connection-refused logs of its callers', async () => {
    const started = await startScenario({
      app: 'social-network',
      fault: 'misconfig_k8s_target_port',
      target: 'user-service',
    });
    server = started.server;
    const result = await observe(apiReader(server), { namespace: started.namespace });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.evidence[0]).toMatchObject({
      signal: 'TargetPortMismatch',
      subject: { kind: 'Service', name: 'user-service' },
    });
    expect(
      result.value.evidence.some((e) => e.signal === 'ErrorLogs' && /user-service/.test(e.summary)),
    ).toBe(true);
  });

  it.each([
    ['hotel-reservation', 'benign_error_logs'],
    ['social-network', 'benign_error_logs'],
    ['hotel-reservation', 'completed_job'],
    ['hotel-reservation', 'recent_rollout'],
    ['hotel-reservation', 'restarted_once'],
  ])('finds no incident in a healthy %s with noise %s', async (app, noise) => {
    const started = await startScenario({ app, fault: 'noop', noise });
    server = started.server;
    const result = await observe(apiReader(server), {
      namespace: started.namespace,
      metrics: metricsOf(server),
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.incident).toBe(false);
    expect(result.value.evidence.filter((e) => e.severity === 'error' || e.severity === 'critical')).toEqual(
      [],
    );
  });

  it('sends only reads: the server logs no write and only get/list/watch/discovery by the observer', async () => {
    const started = await startScenario({
      app: 'hotel-reservation',
      fault: 'revoke_auth_mongodb',
      target: 'mongodb-geo',
    });
    server = started.server;
    const reader = apiReader(server);
    const result = await observe(reader, { namespace: started.namespace });
    expect(result.ok).toBe(true);
    expect(server.writesBy('observer')).toEqual([]);
    const mine = server.requestLog.filter((e) => e.role === 'observer');
    expect(mine.length).toBeGreaterThan(10);
    expect(mine.length).toBe(reader.requestCount());
    for (const entry of mine) expect(['get', 'list', 'watch', 'discovery']).toContain(entry.verb);
    expect(mine.some((e) => e.resource === 'secrets')).toBe(false);
  });

  it.each(WITHOUT_METRICS)(
    '%s: the root cause is in the top 5 (without metrics)',
    async (fault, app, target, signal) => {
      const started = await startScenario({ app, fault, target });
      server = started.server;
      const result = await observe(apiReader(server), { namespace: started.namespace });
      if (!result.ok) throw new Error(result.error.message);
      const top = result.value.evidence.slice(0, 5);
      const hit = top.find((e) => e.signal === signal && (target === '' || about(target)(e)));
      expect(hit, top.map((e) => `${e.id} ${e.signal} ${e.subject.name}`).join('\n')).toBeDefined();
      expect(result.value.gaps).toEqual([]);
    },
  );

  it('turns an unreadable metrics API into a gap, not a failure', async () => {
    const started = await startScenario({ app: 'hotel-reservation', fault: 'misconfig_app', target: 'geo' });
    server = started.server;
    const metrics = new PrometheusReader({
      url: server.url,
      token: 'aoi-observer.wrong',
      caPem: server.caPem,
    });
    const result = await observe(apiReader(server), { namespace: started.namespace, metrics });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.gaps.map((g) => g.what)).toContain('metrics: metric names');
    expect(result.value.evidence.some((e) => e.signal === 'gap')).toBe(true);
  });

  it('keeps the evidence within a small token budget, root cause first', async () => {
    const started = await startScenario({ app: 'hotel-reservation', fault: 'redeploy_without_pv' });
    server = started.server;
    const result = await observe(apiReader(server), { namespace: started.namespace, maxEvidenceTokens: 600 });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.dropped).toBeGreaterThan(0);
    expect(result.value.evidence[0]?.signal).toBe('PVCPending');
  });
});
