import { afterEach, describe, expect, it } from 'vitest';
import { resourceByKind } from '../../aiopslab-harness/sim/api/resources.js';
import { SimServer } from '../../aiopslab-harness/sim/index.js';
import type { Deployment } from '../../aiopslab-harness/sim/model.js';
import { observe } from '../../src/observer/observe.js';
import { diagnoseByRules } from '../../src/reasoner/rules-backend.js';
import { apiReader, prepareCluster } from './sim-helpers.js';

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function diagnose(s: Parameters<typeof prepareCluster>[0]) {
  const { cluster, namespace } = prepareCluster(s);
  server = await SimServer.start({ cluster });
  const observed = await observe(apiReader(server), { namespace, maxEvidenceTokens: 8000 });
  if (!observed.ok) throw new Error(observed.error.message);
  const evidence = observed.value.evidence;
  return { cluster, namespace, evidence, diagnosis: diagnoseByRules({ evidence, namespace }) };
}

describe('pods the API server refuses', () => {
  it('a used-up quota is the root on the refused workload, cited from the controller’s event; a person must act', async () => {
    const { namespace, evidence, diagnosis } = await diagnose({
      app: 'hotel-reservation',
      fault: 'resource_quota_exceeded',
      target: 'geo',
    });
    const found = evidence.find((e) => e.signal === 'QuotaExceeded');
    expect(found).toMatchObject({
      severity: 'critical',
      component: 'geo',
      subject: { kind: 'Deployment', name: 'geo', namespace },
      attributes: { quota: 'compute-quota', resource: 'pods', requested: '1', workload: 'geo', ready: 0 },
    });
    expect(found?.excerpt).toMatch(
      /Error creating: pods "geo-[a-z0-9-]+" is forbidden: exceeded quota: compute-quota/,
    );
    // The raw FailedCreate is not reported a second time on the ReplicaSet.
    expect(evidence.some((e) => e.signal === 'FailedCreate')).toBe(false);
    expect(diagnosis.faultyComponents).toEqual(['geo']);
    expect(diagnosis.rootCause).toMatchObject({
      systemLevel: 'Virtualization',
      faultType: 'Misconfiguration',
    });
    expect(diagnosis.rootCause?.summary).toContain(
      `a person must raise the quota (kubectl -n ${namespace} edit resourcequota compute-quota)`,
    );
    expect(diagnosis.proposals).toEqual([]);
  });

  it('a LimitRange below a workload’s limit names the range and the limit; nothing is proposed', async () => {
    const { namespace, evidence, diagnosis } = await diagnose({
      app: 'astronomy-shop',
      fault: 'limit_range_violation',
      target: 'ad',
    });
    expect(evidence.find((e) => e.signal === 'LimitRangeViolation')).toMatchObject({
      component: 'ad',
      attributes: { limitRange: 'container-limits', resource: 'memory', enforced: '150Mi', value: '300Mi' },
    });
    expect(diagnosis.faultyComponents).toEqual(['ad']);
    expect(diagnosis.rootCause?.summary).toContain(
      `LimitRange ${namespace}/container-limits allows maximum 150Mi memory`,
    );
    expect(diagnosis.proposals).toEqual([]);
  });

  it('a rollout that raised the limit past the range is rolled back', async () => {
    const { evidence, diagnosis } = await diagnose({
      app: 'social-network',
      fault: 'limit_range_violation',
      target: 'user-service',
      params: { trigger: 'rollout' },
    });
    expect(evidence.find((e) => e.signal === 'LimitRangeViolation')).toMatchObject({
      severity: 'error',
      attributes: { rolloutRaised: true, revision: 2, value: '1Gi', enforced: '512Mi' },
    });
    expect(diagnosis.faultyComponents).toEqual(['user-service']);
    expect(diagnosis.proposals).toMatchObject([{ kind: 'rollbackDeployment', name: 'user-service' }]);
  });

  it('a refusal that is over (the rollout undone) is not reported, though its events remain', async () => {
    const { cluster, namespace } = await diagnose({
      app: 'social-network',
      fault: 'limit_range_violation',
      target: 'user-service',
      params: { trigger: 'rollout' },
    });
    cluster.store.mutate(resourceByKind('Deployment'), namespace, 'user-service', (d) => {
      const c = (d as unknown as Deployment).spec.template.spec.containers[0]!;
      delete c.resources?.limits?.['memory'];
    });
    cluster.advance(120_000);
    const again = await observe(apiReader(server!), { namespace, maxEvidenceTokens: 8000 });
    if (!again.ok) throw new Error(again.error.message);
    expect(
      cluster.store.peekAll(resourceByKind('Event'), namespace).some((e) => e['reason'] === 'FailedCreate'),
    ).toBe(true);
    expect(
      again.value.evidence.filter((e) => e.signal === 'LimitRangeViolation' || e.signal === 'FailedCreate'),
    ).toEqual([]);
  });
});
