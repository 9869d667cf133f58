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

async function evidenceOf(scenario: Parameters<typeof prepareCluster>[0]) {
  const { cluster, namespace } = prepareCluster(scenario);
  server = await SimServer.start({ cluster });
  const observed = await observe(apiReader(server), { namespace, maxEvidenceTokens: 8000 });
  if (!observed.ok) throw new Error(observed.error.message);
  return { namespace, evidence: observed.value.evidence };
}

describe('a probe that kills a container before it has started', () => {
  it('is the root, from the kill age, the refused probes and a previous log cut mid-start; a startup probe is proposed', async () => {
    const { namespace, evidence } = await evidenceOf({
      app: 'astronomy-shop',
      fault: 'slow_start_liveness',
      target: 'ad',
    });
    const found = evidence.find((e) => e.signal === 'ProbeKillsDuringStartup');
    expect(found).toMatchObject({
      severity: 'error',
      component: 'ad',
      attributes: {
        container: 'ad',
        probe: 'liveness',
        killedAfterSeconds: 15,
        probeBudgetSeconds: 15,
        initialDelaySeconds: 5,
        periodSeconds: 5,
        failureThreshold: 3,
        hasStartupProbe: false,
        previousLogRead: true,
        workload: 'ad',
        workloadKind: 'Deployment',
      },
    });
    expect(found?.excerpt).toMatch(
      /Liveness probe failed: dial tcp [\d.]+:8080: connect: connection refused/,
    );
    expect(found?.excerpt).toContain('last log line: ');
    expect(found?.excerpt).toContain('Ad service starting.');
    const diagnosis = diagnoseByRules({ evidence, namespace });
    expect(diagnosis.faultyComponents).toEqual(['ad']);
    expect(diagnosis.rootCause).toMatchObject({
      systemLevel: 'Virtualization',
      faultType: 'Misconfiguration',
    });
    expect(diagnosis.rootCause?.summary).not.toContain('a person must point');
    expect(diagnosis.proposals).toMatchObject([
      {
        kind: 'setProbe',
        namespace,
        name: 'ad',
        container: 'ad',
        probe: 'startup',
        initialDelaySeconds: 0,
        periodSeconds: 10,
        failureThreshold: 30,
      },
    ]);
  });

  it('is not claimed for a probe at a port the container does not declare', async () => {
    const { evidence } = await evidenceOf({
      app: 'hotel-reservation',
      fault: 'liveness_probe_failure',
      target: 'profile',
    });
    expect(evidence.some((e) => e.signal === 'LivenessProbeFailing')).toBe(true);
    expect(evidence.some((e) => e.signal === 'ProbeKillsDuringStartup')).toBe(false);
  });
});
