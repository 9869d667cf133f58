/**
 * pvc_pending: the target is re-applied from a manifest whose claim names a StorageClass this cluster does
 * not have (`params.storageClass`, default `premium-rwo`, a GKE class copied into a kind cluster). The
 * persistent-volume controller cannot provision it (Warning ProvisioningFailed: `storageclass.storage.k8s.io
 * "premium-rwo" not found`, pkg/controller/volume/persistentvolume/pv_controller.go), the claim stays
 * Pending, and the scheduler will not place the pod ("pod has unbound immediate PersistentVolumeClaims").
 *
 * Fix (what an SRE does): `storageClassName` is immutable, so re-create the claim with a class that exists
 * (or none, for the default); it never bound, so nothing is lost. Creating the missing StorageClass works too.
 */
import type { PersistentVolumeClaim } from '../model.js';
import { R } from './topology.js';
import type { Injector } from './util.js';
import { componentOf, param, reapplyWithClaim, targetOf } from './util.js';

export const pvcPending: Injector = (cluster, namespace, fault) => {
  const target = targetOf(fault);
  const spec = componentOf(cluster, namespace, target);
  const storageClass = param(fault, 'storageClass') ?? 'premium-rwo';
  const claim = `${target}-pvc`;
  const volume = `${target}-data`;
  const existing = cluster.store.peek(R.pvcs, namespace, claim) as unknown as
    PersistentVolumeClaim | undefined;
  const size = existing?.spec.resources?.requests?.storage ?? spec.storage?.size ?? '1Gi';
  reapplyWithClaim(cluster, namespace, spec, claim, volume);
  if (existing) {
    // A dynamically provisioned volume goes with its claim (reclaim policy Delete).
    const pv = existing.spec.volumeName
      ? cluster.store.peek(R.pvs, undefined, existing.spec.volumeName)
      : undefined;
    if (
      pv &&
      (pv['spec'] as { persistentVolumeReclaimPolicy?: string }).persistentVolumeReclaimPolicy === 'Delete'
    )
      cluster.store.remove(R.pvs, undefined, existing.spec.volumeName!);
    cluster.store.remove(R.pvcs, namespace, claim);
  }
  cluster.store.create(R.pvcs, {
    metadata: { name: claim, namespace, labels: existing?.metadata.labels ?? {} },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      storageClassName: storageClass,
    },
    status: { phase: 'Pending' },
  });
};
