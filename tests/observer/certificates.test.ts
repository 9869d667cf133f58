import { afterEach, describe, expect, it } from 'vitest';
import { resourceByKind } from '../../aiopslab-harness/sim/api/resources.js';
import { SimServer } from '../../aiopslab-harness/sim/index.js';
import { observe } from '../../src/observer/observe.js';
import { diagnoseByRules } from '../../src/reasoner/rules-backend.js';
import { apiReader, prepareCluster } from './sim-helpers.js';

const SECRETS = resourceByKind('Secret');
let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function look(
  fault: string,
  target: string,
  params: Record<string, string> = {},
  denied: string[] = [],
) {
  const { cluster, namespace } = prepareCluster({ app: 'hotel-reservation', fault, target, params });
  server = await SimServer.start({ cluster, observerDenied: denied });
  const report = await observe(apiReader(server), { namespace, maxEvidenceTokens: 8000 });
  if (!report.ok) throw new Error(report.error.message);
  return { cluster, namespace, report: report.value };
}

describe('certificates', () => {
  it('reads an expired certificate’s notAfter off the Secret the server mounts, and nothing else of it', async () => {
    const { cluster, namespace, report } = await look('expired_certificate', 'search');
    const expired = report.evidence.find((e) => e.signal === 'CertificateExpired');
    expect(expired).toMatchObject({
      severity: 'critical',
      component: 'search',
      subject: { kind: 'Secret', name: 'search-tls', namespace },
      attributes: { secret: 'search-tls', mountedBy: 'search' },
    });
    expect(expired?.summary).toMatch(
      /expired at \d{4}-\d\d-\d\dT[\d:.]+Z, \d+ min ago; clients fail the TLS handshake: frontend/,
    );
    // The client that fails is the server's victim, not a root of its own.
    const client = report.evidence.find((e) => e.signal === 'TlsHandshakeFailed');
    expect(client).toMatchObject({ component: 'frontend', blames: ['search'] });
    expect(report.evidence[0]?.signal).toBe('CertificateExpired');
    // Key material never comes out: not the key, not the certificate's bytes.
    const data = cluster.store.peek(SECRETS, namespace, 'search-tls')!['data'] as Record<string, string>;
    const everything = JSON.stringify(report);
    expect(everything).not.toContain(data['tls.key']!.slice(20, 60));
    expect(everything).not.toContain(data['tls.crt']!.slice(20, 60));
    expect(everything).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
    expect(report.coverage.complete).toBe(true);
    // No safe automatic fix: the diagnosis says what a person must do and proposes nothing.
    const diagnosis = diagnoseByRules({ evidence: report.evidence, namespace });
    expect(diagnosis.faultyComponents).toEqual(['search']);
    expect(diagnosis.rootCause).toMatchObject({
      systemLevel: 'Application',
      faultType: 'Authentication Issue',
    });
    expect(diagnosis.rootCause?.summary).toContain(
      `no automatic fix: a person must renew the TLS certificate in Secret ${namespace}/search-tls`,
    );
    expect(diagnosis.proposals).toEqual([]);
  });

  it('judges validity by the cluster’s clock (the API server’s Date), not the observer’s', async () => {
    const { report } = await look('expiring_certificate', 'profile', { days: '2' });
    const soon = report.evidence.find((e) => e.signal === 'CertificateExpiringSoon');
    expect(soon).toMatchObject({ severity: 'error', component: 'profile' });
    expect(soon?.summary).toMatch(/expires at 2026-01-03T\S+Z, in (2 days|4\d h)$/);
    expect(report.evidence.some((e) => e.signal === 'CertificateExpired')).toBe(false);
    expect(report.incident).toBe(true);
  });

  it('makes Secrets it may not read a gap naming the mounted ones, never "healthy"', async () => {
    const { report } = await look('expiring_certificate', 'profile', { days: '2' }, ['secrets']);
    expect(report.evidence.some((e) => e.signal.startsWith('Certificate'))).toBe(false);
    const gap = report.gaps.find((g) => g.what === 'secrets');
    expect(gap?.message).toContain('test-hotel-reservation/profile-tls');
    expect(gap?.message).toContain('not checked for expiry');
    expect(report.coverage.complete).toBe(false);
  });
});
