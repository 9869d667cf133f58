import type { V1ObjectReference, V1PersistentVolume } from '@kubernetes/client-node';
import type { ExecutorClients, HandlerFor } from './types.js';
import { FIELD_MANAGER, JSON_PATCH, asObject, plain } from './workload.js';

type ReleaseVolume = Parameters<HandlerFor<'releaseVolume'>['apply']>[1];

const where = (a: ReleaseVolume) => `persistentvolume/${a.name}`;
const claimOf = (ref: V1ObjectReference | undefined) =>
  ref ? `${ref.namespace ?? '?'}/${ref.name ?? '?'}` : 'no claim';

/** The volume, when it is Released by exactly the named claim; anything else is refused with the reason. */
async function readReleased(clients: ExecutorClients, a: ReleaseVolume): Promise<V1PersistentVolume> {
  const pv = await clients.core.readPersistentVolume({ name: a.name });
  const phase = pv.status?.phase;
  if (phase !== 'Released')
    throw new Error(
      `${where(a)} is ${phase ?? 'in no phase'}, not Released; only a Released volume is freed`,
    );
  const ref = pv.spec?.claimRef;
  if (ref?.namespace !== a.claimNamespace || ref.name !== a.claim)
    throw new Error(
      `${where(a)} was claimed by ${claimOf(ref)}, not ${a.claimNamespace}/${a.claim}; refusing to free it`,
    );
  return pv;
}

/** JSON patch that removes claimRef only while it still names the claim (and uid) that was read. */
async function removeClaimRef(
  clients: ExecutorClients,
  a: ReleaseVolume,
  ref: V1ObjectReference,
  dryRun: boolean,
): Promise<V1PersistentVolume> {
  const body = [
    { op: 'test', path: '/spec/claimRef/namespace', value: a.claimNamespace },
    { op: 'test', path: '/spec/claimRef/name', value: a.claim },
    ...(ref.uid ? [{ op: 'test', path: '/spec/claimRef/uid', value: ref.uid }] : []),
    { op: 'remove', path: '/spec/claimRef' },
  ];
  return clients.core.patchPersistentVolume(
    { name: a.name, body, fieldManager: FIELD_MANAGER, ...(dryRun ? { dryRun: 'All' } : {}) },
    JSON_PATCH,
  );
}

/**
 * Frees a Released PersistentVolume for its re-created claim by removing its stale spec.claimRef. Pre-image =
 * the old claimRef (rollback puts it back); verify = claimRef gone, or the volume Available or bound anew.
 */
export const releaseVolume: HandlerFor<'releaseVolume'> = {
  blastRadius: (_clients, a) => Promise.resolve({ objects: [where(a)], pods: [] }),
  async dryRun(clients, a) {
    const pv = await readReleased(clients, a);
    const object = await removeClaimRef(clients, a, pv.spec!.claimRef!, true);
    return {
      message: `${where(a)} would be freed from ${a.claimNamespace}/${a.claim}`,
      current: asObject(pv),
      object: asObject(object),
    };
  },
  async preImage(clients, a) {
    const pv = await clients.core.readPersistentVolume({ name: a.name });
    return {
      kind: 'PersistentVolume',
      claimRef: pv.spec?.claimRef ? plain(pv.spec.claimRef) : null,
      phase: pv.status?.phase ?? null,
      resourceVersion: pv.metadata?.resourceVersion ?? null,
    };
  },
  async apply(clients, a) {
    const pv = await readReleased(clients, a);
    await removeClaimRef(clients, a, pv.spec!.claimRef!, false);
    return `${where(a)}: claimRef ${a.claimNamespace}/${a.claim} removed`;
  },
  async check(clients, a, pre) {
    const pv = await clients.core.readPersistentVolume({ name: a.name });
    const ref = pv.spec?.claimRef;
    const phase = pv.status?.phase ?? 'no phase';
    if (!ref) return { state: 'done', message: `${where(a)} has no claimRef (${phase})` };
    const old = pre['claimRef'] as V1ObjectReference | null;
    const same =
      old !== null && ref.uid === old.uid && ref.namespace === old.namespace && ref.name === old.name;
    if (same) return { state: 'failed', message: `${where(a)} still claimed by ${claimOf(ref)} (${phase})` };
    if (phase === 'Available' || phase === 'Bound')
      return { state: 'done', message: `${where(a)} is ${phase}, claimed by ${claimOf(ref)}` };
    return { state: 'pending', message: `${where(a)} is ${phase}, claimed by ${claimOf(ref)}` };
  },
  async rollbackRefusal(clients, a) {
    const pv = await clients.core.readPersistentVolume({ name: a.name });
    const ref = pv.spec?.claimRef;
    if (!ref) return undefined;
    return `${where(a)} is now claimed by ${claimOf(ref)} (${pv.status?.phase ?? 'no phase'}); putting the old claimRef back would take the volume from it`;
  },
  async rollback(clients, a, pre) {
    const ref = pre['claimRef'];
    if (ref === null || typeof ref !== 'object') throw new Error('the pre-image has no claimRef to restore');
    await clients.core.patchPersistentVolume(
      {
        name: a.name,
        body: [{ op: 'add', path: '/spec/claimRef', value: ref }],
        fieldManager: FIELD_MANAGER,
      },
      JSON_PATCH,
    );
    return `${where(a)}: claimRef ${claimOf(ref)} restored from the pre-image`;
  },
};
