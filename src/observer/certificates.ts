/**
 * TLS certificates, read as the facts about them and nothing else. A `kubernetes.io/tls` Secret holds the
 * certificate (`tls.crt`, public: every client is shown it) and its private key (`tls.key`); the observer keeps
 * the certificate's validity, subject and names, parsed with node:crypto's X509Certificate at the moment the
 * item is read off the wire, and drops the rest of the Secret there: no key material, and no other data, is
 * ever held, ranked, logged or put in a prompt.
 */
import { X509Certificate } from 'node:crypto';

/** The list filter that keeps other Secrets (passwords, tokens) off the wire: fields the API server allows. */
export const TLS_SECRETS_SELECTOR = 'type=kubernetes.io/tls';

/** A listed object as k8s-types' KObject reads it (not imported: k8s-types calls into this module). */
export interface TlsCertificate {
  metadata?: { name?: string; namespace?: string };
  /** The leaf certificate's facts; `unreadable` says why there are none (no tls.crt, not PEM/DER). */
  certificate: {
    notBefore?: string;
    notAfter?: string;
    subject?: string;
    dnsNames?: string[];
    unreadable?: string;
  };
}

function leafPem(text: string): string | undefined {
  const match = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text);
  return match?.[0];
}

/** `DNS:a, DNS:b, IP Address:1.2.3.4` → the DNS names. */
function dnsNames(subjectAltName: string | undefined): string[] {
  return (subjectAltName ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4))
    .slice(0, 10);
}

/** A Secret as the analyzers may see it: name, namespace and its certificate's public facts. */
export function certificateFacts(raw: unknown): TlsCertificate {
  const secret = (raw ?? {}) as { metadata?: Record<string, unknown>; data?: Record<string, unknown> };
  const meta = secret.metadata ?? {};
  const metadata = {
    ...(typeof meta['name'] === 'string' ? { name: meta['name'] } : {}),
    ...(typeof meta['namespace'] === 'string' ? { namespace: meta['namespace'] } : {}),
  };
  const encoded = secret.data?.['tls.crt'];
  if (typeof encoded !== 'string' || encoded === '')
    return { metadata, certificate: { unreadable: 'the Secret shows no tls.crt' } };
  try {
    const pem = leafPem(Buffer.from(encoded, 'base64').toString('utf8'));
    if (!pem) return { metadata, certificate: { unreadable: 'tls.crt holds no PEM certificate' } };
    const cert = new X509Certificate(pem);
    return {
      metadata,
      certificate: {
        notBefore: new Date(cert.validFrom).toISOString(),
        notAfter: new Date(cert.validTo).toISOString(),
        subject: cert.subject.replace(/\n/g, ', ').slice(0, 200),
        dnsNames: dnsNames(cert.subjectAltName),
      },
    };
  } catch (error) {
    return { metadata, certificate: { unreadable: `tls.crt does not parse: ${(error as Error).message}` } };
  }
}
