import { resourceByKind } from '../api/resources.js';
import type { PersistentVolumeClaim } from '../model.js';
import { asView } from '../model.js';
import type { ControllerContext } from './context.js';

const PVCS = resourceByKind('PersistentVolumeClaim');
const PVS = resourceByKind('PersistentVolume');
/** The storage classes the simulated cluster provisions dynamically (kind ships "standard"). */
export const STORAGE_CLASSES = new Set(['standard']);

/** Binds claims: dynamic provisioning for known classes, else a matching Available volume, else Pending. */
export class VolumeController {
  constructor(private readonly ctx: ControllerContext) {}

  sync(namespace: string, name: string): void {
    const json = this.ctx.store.peek(PVCS, namespace, name);
    if (!json) return;
    const pvc = asView<PersistentVolumeClaim>(json);
    if (pvc.status?.phase === 'Bound' || pvc.metadata.deletionTimestamp) return;
    const storageClass = pvc.spec.storageClassName === undefined ? 'standard' : pvc.spec.storageClassName;
    const size = pvc.spec.resources?.requests?.storage ?? '1Gi';
    const accessModes = pvc.spec.accessModes ?? ['ReadWriteOnce'];
    let volumeName = pvc.spec.volumeName;
    if (volumeName) {
      const pv = this.ctx.store.peek(PVS, undefined, volumeName);
      if (!pv) return;
    } else if (storageClass && STORAGE_CLASSES.has(storageClass)) {
      volumeName = `pvc-${pvc.metadata.uid}`;
      this.ctx.events.record(
        json,
        'Normal',
        'Provisioning',
        `External provisioner is provisioning volume for claim "${namespace}/${name}"`,
        { component: 'rancher.io/local-path_local-path-provisioner' },
      );
      this.ctx.store.create(PVS, {
        metadata: {
          name: volumeName,
          annotations: { 'pv.kubernetes.io/provisioned-by': 'rancher.io/local-path' },
        },
        spec: {
          capacity: { storage: size },
          accessModes,
          persistentVolumeReclaimPolicy: 'Delete',
          storageClassName: storageClass,
          volumeMode: 'Filesystem',
          claimRef: {
            kind: 'PersistentVolumeClaim',
            namespace,
            name,
            uid: pvc.metadata.uid,
            apiVersion: 'v1',
          },
          hostPath: {
            path: `/var/local-path-provisioner/${volumeName}_${namespace}_${name}`,
            type: 'DirectoryOrCreate',
          },
        },
        status: { phase: 'Bound' },
      });
      this.ctx.events.record(
        json,
        'Normal',
        'ProvisioningSucceeded',
        `Successfully provisioned volume ${volumeName}`,
        { component: 'rancher.io/local-path_local-path-provisioner' },
      );
    } else {
      const match = this.ctx.store
        .peekAll(PVS)
        .find(
          (pv) =>
            pv['status'] &&
            (pv['status'] as { phase?: string }).phase === 'Available' &&
            ((pv['spec'] as { storageClassName?: string }).storageClassName ?? '') === (storageClass ?? ''),
        );
      if (!match) {
        const message = storageClass
          ? `storageclass.storage.k8s.io "${storageClass}" not found`
          : 'no persistent volumes available for this claim and no storage class is set';
        this.ctx.events.record(
          json,
          'Warning',
          storageClass ? 'ProvisioningFailed' : 'FailedBinding',
          message,
          { component: 'persistentvolume-controller' },
        );
        return;
      }
      volumeName = (match['metadata'] as { name: string }).name;
      this.ctx.store.mutate(PVS, undefined, volumeName, (pv) => {
        (pv['spec'] as Record<string, unknown>)['claimRef'] = {
          kind: 'PersistentVolumeClaim',
          namespace,
          name,
          uid: pvc.metadata.uid,
          apiVersion: 'v1',
        };
        pv['status'] = { phase: 'Bound' };
      });
    }
    this.ctx.store.mutate(PVCS, namespace, name, (o) => {
      const view = asView<PersistentVolumeClaim>(o);
      view.spec.volumeName = volumeName;
      if (storageClass) view.spec.storageClassName = storageClass;
      view.spec.volumeMode ??= 'Filesystem';
      view.metadata.annotations = {
        ...(view.metadata.annotations ?? {}),
        'pv.kubernetes.io/bind-completed': 'yes',
      };
      view.status = { phase: 'Bound', accessModes, capacity: { storage: size } };
    });
  }
}
