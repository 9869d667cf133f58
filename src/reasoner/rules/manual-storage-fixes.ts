/**
 * A claim without a class that no PersistentVolume satisfies (static provisioning): nothing will create a
 * volume for it, and which volume the data belongs on (or whether the claim asks for too much) is a person's
 * call; aoi never creates volumes. The claim never bound, so re-creating it loses nothing. The words are
 * instructions for a person, never commands aoi runs.
 */
import type { Evidence } from '../../core/evidence.js';
import type { ComponentView } from './graph.js';

const str = (ev: Evidence, key: string): string | undefined => {
  const v = ev.attributes?.[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

export function provideMatchingVolume(root: ComponentView): string | undefined {
  const ev = root.own.find((e) => e.signal === 'NoMatchingVolume');
  if (!ev) return undefined;
  const claim = str(ev, 'claim') ?? ev.subject.name;
  const ns = str(ev, 'claimNamespace') ?? ev.subject.namespace ?? 'default';
  const size = str(ev, 'requestedStorage') ?? '?';
  const modes = str(ev, 'accessModes') ?? 'ReadWriteOnce';
  const selector = str(ev, 'selector');
  const misfits = str(ev, 'misfits');
  return (
    `no automatic fix: a person must either create a PersistentVolume with storageClassName "" that offers at ` +
    `least ${size} and ${modes}${selector ? ` and carries the labels ${selector}` : ''} for claim ${ns}/${claim}, ` +
    `or re-create the claim asking for what an existing volume offers ` +
    `(${misfits ?? 'kubectl get pv'}; the claim never bound, so deleting and re-applying it loses no data); ` +
    `aoi never creates volumes`
  );
}
