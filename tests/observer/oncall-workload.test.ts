/**
 * The on-call manifest faults seen by the observer over HTTPS and diagnosed by the rules: OOMKilled at a
 * memory limit, probes that fail, init containers that fail, a missing ConfigMap with no revision to go
 * back to. Each evidence item names nothing the analyzers were told; the remedy is typed and bounded, or
 * the diagnosis says what a person must do and proposes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimServer } from '../../aiopslab-harness/sim/index.js';
import type { Evidence } from '../../src/core/evidence.js';
import { observe } from '../../src/observer/observe.js';
import { diagnoseByRules } from '../../src/reasoner/rules-backend.js';
import { apiReader, prepareCluster } from './sim-helpers.js';

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function look(
  fault: string,
  target: string,
  params: Record<string, string> = {},
  app: 'hotel-reservation' | 'social-network' | 'astronomy-shop' = 'hotel-reservation',
): Promise<{ evidence: Evidence[]; namespace: string }> {
  const { cluster, namespace } = prepareCluster({ app, fault, target, params });
  server = await SimServer.start({ cluster });
  const observed = await observe(apiReader(server), { namespace, maxEvidenceTokens: 8000 });
  if (!observed.ok) throw new Error(observed.error.message);
  return { evidence: observed.value.evidence, namespace };
}

describe('on-call manifest faults through the observer and the rules', () => {
  it('OOMKilled: the limit it ran into, Virtualization/Misconfiguration, setResources doubling it', async () => {
    const { evidence, namespace } = await look('oom_killed', 'geo');
    const found = evidence.find((e) => e.signal === 'MemoryLimitExceeded');
    expect(found).toMatchObject({
      component: 'geo',
      attributes: {
        container: 'hotel-reserv-geo',
        memoryLimit: '21Mi',
        workload: 'geo',
        workloadKind: 'Deployment',
      },
    });
    expect(found?.excerpt).toMatch(/OOMKilled exit 137/);
    const d = diagnoseByRules({ evidence, namespace });
    expect(d.faultyComponents).toEqual(['geo']);
    expect(d.rootCause).toMatchObject({ systemLevel: 'Virtualization', faultType: 'Misconfiguration' });
    expect(d.proposals).toMatchObject([
      { kind: 'setResources', name: 'geo', container: 'hotel-reserv-geo', limits: { memory: '42Mi' } },
    ]);
  });

  it('readiness probe on an undeclared port: the event, the declared port, setProbe onto it', async () => {
    const { evidence, namespace } = await look(
      'readiness_probe_failure',
      'user-service',
      {},
      'social-network',
    );
    const found = evidence.find((e) => e.signal === 'ReadinessProbeFailing');
    expect(found).toMatchObject({
      component: 'user-service',
      attributes: {
        probe: 'readiness',
        probePort: 9091,
        declaredPorts: '9090',
        suggestedPort: 9090,
        failure: 'refused',
      },
    });
    expect(found?.excerpt).toMatch(
      /^Readiness probe failed: dial tcp [\d.]+:9091: connect: connection refused$/,
    );
    const d = diagnoseByRules({ evidence, namespace });
    expect(d.faultyComponents).toEqual(['user-service']);
    expect(d.proposals).toMatchObject([
      { kind: 'setProbe', probe: 'readiness', port: 9090, name: 'user-service' },
    ]);
  });

  it('liveness probe at a path the app does not serve: a person must fix it, nothing proposed', async () => {
    const { evidence, namespace } = await look('liveness_probe_failure', 'frontend', { mode: 'path' });
    const found = evidence.find((e) => e.signal === 'LivenessProbeFailing');
    expect(found?.attributes).toMatchObject({
      probe: 'liveness',
      probePath: '/healthcheck',
      failure: 'status',
    });
    const d = diagnoseByRules({ evidence, namespace });
    expect(d.faultyComponents).toEqual(['frontend']);
    expect(d.rootCause?.summary).toContain('no automatic fix: a person must point the liveness probe');
    expect(d.proposals).toEqual([]);
  });

  it('a failing init container brought by a rollout: InitContainerFailing, rolled back', async () => {
    const { evidence, namespace } = await look('init_container_failure', 'user');
    expect(evidence.find((e) => e.signal === 'InitContainerFailing')?.attributes).toMatchObject({
      container: 'wait-for-db',
      exitCode: 1,
      workload: 'user',
    });
    const d = diagnoseByRules({ evidence, namespace });
    expect(d.rootCause).toMatchObject({ systemLevel: 'Virtualization', faultType: 'Misconfiguration' });
    expect(d.proposals).toMatchObject([{ kind: 'rollbackDeployment', name: 'user' }]);
  });

  it('a missing ConfigMap in a re-applied Deployment: a person must create it, nothing proposed', async () => {
    const { evidence, namespace } = await look('missing_config_ref', 'reservation', { via: 'apply' });
    const d = diagnoseByRules({ evidence, namespace });
    expect(d.faultyComponents).toEqual(['reservation']);
    expect(d.rootCause?.summary).toContain('a person must create configmap reservation-settings');
    expect(d.proposals).toEqual([]);
  });
});
