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

async function diagnose(params: Record<string, string>) {
  const { cluster, namespace } = prepareCluster({
    app: 'hotel-reservation',
    fault: 'pvc_no_matching_pv',
    target: 'mongodb-geo',
    params,
  });
  server = await SimServer.start({ cluster });
  const observed = await observe(apiReader(server), { namespace, maxEvidenceTokens: 8000 });
  if (!observed.ok) throw new Error(observed.error.message);
  const found = observed.value.evidence.find((e) => e.signal === 'NoMatchingVolume');
  return { namespace, found, diagnosis: diagnoseByRules({ evidence: observed.value.evidence, namespace }) };
}

describe('a claim without a class that no PersistentVolume satisfies', () => {
  it('is the root, says why the volume there does not fit, and the diagnosis says what a person must do', async () => {
    const { namespace, found, diagnosis } = await diagnose({});
    expect(found).toMatchObject({
      severity: 'error',
      component: 'mongodb-geo',
      subject: { kind: 'PersistentVolumeClaim', name: 'mongodb-geo-pvc', namespace },
      attributes: {
        claim: 'mongodb-geo-pvc',
        requestedStorage: '10Gi',
        accessModes: 'ReadWriteOnce',
        candidateVolumes: `${namespace}-mongodb-geo-pv`,
        misfits: `${namespace}-mongodb-geo-pv 1Gi is less than 10Gi`,
        usedBy: 'mongodb-geo',
      },
    });
    expect(diagnosis.faultyComponents).toEqual(['mongodb-geo']);
    expect(diagnosis.rootCause).toMatchObject({
      systemLevel: 'Virtualization',
      faultType: 'Misconfiguration',
    });
    expect(diagnosis.rootCause?.summary).toContain(
      `a person must either create a PersistentVolume with storageClassName "" that offers at least 10Gi and ReadWriteOnce for claim ${namespace}/mongodb-geo-pvc`,
    );
    expect(diagnosis.proposals).toEqual([]);
  });

  it('names a missing access mode, and the absence of any volume', async () => {
    const mode = await diagnose({ mismatch: 'accessMode' });
    expect(mode.found?.attributes?.['misfits']).toMatch(/offers ReadWriteOnce, not ReadWriteMany$/);
    await server?.close();
    server = undefined;
    const none = await diagnose({ mismatch: 'none' });
    expect(none.found?.attributes?.['misfits']).toBe('there is no PersistentVolume without a class at all');
    expect(none.diagnosis.proposals).toEqual([]);
  });
});
