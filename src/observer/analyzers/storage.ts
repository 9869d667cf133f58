import type { PersistentVolume, PersistentVolumeClaim, Pod, Workload } from '../k8s-types.js';
import { asArray, nameOf } from '../k8s-types.js';
import type { Finding } from './finding.js';
import { ownerOf, subjectOf } from './finding.js';

/** PVC/PV binding: claims not Bound (with the volumes that could have served them) and Released volumes. */
export function analyzeStorage(
  pvcs: readonly PersistentVolumeClaim[],
  pvs: readonly PersistentVolume[],
  pods: readonly Pod[],
  replicasets: readonly Workload[],
): Finding[] {
  const findings: Finding[] = [];
  for (const pvc of pvcs) {
    const phase = pvc.status?.phase ?? 'Pending';
    if (phase === 'Bound') continue;
    const name = nameOf(pvc);
    const ns = pvc.metadata?.namespace;
    const users = pods.filter(
      (p) =>
        p.metadata?.namespace === ns &&
        asArray(p.spec?.volumes).some((v) => v.persistentVolumeClaim?.claimName === name),
    );
    const stale = pvs.filter(
      (pv) =>
        pv.status?.phase === 'Released' &&
        pv.spec?.claimRef?.name === name &&
        pv.spec.claimRef.namespace === ns,
    );
    const component = users[0] ? ownerOf(users[0], replicasets) : name;
    findings.push({
      source: 'kubernetes',
      subject: subjectOf('PersistentVolumeClaim', pvc),
      component,
      signal: phase === 'Lost' ? 'PVCLost' : 'PVCPending',
      severity: 'error',
      score: 90,
      attributes: {
        claim: name,
        ...(ns ? { claimNamespace: ns } : {}),
        ...(stale.length > 0 ? { releasedVolumes: stale.map(nameOf).join(',') } : {}),
      },
      summary: `PersistentVolumeClaim ${name} is ${phase}; used by ${users.map(nameOf).join(', ') || 'no pod'}`,
      excerpt: [
        `storageClass ${pvc.spec?.storageClassName ?? '(none)'}, requests ${JSON.stringify(pvc.spec?.resources?.requests ?? {})}`,
        ...stale.map(
          (pv) =>
            `PersistentVolume ${nameOf(pv)} is ${pv.status?.phase ?? '?'} with a claimRef to this claim (uid ${pv.spec?.claimRef?.uid ?? '?'})`,
        ),
      ].join('\n'),
    });
  }
  for (const pv of pvs) {
    const phase = pv.status?.phase;
    if (phase !== 'Released' && phase !== 'Failed') continue;
    findings.push({
      source: 'kubernetes',
      subject: subjectOf('PersistentVolume', pv),
      signal: phase === 'Failed' ? 'PVFailed' : 'PVReleased',
      severity: 'warning',
      score: 45,
      summary: `PersistentVolume ${nameOf(pv)} is ${phase}, still claimed by ${pv.spec?.claimRef?.namespace ?? '?'}/${pv.spec?.claimRef?.name ?? '?'}`,
    });
  }
  return findings;
}
