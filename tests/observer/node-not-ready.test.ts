import { afterEach, describe, expect, it } from 'vitest';
import { SimServer } from '../../aiopslab-harness/sim/index.js';
import { observe } from '../../src/observer/observe.js';
import { diagnoseByRules } from '../../src/reasoner/rules-backend.js';
import { apiReader, prepareCluster } from './sim-helpers.js';

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('a node whose kubelet stopped posting status', () => {
  it('is the root, its pods are its victims, and the diagnosis says what a person must do', async () => {
    const { cluster, namespace } = prepareCluster({
      app: 'hotel-reservation',
      fault: 'node_not_ready',
      target: 'kind-worker2',
    });
    server = await SimServer.start({ cluster });
    const observed = await observe(apiReader(server), { namespace, maxEvidenceTokens: 8000 });
    if (!observed.ok) throw new Error(observed.error.message);
    const evidence = observed.value.evidence;
    expect(evidence.find((e) => e.signal === 'NodeUnreachable')).toMatchObject({
      severity: 'critical',
      component: 'kind-worker2',
      subject: { kind: 'Node', name: 'kind-worker2' },
      attributes: { node: 'kind-worker2', condition: 'Ready', reason: 'NodeStatusUnknown' },
    });
    const victims = evidence.filter((e) => e.signal === 'PodOnLostNode');
    expect(victims.map((e) => e.component).sort()).toContain('mongodb-geo');
    for (const v of victims) expect(v.blames).toEqual(['kind-worker2']);

    const diagnosis = diagnoseByRules({ evidence, namespace });
    expect(diagnosis.faultyComponents).toEqual(['kind-worker2']);
    expect(diagnosis.rootCause).toMatchObject({
      systemLevel: 'Hardware',
      faultType: 'Network/Storage Issue',
    });
    expect(diagnosis.rootCause?.summary).toContain(
      'no automatic fix: node kind-worker2 stopped posting status',
    );
    expect(diagnosis.rootCause?.summary).toMatch(
      new RegExp(`${namespace}/mongodb-geo-[a-z0-9-]+ \\(mongodb-geo\\)`),
    );
    expect(diagnosis.proposals).toEqual([]);
  });

  it('reports the pods left Terminating on it once their toleration ran out', async () => {
    const { cluster, namespace } = prepareCluster({
      app: 'hotel-reservation',
      fault: 'node_not_ready',
      target: 'kind-worker2',
    });
    // 3 min in already; the unreachable taint came at 40-45 s, the 300 s tolerations run out at ~6 min.
    cluster.advance(5 * 60_000);
    server = await SimServer.start({ cluster });
    const observed = await observe(apiReader(server), { namespace, maxEvidenceTokens: 8000 });
    if (!observed.ok) throw new Error(observed.error.message);
    const stranded = observed.value.evidence.filter((e) => e.signal === 'PodOnLostNode');
    expect(stranded.length).toBeGreaterThan(0);
    for (const e of stranded) {
      expect(e.attributes?.['deletionTimestamp']).toBeDefined();
      expect(e.summary).toContain('stuck Terminating');
    }
    const diagnosis = diagnoseByRules({ evidence: observed.value.evidence, namespace });
    expect(diagnosis.faultyComponents).toEqual(['kind-worker2']);
    expect(diagnosis.rootCause?.summary).toMatch(/\(mongodb-geo, Terminating\)/);
    expect(diagnosis.proposals).toEqual([]);
  });
});

describe('a node under memory pressure', () => {
  it('is the root, the pods it evicted are its victims, and nothing is proposed', async () => {
    const { cluster, namespace } = prepareCluster({
      app: 'hotel-reservation',
      fault: 'node_memory_pressure',
      target: 'kind-worker2',
    });
    server = await SimServer.start({ cluster });
    const observed = await observe(apiReader(server), { namespace, maxEvidenceTokens: 8000 });
    if (!observed.ok) throw new Error(observed.error.message);
    const evidence = observed.value.evidence;
    expect(evidence.find((e) => e.signal === 'MemoryPressure')).toMatchObject({
      severity: 'critical',
      component: 'kind-worker2',
      attributes: { node: 'kind-worker2', reason: 'KubeletHasInsufficientMemory' },
    });
    const evicted = evidence.filter((e) => e.signal === 'PodEvicted');
    expect(evicted.length).toBeGreaterThan(0);
    for (const e of evicted) {
      expect(e.blames).toEqual(['kind-worker2']);
      expect(e.excerpt).toMatch(
        /^The node was low on resource: memory\. Threshold quantity: 100Mi, available: /,
      );
    }
    const diagnosis = diagnoseByRules({ evidence, namespace });
    expect(diagnosis.faultyComponents).toEqual(['kind-worker2']);
    expect(diagnosis.rootCause).toMatchObject({
      systemLevel: 'Operating System',
      faultType: 'Operation Error',
    });
    expect(diagnosis.rootCause?.summary).toContain(
      'no automatic fix: node kind-worker2 is short of memory (MemoryPressure); the kubelet evicted',
    );
    expect(diagnosis.proposals).toEqual([]);
  });
});
