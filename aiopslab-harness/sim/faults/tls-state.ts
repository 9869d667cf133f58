/**
 * The certificate a server presents, read off the cluster state: the `kubernetes.io/tls` Secret its pod
 * mounts, parsed with node:crypto. Clients verify it at every handshake (network.ts); faults/certificates.ts
 * makes the ones that run out.
 */
import { X509Certificate } from 'node:crypto';
import type { Pod } from '../model.js';
import type { SimWorld } from '../runtime.js';
import { R } from './topology.js';

export const TLS_SECRET_TYPE = 'kubernetes.io/tls';

export interface MountedCertificate {
  secret: string;
  notBefore: number;
  notAfter: number;
}

/** Parsed `notBefore`/`notAfter` by the Secret's base64 `tls.crt`: dials ask for them many times a second. */
const parsed = new Map<string, { notBefore: number; notAfter: number } | null>();

function validity(base64: string): { notBefore: number; notAfter: number } | undefined {
  let found = parsed.get(base64);
  if (found === undefined) {
    try {
      const cert = new X509Certificate(Buffer.from(base64, 'base64'));
      found = { notBefore: Date.parse(cert.validFrom), notAfter: Date.parse(cert.validTo) };
    } catch {
      found = null;
    }
    if (parsed.size > 1000) parsed.clear();
    parsed.set(base64, found);
  }
  return found ?? undefined;
}

/** The TLS certificate a pod serves with: the first `kubernetes.io/tls` Secret among its volumes. */
export function mountedCertificate(world: SimWorld, pod: Pod): MountedCertificate | undefined {
  const namespace = pod.metadata.namespace ?? 'default';
  for (const volume of pod.spec.volumes ?? []) {
    const name = volume.secret?.secretName;
    if (!name) continue;
    const secret = world.store.peek(R.secrets, namespace, name);
    if (secret?.['type'] !== TLS_SECRET_TYPE) continue;
    const crt = (secret['data'] as Record<string, string> | undefined)?.['tls.crt'];
    const times = crt ? validity(crt) : undefined;
    if (times) return { secret: name, ...times };
  }
  return undefined;
}

/** The certificate a client meets at `now` if it is not valid then (expired, or not yet valid). */
export function expiredCertificate(world: SimWorld, pod: Pod, now: number): MountedCertificate | undefined {
  const cert = mountedCertificate(world, pod);
  return cert && (now > cert.notAfter || now < cert.notBefore) ? cert : undefined;
}
