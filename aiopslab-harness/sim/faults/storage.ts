/**
 * redeploy_without_pv: AIOpsLab deletes the app's namespace without deleting its PersistentVolumes and
 * re-applies the app 15 s later. Its volumes are static hostPath ones (reclaim policy Retain, no storage
 * class), so they stay Released with claimRefs naming the old claims; the re-applied claims find no
 * Available volume and stay Pending, the MongoDB pods stay Pending (unbound claims), and the Go services
 * that need them panic "no reachable servers" and crash-loop.
 *
 * Fix (what an SRE does): free the volumes, `kubectl patch pv <pv> --type json -p
 * '[{"op":"remove","path":"/spec/claimRef"}]'`; the volume controller then makes them Available and the
 * Pending claims bind. (Deleting the claims and re-creating them with a provisioning storage class works
 * too, on empty volumes.)
 */
import type { JsonObject } from '../api/json.js';
import type { SimCluster } from '../cluster.js';
import type { PersistentVolumeClaim, StatefulSet } from '../model.js';
import { isChaosObject } from './chaos.js';
import { R } from './topology.js';
import type { Injector } from './util.js';
import { manifestOf } from './util.js';

/** How long AIOpsLab waits between deleting the namespace and re-applying the app. */
const REAPPLY_AFTER_MS = 15_000;

function staticClaim(pvc: JsonObject): JsonObject {
  const claim = pvc as unknown as PersistentVolumeClaim;
  return {
    metadata: {
      name: claim.metadata.name,
      namespace: claim.metadata.namespace ?? '',
      labels: claim.metadata.labels ?? {},
    },
    spec: {
      accessModes: claim.spec.accessModes ?? ['ReadWriteOnce'],
      resources: { requests: { storage: claim.spec.resources?.requests?.storage ?? '1Gi' } },
      storageClassName: '',
    },
    status: { phase: 'Pending' },
  };
}

/** The namespace's objects as their manifests would re-create them. */
function snapshot(cluster: SimCluster, namespace: string): { type: typeof R.pods; body: JsonObject }[] {
  const out: { type: typeof R.pods; body: JsonObject }[] = [];
  for (const cm of cluster.store.peekAll(R.configmaps, namespace)) {
    const name = (cm['metadata'] as { name: string }).name;
    if (isChaosObject(cm) || name === 'kube-root-ca.crt') continue;
    out.push({ type: R.configmaps, body: manifestOf(cm) });
  }
  for (const secret of cluster.store.peekAll(R.secrets, namespace))
    out.push({ type: R.secrets, body: manifestOf(secret) });
  // Claims a StatefulSet made from its templates come back from the templates, not from a manifest.
  const templated = cluster.store.peekAll(R.statefulsets, namespace).flatMap((json) => {
    const sts = json as unknown as StatefulSet;
    return (sts.spec.volumeClaimTemplates ?? []).map((t) => `${t.metadata.name}-${sts.metadata.name}-`);
  });
  for (const pvc of cluster.store.peekAll(R.pvcs, namespace)) {
    const name = (pvc['metadata'] as { name: string }).name;
    if (!templated.some((prefix) => name.startsWith(prefix)))
      out.push({ type: R.pvcs, body: staticClaim(pvc) });
  }
  for (const svc of cluster.store.peekAll(R.services, namespace)) {
    const body = manifestOf(svc);
    const spec = body['spec'] as JsonObject;
    const ip = cluster.allocateServiceIP();
    spec['clusterIP'] = ip;
    spec['clusterIPs'] = [ip];
    out.push({ type: R.services, body });
  }
  for (const deploy of cluster.store.peekAll(R.deployments, namespace))
    out.push({ type: R.deployments, body: { ...manifestOf(deploy), status: {} } });
  for (const sts of cluster.store.peekAll(R.statefulsets, namespace)) {
    const body = manifestOf(sts);
    for (const t of (body['spec'] as unknown as StatefulSet['spec']).volumeClaimTemplates ?? [])
      t.spec['storageClassName'] = '';
    out.push({ type: R.statefulsets, body: { ...body, status: { replicas: 0 } } });
  }
  return out;
}

/** The namespace's bound volumes become static ones: Retain, no class, Released with stale claimRefs. */
function releaseVolumes(cluster: SimCluster, namespace: string): void {
  for (const pv of cluster.store.peekAll(R.pvs)) {
    const spec = pv['spec'] as { claimRef?: { namespace?: string } } | undefined;
    if (spec?.claimRef?.namespace !== namespace) continue;
    const name = (pv['metadata'] as { name: string }).name;
    cluster.store.mutate(R.pvs, undefined, name, (o) => {
      const s = o['spec'] as JsonObject;
      s['persistentVolumeReclaimPolicy'] = 'Retain';
      s['storageClassName'] = '';
      o['status'] = { phase: 'Released' };
    });
  }
}

export const redeployWithoutPv: Injector = (cluster, namespace) => {
  const objects = snapshot(cluster, namespace);
  releaseVolumes(cluster, namespace);
  cluster.store.mutate(R.namespaces, undefined, namespace, (ns) => {
    (ns['metadata'] as JsonObject)['deletionTimestamp'] = cluster.clock.iso();
    ns['status'] = { phase: 'Terminating' };
  });
  cluster.reconcile();
  cluster.clock.after(REAPPLY_AFTER_MS, () => {
    cluster.createNamespace(namespace);
    for (const { type, body } of objects) {
      const meta = body['metadata'] as { name: string };
      if (!cluster.store.peek(type, namespace, meta.name)) cluster.store.create(type, body);
    }
  });
};
