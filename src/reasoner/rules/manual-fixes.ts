/**
 * Causes no typed action may undo safely: the diagnosis says what a person must do, and the rules propose
 * nothing (not a restart that cannot help, not a rollback that would only hide the cause). Built from evidence
 * attributes alone; the words are instructions for a person, never commands aoi runs.
 */
import type { Evidence } from '../../core/evidence.js';
import type { ComponentView } from './graph.js';
import { fixFailedJob, restartCronJob } from './manual-batch-fixes.js';
import { raiseAutoscalerLimit } from './manual-capacity-fixes.js';
import { admitRefusedPods } from './manual-admission-fixes.js';
import { createConfigReference, fixInitContainer, fixProbeEndpoint } from './manual-manifest-fixes.js';
import { recoverLostNode, relieveNodePressure } from './manual-node-fixes.js';
import { provideMatchingVolume } from './manual-storage-fixes.js';

const str = (ev: Evidence, key: string): string | undefined => {
  const v = ev.attributes?.[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/**
 * A certificate that ran out (or will): only its owner can issue a new one, and aoi never writes Secrets.
 * The kubelet refreshes a mounted Secret in place; a server that reads its certificate only at start needs
 * a restart after the renewal, which a person can then allow.
 */
function renewCertificate(root: ComponentView): string | undefined {
  const ev =
    root.own.find((e) => e.signal === 'CertificateExpired' || e.signal === 'CertificateNotYetValid') ??
    root.own.find((e) => e.signal === 'CertificateExpiringSoon' && e.severity !== 'info');
  if (!ev) return undefined;
  const secret = str(ev, 'secret') ?? ev.subject.name;
  const ns = str(ev, 'secretNamespace') ?? ev.subject.namespace;
  const where = ns ? `${ns}/${secret}` : secret;
  const when =
    ev.signal === 'CertificateExpiringSoon'
      ? `before it expires at ${str(ev, 'notAfter') ?? '?'}`
      : `(it is not valid now: notAfter ${str(ev, 'notAfter') ?? '?'})`;
  return (
    `no automatic fix: a person must renew the TLS certificate in Secret ${where} ${when}: ` +
    `issue a new certificate for the same names from its CA (or its cert-manager Issuer), replace the Secret's ` +
    `tls.crt and tls.key (kubectl create secret tls ${secret} --cert=… --key=… --dry-run=client -o yaml | kubectl apply -f -), ` +
    `then restart ${str(ev, 'mountedBy') ?? root.name} if it reads its certificate only at start`
  );
}

/**
 * Cluster DNS down: the fix is a typed scale-up, but in kube-system, which policies forbid unless one names
 * the addon; the diagnosis says who must act when the executor may not.
 */
function restoreClusterDns(root: ComponentView): string | undefined {
  const ev = root.own.find((e) => e.signal === 'ClusterDnsDown');
  if (!ev) return undefined;
  const ns = str(ev, 'workloadNamespace') ?? 'kube-system';
  const name = str(ev, 'workload') ?? root.name;
  return (
    `${ns} is outside what aoi may change unless a policy names the DNS addon: if the proposal is denied, ` +
    `a person with rights there must scale it back (kubectl -n ${ns} scale deployment ${name} --replicas=2) ` +
    `and find who scaled it down`
  );
}

/**
 * A claim naming a StorageClass the cluster lacks: `storageClassName` is immutable, and which class the data
 * belongs on (or whether to create the missing one) is a person's call; the claim never bound, so re-creating
 * it loses nothing.
 */
function provideStorageClass(root: ComponentView): string | undefined {
  const ev = root.own.find((e) => e.signal === 'StorageClassNotFound');
  if (!ev) return undefined;
  const claim = str(ev, 'claim') ?? ev.subject.name;
  const ns = str(ev, 'claimNamespace') ?? ev.subject.namespace ?? 'default';
  const wanted = str(ev, 'storageClass') ?? '?';
  return (
    `no automatic fix: a person must either create StorageClass "${wanted}" or re-create claim ${ns}/${claim} ` +
    `with a class the cluster has (kubectl get storageclass; storageClassName cannot be changed in place, and ` +
    `the claim never bound, so deleting and re-applying it loses no data)`
  );
}

/**
 * A database that refuses its clients' user or role, with no init script seen that would re-create them on a
 * restart (observer: UserInitScript): on most clusters a restart does not bring back a dropped user or a
 * revoked grant, so nothing is proposed and a person must put them back.
 */
function regrantByHand(root: ComponentView): string | undefined {
  const auth = root.own.find((e) => e.signal === 'AuthErrors');
  if (!auth || root.own.some((e) => e.signal === 'UserInitScript')) return undefined;
  return (
    `no automatic fix: no init script that re-creates ${root.name}'s users was seen, so a restart would not ` +
    `bring them back; a person with its admin credentials must re-create the user its clients log in as, or ` +
    `re-grant the role it lost (MongoDB: db.createUser / db.grantRolesToUser), then restart the clients stuck in back-off`
  );
}

interface Manual {
  check: (root: ComponentView) => string | undefined;
  /** Whether no action may be proposed at all (only a person can fix it). */
  proposeNothing: boolean;
}

const MANUAL: readonly Manual[] = [
  { check: renewCertificate, proposeNothing: true },
  { check: provideStorageClass, proposeNothing: true },
  { check: admitRefusedPods, proposeNothing: true },
  { check: provideMatchingVolume, proposeNothing: true },
  // Before regrantByHand: a Job's refused login is its own credentials' problem, not its database's.
  { check: fixFailedJob, proposeNothing: true },
  { check: restartCronJob, proposeNothing: true },
  { check: restoreClusterDns, proposeNothing: false },
  { check: fixProbeEndpoint, proposeNothing: true },
  { check: createConfigReference, proposeNothing: true },
  { check: fixInitContainer, proposeNothing: true },
  { check: regrantByHand, proposeNothing: true },
  { check: relieveNodePressure, proposeNothing: true },
  { check: raiseAutoscalerLimit, proposeNothing: true },
  { check: recoverLostNode, proposeNothing: true },
];

/** What a person must do about this root, and whether actions may still be proposed; undefined if nothing. */
export function manualFix(root: ComponentView): { text: string; proposeNothing: boolean } | undefined {
  for (const { check, proposeNothing } of MANUAL) {
    const text = check(root);
    if (text !== undefined) return { text, proposeNothing };
  }
  return undefined;
}
