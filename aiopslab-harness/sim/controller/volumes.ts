import { resourceByKind } from '../api/resources.js';
import type { PersistentVolumeClaim } from '../model.js';
import { asView, parseMemory } from '../model.js';
import type { JsonObject } from '../api/json.js';
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
      const match = bestMatch(this.ctx.store.peekAll(PVS), pvc, storageClass ?? '', size, accessModes);
      if (!match) {
        // pkg/controller/volume/persistentvolume/pv_controller.go syncUnboundClaim: a claim with a class is
        // provisioned (and fails for a class that does not exist); one without waits, with a Normal event.
        if (storageClass)
          this.ctx.events.record(
            json,
            'Warning',
            'ProvisioningFailed',
            `storageclass.storage.k8s.io "${storageClass}" not found`,
            { component: 'persistentvolume-controller' },
          );
        else
          this.ctx.events.record(
            json,
            'Normal',
            'FailedBinding',
            'no persistent volumes available for this claim and no storage class is set',
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

/**
 * The smallest Available volume that satisfies the claim, as the PV controller's index finds it
 * (pkg/controller/volume/persistentvolume/index.go findMatchingVolume, pkg/volume/util.CheckVolumeModeMismatches):
 * the same class, every access mode the claim asks for, at least the requested capacity, and the labels its
 * selector names. A volume pre-bound to another claim (claimRef) is not a candidate.
 */
function bestMatch(
  volumes: JsonObject[],
  pvc: PersistentVolumeClaim,
  storageClass: string,
  size: string,
  accessModes: string[],
): JsonObject | undefined {
  const wanted = parseMemory(size);
  const selector = pvc.spec.selector?.matchLabels ?? {};
  const fits = volumes.filter((pv) => {
    const spec = (pv['spec'] ?? {}) as {
      storageClassName?: string;
      accessModes?: string[];
      capacity?: { storage?: string };
      claimRef?: { name?: string; namespace?: string };
    };
    const labels = (pv['metadata'] as { labels?: Record<string, string> }).labels ?? {};
    const claimRef = spec.claimRef;
    return (
      (pv['status'] as { phase?: string } | undefined)?.phase === 'Available' &&
      (spec.storageClassName ?? '') === storageClass &&
      (!claimRef || (claimRef.name === pvc.metadata.name && claimRef.namespace === pvc.metadata.namespace)) &&
      accessModes.every((m) => (spec.accessModes ?? []).includes(m)) &&
      parseMemory(spec.capacity?.storage) >= wanted &&
      Object.entries(selector).every(([k, v]) => labels[k] === v)
    );
  });
  const capacity = (pv: JsonObject) =>
    parseMemory(((pv['spec'] as { capacity?: { storage?: string } }).capacity ?? {}).storage);
  return fits.sort((a, b) => capacity(a) - capacity(b))[0];
}
