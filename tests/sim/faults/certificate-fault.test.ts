import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resourceByKind } from '../../../aiopslab-harness/sim/api/resources.js';
import { hotelReservation } from '../../../aiopslab-harness/sim/apps/hotel-reservation.js';
import { socialNetwork } from '../../../aiopslab-harness/sim/apps/social-network.js';
import { tlsSecret } from '../../../aiopslab-harness/sim/faults/certificates.js';
import { injectFault } from '../../../aiopslab-harness/sim/faults/index.js';
import { component, edge, expectHealthy, health, logs, pods, rolloutRestart, up } from './helpers.js';

const SECRETS = resourceByKind('Secret');
const HOTEL = hotelReservation.defaultNamespace;
const SOCIAL = socialNetwork.defaultNamespace;
const DAY_MS = 86_400_000;

function renew(cluster: ReturnType<typeof up>, namespace: string, name: string, target: string): void {
  // What a person does: a fresh certificate in the same Secret (kubectl create secret tls … | kubectl apply).
  const now = cluster.clock.now();
  const current = cluster.store.get(SECRETS, namespace, name)!;
  const fresh = tlsSecret(namespace, name, target, now - 60_000, now + 365 * DAY_MS);
  cluster.store.replace(SECRETS, { ...current, data: fresh['data']! });
  cluster.reconcile();
}

describe('expired_certificate', () => {
  it('fails every client handshake once notAfter passes, with Go x509 wording; renewing the Secret clears it', () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, HOTEL, { kind: 'expired_certificate', target: 'search' });
    cluster.advance(30_000);
    // The Secret is a real kubernetes.io/tls one, mounted by the server's pods.
    const secret = cluster.store.peek(SECRETS, HOTEL, 'search-tls')!;
    expect(secret['type']).toBe('kubernetes.io/tls');
    const crt = Buffer.from((secret['data'] as Record<string, string>)['tls.crt']!, 'base64');
    const notAfter = Date.parse(new X509Certificate(crt).validTo);
    expect(pods(cluster, HOTEL, 'search')[0]!.spec.volumes).toContainEqual({
      name: 'tls',
      secret: { secretName: 'search-tls', defaultMode: 420 },
    });
    // Still valid: nothing fails.
    expectHealthy(cluster, HOTEL);

    cluster.advance(120_000);
    expect(cluster.clock.now()).toBeGreaterThan(notAfter);
    const h = health(cluster, HOTEL);
    const call = edge(h, 'frontend', 'search');
    expect(call.ok).toBe(false);
    expect(call.error).toContain(
      'transport: authentication handshake failed: tls: failed to verify certificate',
    );
    expect(call.error).toMatch(
      /x509: certificate has expired or is not yet valid: current time \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ is after /,
    );
    expect(call.error).toContain(`is after ${new Date(notAfter).toISOString().replace('.000Z', 'Z')}`);
    // The server itself is up: Running, Ready, reachable; its callers fail.
    const server = component(h, 'search');
    expect(server.reachable).toBe(true);
    expect(server.ready).toBe(server.desired);
    expect(component(h, 'frontend').errorRate).toBeGreaterThan(0);
    expect(logs(cluster, HOTEL, 'frontend')).toContain('x509: certificate has expired or is not yet valid');

    // Restarting the server serves the same expired certificate.
    rolloutRestart(cluster, HOTEL, 'search');
    cluster.advance(60_000);
    expect(edge(health(cluster, HOTEL), 'frontend', 'search').ok).toBe(false);

    renew(cluster, HOTEL, 'search-tls', 'search');
    cluster.advance(20_000);
    expectHealthy(cluster, HOTEL);
    expect(logs(cluster, HOTEL, 'frontend', { sinceSeconds: 10 })).not.toContain('x509');
  });

  it('speaks OpenSSL to Thrift clients', () => {
    const cluster = up(socialNetwork);
    injectFault(cluster, SOCIAL, {
      kind: 'expired_certificate',
      target: 'user-service',
      params: { expiresInMs: 10_000 },
    });
    cluster.advance(60_000);
    const failing = health(cluster, SOCIAL).edges.filter((e) => e.to === 'user-service' && !e.ok);
    expect(failing.length).toBeGreaterThan(0);
    expect(failing[0]!.error).toContain('certificate verify failed (certificate has expired)');
  });
});

describe('expiring_certificate', () => {
  it('breaks nothing until the day it runs out', () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, HOTEL, { kind: 'expiring_certificate', target: 'profile', params: { days: 2 } });
    cluster.advance(60_000);
    expectHealthy(cluster, HOTEL);
    const crt = (cluster.store.peek(SECRETS, HOTEL, 'profile-tls')!['data'] as Record<string, string>)[
      'tls.crt'
    ]!;
    const notAfter = Date.parse(new X509Certificate(Buffer.from(crt, 'base64')).validTo);
    expect(notAfter - cluster.clock.now()).toBeGreaterThan(DAY_MS);
    expect(notAfter - cluster.clock.now()).toBeLessThan(2 * DAY_MS);
  });
});
