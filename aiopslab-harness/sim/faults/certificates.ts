/**
 * TLS certificates that run out. A server mounts a Secret of type `kubernetes.io/tls` (keys `tls.crt` and
 * `tls.key`, https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets); its clients verify the
 * certificate at every handshake, so once `notAfter` passes every new connection fails on the client's side
 * (network.ts asks `expiredCertificate` at each dial) while the server's pods stay Running and Ready.
 *
 * Injectors: `expired_certificate` gives the target a certificate that runs out a minute later
 * (`params.expiresInMs`); `expiring_certificate` one that is still valid for `params.days` days (default 10):
 * nothing fails yet, which only a look at `notAfter` can tell. There is no automatic fix: a person issues a
 * new certificate and replaces the Secret's data (`kubectl create secret tls <name> --cert --key
 * --dry-run=client -o yaml | kubectl apply -f -`); the kubelet refreshes mounted Secrets in place, and the
 * servers here re-read their certificate, so the clients' handshakes succeed again.
 */
import type { JsonObject } from '../api/json.js';
import { createCertificate } from '../server/tls.js';
import { timelineOf } from './timeline.js';
import { TLS_SECRET_TYPE } from './tls-state.js';
import { R } from './topology.js';
import type { Injector } from './util.js';
import { componentOf, param, patchDeployment, targetOf } from './util.js';

const MOUNT_PATH = '/etc/tls';
const DAY_MS = 86_400_000;

/** A Secret of type kubernetes.io/tls for a component's Service names, valid over the given times. */
export function tlsSecret(
  namespace: string,
  name: string,
  component: string,
  notBefore: number,
  notAfter: number,
): JsonObject {
  const hosts = [component, `${component}.${namespace}`, `${component}.${namespace}.svc`];
  const { certPem, keyPem } = createCertificate({
    hosts: [...hosts, `${component}.${namespace}.svc.cluster.local`],
    commonName: `${component}.${namespace}.svc`,
    notBefore: new Date(notBefore),
    notAfter: new Date(notAfter),
  });
  return {
    metadata: { name, namespace, labels: { 'app.kubernetes.io/component': 'tls' } },
    type: TLS_SECRET_TYPE,
    data: {
      'tls.crt': Buffer.from(certPem).toString('base64'),
      'tls.key': Buffer.from(keyPem).toString('base64'),
    },
  };
}

/** Creates (or replaces) the target's TLS Secret and mounts it into the target's pods. */
function serveWithCertificate(
  cluster: Parameters<Injector>[0],
  namespace: string,
  target: string,
  notAfter: number,
): void {
  componentOf(cluster, namespace, target);
  const now = cluster.clock.now();
  const name = `${target}-tls`;
  const body = tlsSecret(namespace, name, target, now - 90 * DAY_MS, notAfter);
  if (cluster.store.peek(R.secrets, namespace, name)) cluster.store.remove(R.secrets, namespace, name);
  cluster.store.create(R.secrets, body);
  patchDeployment(cluster, namespace, target, (d) => {
    const spec = d.spec.template.spec;
    spec.volumes = [
      ...(spec.volumes ?? []).filter((v) => v.name !== 'tls'),
      { name: 'tls', secret: { secretName: name, defaultMode: 420 } },
    ];
    for (const c of spec.containers) {
      c.volumeMounts = [
        ...(c.volumeMounts ?? []).filter((m) => m.name !== 'tls'),
        { name: 'tls', mountPath: MOUNT_PATH },
      ];
    }
  });
  // Nothing in the store changes when the certificate runs out: tell the health timeline when it does.
  if (notAfter > now)
    cluster.clock.after(notAfter - now + 1, () => timelineOf(cluster.world)?.touch(namespace));
}

export const injectExpiredCertificate: Injector = (cluster, namespace, fault) => {
  const inMs = Number(param(fault, 'expiresInMs') ?? 60_000);
  serveWithCertificate(cluster, namespace, targetOf(fault), cluster.clock.now() + inMs);
};

export const injectExpiringCertificate: Injector = (cluster, namespace, fault) => {
  const days = Number(param(fault, 'days') ?? 10);
  serveWithCertificate(cluster, namespace, targetOf(fault), cluster.clock.now() + days * DAY_MS);
};
