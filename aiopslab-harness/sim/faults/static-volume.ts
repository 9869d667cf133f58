/**
 * pvc_no_matching_pv: static provisioning gone wrong. The target is re-applied with a claim that opts out of
 * dynamic provisioning (`storageClassName: ""`), and the PersistentVolume an administrator made for it does not
 * satisfy it: too small (`params.mismatch: size`, default: the claim asks `params.size`, 10Gi, the volume
 * offers the component's own size), the wrong access mode (`accessMode`: the claim asks ReadWriteMany, the
 * volume offers ReadWriteOnce), or no volume at all (`none`). The PV controller finds no match
 * (pkg/controller/volume/persistentvolume/index.go findMatchingVolume) and says so with a Normal event,
 * FailedBinding "no persistent volumes available for this claim and no storage class is set"
 * (pv_controller.go syncUnboundClaim); the claim stays Pending and the scheduler will not place the pod
 * ("pod has unbound immediate PersistentVolumeClaims").
 *
 * Fix (what a person does; aoi never creates volumes): create a PersistentVolume that satisfies the claim, or
 * re-create the claim asking for what the existing volume offers (a claim's request is immutable while it is
 * Pending only in size upward, and its access modes not at all).
 */
import type { PersistentVolumeClaim } from '../model.js';
import { R } from './topology.js';
import type { Injector } from './util.js';
import { componentOf, faultError, param, reapplyWithClaim, targetOf } from './util.js';

const MISMATCHES = ['size', 'accessMode', 'none'] as const;

export const pvcNoMatchingPv: Injector = (cluster, namespace, fault) => {
  const target = targetOf(fault);
  const spec = componentOf(cluster, namespace, target);
  const mismatch = param(fault, 'mismatch') ?? 'size';
  if (!(MISMATCHES as readonly string[]).includes(mismatch))
    throw faultError(`pvc_no_matching_pv: mismatch is one of ${MISMATCHES.join(', ')}`);
  const claim = `${target}-pvc`;
  const volume = `${target}-data`;
  const offered = spec.storage?.size ?? '1Gi';
  const asked = mismatch === 'size' ? (param(fault, 'size') ?? '10Gi') : offered;
  const askedModes = mismatch === 'accessMode' ? ['ReadWriteMany'] : ['ReadWriteOnce'];
  reapplyWithClaim(cluster, namespace, spec, claim, volume);
  const existing = cluster.store.peek(R.pvcs, namespace, claim) as unknown as
    PersistentVolumeClaim | undefined;
  if (existing) {
    const pv = existing.spec.volumeName
      ? cluster.store.peek(R.pvs, undefined, existing.spec.volumeName)
      : undefined;
    // A dynamically provisioned volume goes with its claim (reclaim policy Delete).
    if (
      pv &&
      (pv['spec'] as { persistentVolumeReclaimPolicy?: string }).persistentVolumeReclaimPolicy === 'Delete'
    )
      cluster.store.remove(R.pvs, undefined, existing.spec.volumeName!);
    cluster.store.remove(R.pvcs, namespace, claim);
  }
  if (mismatch !== 'none')
    cluster.store.create(R.pvs, {
      metadata: { name: `${namespace}-${target}-pv`, labels: { app: target } },
      spec: {
        capacity: { storage: offered },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: '',
        volumeMode: 'Filesystem',
        hostPath: { path: `/mnt/data/${namespace}/${target}`, type: 'DirectoryOrCreate' },
      },
      status: { phase: 'Available' },
    });
  cluster.store.create(R.pvcs, {
    metadata: { name: claim, namespace, labels: existing?.metadata.labels ?? {} },
    spec: {
      accessModes: askedModes,
      resources: { requests: { storage: asked } },
      storageClassName: '',
    },
    status: { phase: 'Pending' },
  });
};
