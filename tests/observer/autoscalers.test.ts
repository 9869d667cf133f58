import { afterEach, describe, expect, it } from 'vitest';
import { createAutoscaler } from '../../aiopslab-harness/sim/faults/autoscaler.js';
import { SimServer } from '../../aiopslab-harness/sim/index.js';
import { JaegerReader } from '../../src/observer/jaeger-reader.js';
import { observe } from '../../src/observer/observe.js';
import { diagnoseByRules } from '../../src/reasoner/rules-backend.js';
import { apiReader, metricsOf, prepareCluster } from './sim-helpers.js';

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('an autoscaler held at its maxReplicas', () => {
  it('is the root when its target slows: linked to the target, and the diagnosis says what a person must raise', async () => {
    const { cluster, namespace } = prepareCluster({
      app: 'social-network',
      fault: 'hpa_at_max_replicas',
      target: 'nginx-thrift',
    });
    server = await SimServer.start({ cluster });
    const observed = await observe(apiReader(server), {
      namespace,
      metrics: metricsOf(server),
      maxEvidenceTokens: 8000,
    });
    if (!observed.ok) throw new Error(observed.error.message);
    const found = observed.value.evidence.find((e) => e.signal === 'AutoscalerAtMax');
    expect(found).toMatchObject({
      severity: 'error',
      component: 'nginx-thrift',
      subject: { kind: 'HorizontalPodAutoscaler', name: 'nginx-thrift', namespace },
      attributes: { target: 'nginx-thrift', maxReplicas: 2, currentReplicas: 2, cpuTarget: 60 },
    });
    expect(found?.excerpt).toContain('the desired replica count is more than the maximum replica count');
    expect(String(found?.attributes?.['targetSignals'])).toContain('LatencyHigh');
    expect(Number(found?.attributes?.['wantedReplicas'])).toBeGreaterThan(2);

    // The traces show it too: the entry's spans of the last minute take hundreds of milliseconds.
    const nowUs = cluster.clock.now() * 1000;
    const jaeger = new JaegerReader({ url: server.url, token: server.tokens.observer, caPem: server.caPem });
    const traces = await jaeger.traces({
      service: 'nginx-thrift',
      startUs: nowUs - 60e6,
      endUs: nowUs,
      limit: 20,
    });
    if (!traces.ok) throw new Error(traces.error.message);
    const roots = traces.value.map((t) => Math.max(...t.spans.map((sp) => sp.duration)));
    expect(roots.length).toBeGreaterThan(0);
    expect(roots.sort((a, b) => a - b)[Math.floor(roots.length / 2)]).toBeGreaterThan(250_000);

    const diagnosis = diagnoseByRules({ evidence: observed.value.evidence, namespace });
    expect(diagnosis.faultyComponents).toEqual(['nginx-thrift']);
    expect(diagnosis.rootCause).toMatchObject({
      systemLevel: 'Virtualization',
      faultType: 'Misconfiguration',
    });
    expect(diagnosis.rootCause?.summary).toContain(
      `HorizontalPodAutoscaler ${namespace}/nginx-thrift keeps nginx-thrift at its maxReplicas 2; raise spec.maxReplicas`,
    );
    expect(diagnosis.proposals).toEqual([]);
  });

  it('is only info when the target keeps up (CPU above target, latency normal)', async () => {
    // 150 req/s more than two pods' target but below their CPU limit: the HPA wants 3, nothing is slow.
    const { cluster, namespace } = prepareCluster({
      app: 'hotel-reservation',
      fault: 'hpa_at_max_replicas',
      target: 'frontend',
      params: { rps: '150' },
    });
    server = await SimServer.start({ cluster });
    const observed = await observe(apiReader(server), {
      namespace,
      metrics: metricsOf(server),
      maxEvidenceTokens: 8000,
    });
    if (!observed.ok) throw new Error(observed.error.message);
    const found = observed.value.evidence.find((e) => e.signal === 'AutoscalerAtMax');
    expect(found).toMatchObject({ severity: 'info', component: 'frontend' });
    expect(found?.summary).toContain('nothing shows frontend slow or failing');
    expect(observed.value.evidence.some((e) => e.signal === 'LatencyHigh')).toBe(false);
    const diagnosis = diagnoseByRules({ evidence: observed.value.evidence, namespace });
    expect(diagnosis.rootCause?.summary ?? '').not.toContain('maxReplicas');
  });

  it('says an HPA that cannot read its metric scales nothing', async () => {
    const { cluster, namespace } = prepareCluster({ app: 'social-network' });
    createAutoscaler(cluster, namespace, 'media-frontend', {
      minReplicas: 1,
      maxReplicas: 3,
      cpuPercent: 60,
    });
    cluster.advance(60_000);
    server = await SimServer.start({ cluster });
    const observed = await observe(apiReader(server), { namespace, maxEvidenceTokens: 8000 });
    if (!observed.ok) throw new Error(observed.error.message);
    const found = observed.value.evidence.find((e) => e.signal === 'AutoscalerInactive');
    expect(found).toMatchObject({ severity: 'warning', component: 'media-frontend' });
    expect(found?.excerpt).toContain('missing request for cpu in container media-frontend');
  });
});
