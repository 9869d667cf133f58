/**
 * A claim that opts out of dynamic provisioning (`storageClassName: ""`) and that no PersistentVolume
 * satisfies: the PV controller binds a claim only to an Available volume of the same class with every access
 * mode it asks for, at least its requested capacity and the labels its selector names
 * (kubernetes/kubernetes pkg/controller/volume/persistentvolume/index.go findMatchingVolume); without one it
 * waits, saying only "no persistent volumes available for this claim and no storage class is set" in a Normal
 * FailedBinding event (pv_controller.go), which the observer does not read. So the claim and the volumes are
 * read against each other, and the finding says why each candidate volume does not fit: what a person must
 * change (a volume to create, or the claim's request), since nothing provisions one.
 * A claim a Released volume still remembers is the redeploy case (storage.ts), not this one.
 */
import type { PersistentVolume, PersistentVolumeClaim, Pod, Workload } from '../k8s-types.js';
import { asArray, nameOf } from '../k8s-types.js';
import type { Finding } from './finding.js';
import { clip, ownerOf, subjectOf } from './finding.js';
import { parseQuantity } from '../../core/quantity.js';

/** A storage quantity ("10Gi", "500M") in bytes; undefined when it is not one. */
const bytes = (quantity: string | undefined): number | undefined =>
  quantity === undefined ? undefined : parseQuantity(quantity);

/** Why `pv` cannot serve the claim, or undefined when it could. */
function misfit(pv: PersistentVolume, pvc: PersistentVolumeClaim): string | undefined {
  const ref = pv.spec?.claimRef;
  if (ref && (ref.name !== nameOf(pvc) || ref.namespace !== pvc.metadata?.namespace))
    return `${pv.status?.phase ?? 'bound'} to ${ref.namespace ?? '?'}/${ref.name ?? '?'}`;
  const modes = asArray(pv.spec?.accessModes);
  const missing = asArray(pvc.spec?.accessModes).filter((m) => !modes.includes(m));
  if (missing.length > 0) return `offers ${modes.join(',') || 'no access mode'}, not ${missing.join(',')}`;
  const offered = pv.spec?.capacity?.['storage'];
  const asked = pvc.spec?.resources?.requests?.['storage'];
  const [have, want] = [bytes(offered), bytes(asked)];
  if (have !== undefined && want !== undefined && have < want) return `${offered} is less than ${asked}`;
  const labels = pv.metadata?.labels ?? {};
  const unmatched = Object.entries(pvc.spec?.selector?.matchLabels ?? {}).filter(([k, v]) => labels[k] !== v);
  if (unmatched.length > 0)
    return `lacks the selector's label(s) ${unmatched.map(([k, v]) => `${k}=${v}`).join(',')}`;
  if (pv.status?.phase !== undefined && pv.status.phase !== 'Available') return `is ${pv.status.phase}`;
  return undefined;
}

export function analyzeStaticVolumes(
  pvcs: readonly PersistentVolumeClaim[],
  pvs: readonly PersistentVolume[],
  pods: readonly Pod[],
  replicasets: readonly Workload[],
): Finding[] {
  const findings: Finding[] = [];
  for (const pvc of pvcs) {
    if ((pvc.status?.phase ?? 'Pending') !== 'Pending' || pvc.spec?.storageClassName !== '') continue;
    if (pvc.spec.volumeName) continue;
    const name = nameOf(pvc);
    const ns = pvc.metadata?.namespace;
    const remembered = pvs.some(
      (pv) =>
        pv.status?.phase === 'Released' &&
        pv.spec?.claimRef?.name === name &&
        pv.spec.claimRef.namespace === ns,
    );
    if (remembered) continue;
    const candidates = pvs.filter((pv) => (pv.spec?.storageClassName ?? '') === '');
    const reasons = candidates.map((pv) => ({ pv: nameOf(pv), why: misfit(pv, pvc) }));
    // A volume that fits binds within moments: then this is no fault, only a read in between.
    if (reasons.some((r) => r.why === undefined)) continue;
    const users = pods.filter(
      (p) =>
        p.metadata?.namespace === ns &&
        asArray(p.spec?.volumes).some((v) => v.persistentVolumeClaim?.claimName === name),
    );
    const owners = [...new Set(users.map((p) => ownerOf(p, replicasets)))].sort();
    const asked = pvc.spec.resources?.requests?.['storage'] ?? '?';
    const modes = asArray(pvc.spec.accessModes).join(',') || 'ReadWriteOnce';
    const selector = Object.entries(pvc.spec.selector?.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const why =
      reasons.length === 0
        ? 'there is no PersistentVolume without a class at all'
        : reasons.map((r) => `${r.pv} ${r.why ?? ''}`).join('; ');
    findings.push({
      source: 'kubernetes',
      subject: subjectOf('PersistentVolumeClaim', pvc),
      component: owners[0] ?? name,
      signal: 'NoMatchingVolume',
      severity: 'error',
      score: 92,
      summary: clip(
        `PersistentVolumeClaim ${name} (storageClassName "", ${asked}, ${modes}${selector ? `, selector ${selector}` : ''}) ` +
          `is Pending: no PersistentVolume satisfies it and no class provisions one (${why}); ` +
          `${owners.length > 0 ? `${owners.join(', ')} cannot be scheduled` : 'no pod uses it yet'}`,
        500,
      ),
      excerpt: clip(`claim requests ${asked} ${modes}; candidate volumes: ${why}`),
      attributes: {
        claim: name,
        ...(ns ? { claimNamespace: ns } : {}),
        requestedStorage: asked,
        accessModes: modes,
        ...(selector ? { selector } : {}),
        candidateVolumes: clip(reasons.map((r) => r.pv).join(','), 400),
        misfits: clip(why, 480),
        ...(owners.length > 0 ? { usedBy: owners.join(',') } : {}),
      },
    });
  }
  return findings;
}
