/**
 * A fresh self-signed serving certificate for the simulated API server, made in-process at start-up.
 * kubectl (client-go) only sends a kubeconfig's bearer token over TLS, so the simulator must speak HTTPS;
 * Node can sign but not build X.509, so the few DER structures a certificate needs are encoded here.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';

export interface ServingCertificate {
  certPem: string;
  keyPem: string;
}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, ...items);
const set = (...items: Buffer[]) => tlv(0x31, ...items);
const octets = (value: Buffer) => tlv(0x04, value);
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const bool = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
const bitString = (value: Buffer) => tlv(0x03, Buffer.from([0]), value);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const part of rest) {
    const chunk = [part & 0x7f];
    for (let v = Math.floor(part / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** A DER INTEGER read as unsigned: minimal (no redundant leading zeros), with a 0x00 when the top bit is set. */
export function derUnsignedInteger(value: Buffer): Buffer {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  const bytes = value.subarray(start);
  return tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

/** UTCTime up to 2049, GeneralizedTime after, as RFC 5280 requires. */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`))
    : tlv(0x18, Buffer.from(`${iso}Z`));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), bool(true), octets(value)) : sequence(oid(id), octets(value));
}

function subjectAltNames(hosts: readonly string[]): Buffer {
  const names = hosts.map((host) => {
    if (isIP(host) === 4) return tlv(0x87, Buffer.from(host.split('.').map(Number)));
    if (isIP(host) === 6) throw new Error(`IPv6 serving addresses are not supported: ${host}`);
    return tlv(0x82, Buffer.from(host, 'ascii'));
  });
  return sequence(...names);
}

/** 16 random bytes, never zero (RFC 5280 wants a positive serial). */
function serialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! | 0x01;
  return bytes;
}

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));

/** Valid from an hour ago for `days` days, for the given IPv4 addresses and DNS names. */
export function createServingCertificate(
  hosts: readonly string[] = ['127.0.0.1', 'localhost'],
  days = 365,
): ServingCertificate {
  const notBefore = new Date(Date.now() - 3600_000);
  return createCertificate({ hosts, notBefore, notAfter: new Date(notBefore.getTime() + days * 86_400_000) });
}

export interface CertificateRequest {
  hosts: readonly string[];
  notBefore: Date;
  notAfter: Date;
  commonName?: string;
}

/** A self-signed certificate valid between the given times (the simulator's workloads get expired ones too). */
export function createCertificate(request: CertificateRequest): ServingCertificate {
  const { hosts, notBefore, notAfter } = request;
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const name = sequence(set(sequence(oid('2.5.4.3'), utf8(request.commonName ?? 'aoi-sim'))));
  const keyUsage = tlv(0x03, Buffer.from([0x02, 0x84])); // digitalSignature (bit 0) + keyCertSign (bit 5)
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    derUnsignedInteger(serialNumber()),
    ECDSA_WITH_SHA256,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(
      0xa3,
      sequence(
        extension('2.5.29.15', true, keyUsage),
        extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1'))),
        extension('2.5.29.19', true, sequence(bool(true))),
        extension('2.5.29.17', false, subjectAltNames(hosts)),
      ),
    ),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, ECDSA_WITH_SHA256, bitString(signature));
  const base64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return {
    certPem: `-----BEGIN CERTIFICATE-----\n${base64.trimEnd()}\n-----END CERTIFICATE-----\n`,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
