/**
 * A claim that names a StorageClass the cluster does not have: the persistent-volume controller's Warning
 * ProvisioningFailed event says so in its own words (`storageclass.storage.k8s.io "<name>" not found`), the
 * claim stays Pending and every pod that mounts it stays unschedulable. The claim's users are the subject:
 * the manifest that names the class is theirs.
 */
import type { KEvent, PersistentVolumeClaim, Pod, Workload } from '../k8s-types.js';
import { asArray, nameOf } from '../k8s-types.js';
import type { Finding } from './finding.js';
import { clip, ownerOf, subjectOf } from './finding.js';

const CLASS_NOT_FOUND = /storageclass\.storage\.k8s\.io "([^"]+)" not found/;

export function analyzeStorageClasses(
  pvcs: readonly PersistentVolumeClaim[],
  events: readonly KEvent[],
  pods: readonly Pod[],
  replicasets: readonly Workload[],
): Finding[] {
  const findings: Finding[] = [];
  for (const pvc of pvcs) {
    if ((pvc.status?.phase ?? 'Pending') !== 'Pending') continue;
    const name = nameOf(pvc);
    const ns = pvc.metadata?.namespace;
    const event = events.find(
      (e) =>
        e.involvedObject?.kind === 'PersistentVolumeClaim' &&
        e.involvedObject.name === name &&
        e.involvedObject.namespace === ns &&
        CLASS_NOT_FOUND.test(e.message ?? ''),
    );
    const missing = event ? CLASS_NOT_FOUND.exec(event.message ?? '')?.[1] : undefined;
    if (!event || missing === undefined || missing !== (pvc.spec?.storageClassName ?? missing)) continue;
    const users = pods.filter(
      (p) =>
        p.metadata?.namespace === ns &&
        asArray(p.spec?.volumes).some((v) => v.persistentVolumeClaim?.claimName === name),
    );
    const owners = [...new Set(users.map((p) => ownerOf(p, replicasets)))].sort();
    findings.push({
      source: 'events',
      subject: subjectOf('PersistentVolumeClaim', pvc),
      component: owners[0] ?? name,
      signal: 'StorageClassNotFound',
      severity: 'error',
      score: 93,
      summary: clip(
        `PersistentVolumeClaim ${name} asks for StorageClass "${missing}", which this cluster does not have: ` +
          `it stays Pending and ${owners.length > 0 ? `${owners.join(', ')} cannot be scheduled` : 'no pod uses it yet'}`,
        500,
      ),
      excerpt: `${event.reason ?? 'ProvisioningFailed'} (x${event.count ?? 1}): ${event.message ?? ''}`,
      attributes: {
        claim: name,
        ...(ns ? { claimNamespace: ns } : {}),
        storageClass: missing,
        ...(owners.length > 0 ? { usedBy: owners.join(',') } : {}),
      },
    });
  }
  return findings;
}
