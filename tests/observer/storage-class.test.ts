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

describe('a claim naming a missing StorageClass', () => {
  it('is the root, in the controller’s words, and the diagnosis says what a person must do', async () => {
    const { cluster, namespace } = prepareCluster({
      app: 'hotel-reservation',
      fault: 'pvc_pending',
      target: 'mongodb-geo',
    });
    server = await SimServer.start({ cluster });
    const observed = await observe(apiReader(server), { namespace, maxEvidenceTokens: 8000 });
    if (!observed.ok) throw new Error(observed.error.message);
    const found = observed.value.evidence.find((e) => e.signal === 'StorageClassNotFound');
    expect(found).toMatchObject({
      severity: 'error',
      component: 'mongodb-geo',
      subject: { kind: 'PersistentVolumeClaim', name: 'mongodb-geo-pvc', namespace },
      attributes: { claim: 'mongodb-geo-pvc', storageClass: 'premium-rwo', usedBy: 'mongodb-geo' },
    });
    expect(found?.excerpt).toContain('storageclass.storage.k8s.io "premium-rwo" not found');
    const diagnosis = diagnoseByRules({ evidence: observed.value.evidence, namespace });
    expect(diagnosis.faultyComponents).toEqual(['mongodb-geo']);
    expect(diagnosis.rootCause).toMatchObject({
      systemLevel: 'Virtualization',
      faultType: 'Misconfiguration',
    });
    expect(diagnosis.rootCause?.summary).toContain(
      `a person must either create StorageClass "premium-rwo" or re-create claim ${namespace}/mongodb-geo-pvc`,
    );
    expect(diagnosis.proposals).toEqual([]);
  });
});
