/**
 * TLS certificates that have run out or soon will, from their public facts (`notBefore`/`notAfter`, read off
 * the Secrets pods mount; never key material), judged against the cluster's own clock; and the clients whose
 * logs show the handshake failing because of one, so that they read as its victims.
 */
import type { TlsCertificate } from '../certificates.js';
import type { Pod, Workload } from '../k8s-types.js';
import { asArray, nameOf } from '../k8s-types.js';
import type { PodLog } from '../snapshot.js';
import type { Finding } from './finding.js';
import { clip, ownerOf, subjectOf } from './finding.js';

const DAY_MS = 86_400_000;
/** Inside this many days a certificate's expiry is an error (an outage this week), inside the next a warning. */
const IMMINENT_DAYS = 7;
const SOON_DAYS = 30;

/**
 * What clients print when a server's certificate has expired: Go's crypto/x509 (with the two times), OpenSSL's
 * verify result X509_V_ERR_CERT_HAS_EXPIRED, Node's CERT_HAS_EXPIRED.
 */
const GO_EXPIRED =
  /x509: certificate has expired or is not yet valid: current time (\S+) is after (\S+?)["\s,)]/;
const OTHER_EXPIRED = /certificate has expired|CERT_HAS_EXPIRED/;

function ago(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

interface ClientFailure {
  client: string;
  pod: string;
  namespace: string;
  line: string;
  /** The certificate's notAfter as the client printed it (Go only), ms. */
  notAfter?: number;
}

function clientFailures(logs: readonly PodLog[], pods: readonly Pod[], rs: readonly Workload[]) {
  const out: ClientFailure[] = [];
  const seen = new Set<string>();
  for (const log of logs) {
    const line = log.text.split('\n').find((l) => GO_EXPIRED.test(`${l} `) || OTHER_EXPIRED.test(l));
    if (!line) continue;
    const pod = pods.find((p) => p.metadata?.namespace === log.namespace && nameOf(p) === log.pod);
    const client = pod ? ownerOf(pod, rs) : log.pod;
    const key = `${log.namespace}/${client}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const at = GO_EXPIRED.exec(`${line} `)?.[2];
    const notAfter = at === undefined ? NaN : Date.parse(at);
    out.push({
      client,
      pod: log.pod,
      namespace: log.namespace,
      line: clip(line.trim(), 400),
      ...(Number.isNaN(notAfter) ? {} : { notAfter }),
    });
  }
  return out;
}

export interface CertificateInput {
  certificates: readonly TlsCertificate[];
  pods: readonly Pod[];
  replicasets: readonly Workload[];
  logs: readonly PodLog[];
  /** The cluster's clock (ISO). */
  now: string;
}

export function analyzeCertificates(input: CertificateInput): Finding[] {
  const now = Date.parse(input.now);
  const findings: Finding[] = [];
  const failures = clientFailures(input.logs, input.pods, input.replicasets);
  const expired: { server: string; namespace: string; notAfter: number }[] = [];
  for (const cert of input.certificates) {
    const notAfter = Date.parse(cert.certificate.notAfter ?? '');
    const notBefore = Date.parse(cert.certificate.notBefore ?? '');
    if (Number.isNaN(notAfter)) continue;
    const name = nameOf(cert);
    const ns = cert.metadata?.namespace;
    const users = input.pods.filter(
      (p) =>
        p.metadata?.namespace === ns &&
        !p.metadata?.deletionTimestamp &&
        asArray(p.spec?.volumes).some((v) => v.secret?.secretName === name),
    );
    const owners = [...new Set(users.map((p) => ownerOf(p, input.replicasets)))].sort();
    const left = notAfter - now;
    const notYet = !Number.isNaN(notBefore) && notBefore > now;
    if (left > SOON_DAYS * DAY_MS && !notYet) continue;
    const mountedBy = owners.length > 0 ? `mounted by ${owners.join(', ')}` : 'mounted by no running pod';
    const facts = [
      `subject ${cert.certificate.subject ?? '?'}`,
      `DNS names ${(cert.certificate.dnsNames ?? []).join(', ') || '(none)'}`,
      `valid ${cert.certificate.notBefore ?? '?'} to ${cert.certificate.notAfter ?? '?'}`,
    ].join('; ');
    const base = {
      source: 'kubernetes' as const,
      subject: subjectOf('Secret', cert),
      ...(owners[0] === undefined ? {} : { component: owners[0] }),
      attributes: {
        secret: name,
        ...(ns ? { secretNamespace: ns } : {}),
        notAfter: new Date(notAfter).toISOString(),
        ...(owners.length > 0 ? { mountedBy: owners.join(',') } : {}),
      },
    };
    if (left < 0 || notYet) {
      const clients = failures.filter(
        (f) => f.namespace === ns && (f.notAfter === undefined || Math.abs(f.notAfter - notAfter) < 1000),
      );
      if (owners[0] !== undefined) expired.push({ server: owners[0], namespace: ns ?? '', notAfter });
      const when = notYet
        ? `is not valid until ${cert.certificate.notBefore ?? '?'}`
        : `expired at ${new Date(notAfter).toISOString()}, ${ago(left)} ago`;
      findings.push({
        ...base,
        signal: notYet ? 'CertificateNotYetValid' : 'CertificateExpired',
        severity: owners.length > 0 ? 'critical' : 'warning',
        score: owners.length > 0 ? 95 : 45,
        summary: clip(
          `TLS certificate in Secret ${name} (${mountedBy}) ${when}` +
            (clients.length > 0
              ? `; clients fail the TLS handshake: ${clients.map((c) => c.client).join(', ')}`
              : ''),
          500,
        ),
        excerpt: [facts, ...clients.slice(0, 2).map((c) => `${c.client}: ${c.line}`)].join('\n'),
      });
      continue;
    }
    const imminent = left < IMMINENT_DAYS * DAY_MS;
    findings.push({
      ...base,
      signal: 'CertificateExpiringSoon',
      severity: imminent ? 'error' : 'warning',
      score: imminent ? 60 : 40,
      summary: `TLS certificate in Secret ${name} (${mountedBy}) expires at ${new Date(notAfter).toISOString()}, in ${ago(left)}`,
      excerpt: facts,
    });
  }
  // Clients that fail handshakes are victims of the server whose certificate ran out.
  for (const f of failures) {
    const server =
      expired.find(
        (e) =>
          e.namespace === f.namespace && f.notAfter !== undefined && Math.abs(e.notAfter - f.notAfter) < 1000,
      ) ??
      (expired.filter((e) => e.namespace === f.namespace).length === 1
        ? expired.find((e) => e.namespace === f.namespace)
        : undefined);
    findings.push({
      source: 'logs',
      subject: { kind: 'Pod', name: f.pod, namespace: f.namespace },
      component: f.client,
      signal: 'TlsHandshakeFailed',
      severity: 'error',
      score: 55,
      ...(server && server.server !== f.client ? { blames: [server.server] } : {}),
      summary: clip(
        `${f.client} fails TLS handshakes: the server's certificate has expired` +
          (f.notAfter === undefined ? '' : ` (notAfter ${new Date(f.notAfter).toISOString()})`) +
          (server ? `; ${server.server} serves it` : ''),
        500,
      ),
      excerpt: f.line,
    });
  }
  return findings;
}
