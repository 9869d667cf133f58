import { afterEach, describe, expect, it } from 'vitest';
import { SimServer } from '../../aiopslab-harness/sim/index.js';
import { observe } from '../../src/observer/observe.js';
import { loadPolicy } from '../../src/executor/load-policy.js';
import { decide } from '../../src/executor/policy-engine.js';
import { diagnoseByRules } from '../../src/reasoner/rules-backend.js';
import { apiReader, prepareCluster } from './sim-helpers.js';

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('cluster DNS', () => {
  it('reads the DNS addon in kube-system when lookups go unanswered, and blames it, not the callees', async () => {
    const { cluster, namespace } = prepareCluster({ app: 'hotel-reservation', fault: 'cluster_dns_down' });
    server = await SimServer.start({ cluster });
    const observed = await observe(apiReader(server), { namespace, maxEvidenceTokens: 8000 });
    if (!observed.ok) throw new Error(observed.error.message);
    const report = observed.value;
    expect(report.evidence[0]).toMatchObject({
      signal: 'ClusterDnsDown',
      severity: 'critical',
      component: 'coredns',
      subject: { kind: 'Deployment', name: 'coredns', namespace: 'kube-system' },
      attributes: { workload: 'coredns', workloadNamespace: 'kube-system', replicas: 0 },
    });
    expect(report.evidence[0]?.summary).toContain('(scaled to 0)');
    const victims = report.evidence.filter((e) => e.signal === 'NameResolutionFailed');
    expect(victims.length).toBeGreaterThanOrEqual(3);
    for (const v of victims) expect(v.blames).toEqual(['coredns']);
    expect(report.coverage.complete).toBe(true);

    const diagnosis = diagnoseByRules({ evidence: report.evidence, namespace });
    expect(diagnosis.faultyComponents).toEqual(['coredns']);
    expect(diagnosis.rootCause).toMatchObject({
      systemLevel: 'Virtualization',
      faultType: 'Operation Error',
    });
    expect(diagnosis.rootCause?.summary).toContain(
      'kubectl -n kube-system scale deployment coredns --replicas=2',
    );
    expect(diagnosis.proposals).toEqual([
      expect.objectContaining({
        kind: 'scaleDeployment',
        namespace: 'kube-system',
        name: 'coredns',
        replicas: 2,
      }),
    ]);
  });

  it('proposes the scale-up in kube-system, which every shipped policy denies', async () => {
    const proposal = {
      kind: 'scaleDeployment' as const,
      namespace: 'kube-system',
      name: 'coredns',
      replicas: 2,
      rationale: 'cluster DNS has no ready replica',
      evidence: ['ev-1'],
    };
    for (const name of ['default', 'standard', 'bench']) {
      const decision = decide(proposal, await loadPolicy(name), {
        namespace: 'kube-system',
        actionsSoFar: 0,
      });
      expect([name, decision.effect]).toEqual([name, 'deny']);
    }
  });

  it('reads nothing in kube-system while every lookup is answered', async () => {
    const { cluster, namespace } = prepareCluster({
      app: 'hotel-reservation',
      fault: 'scale_pods_to_zero',
      target: 'search',
    });
    server = await SimServer.start({ cluster });
    const observed = await observe(apiReader(server), { namespace });
    if (!observed.ok) throw new Error(observed.error.message);
    expect(
      observed.value.evidence.some(
        (e) => e.signal === 'ClusterDnsDown' || e.signal === 'NameResolutionFailed',
      ),
    ).toBe(false);
  });
});
