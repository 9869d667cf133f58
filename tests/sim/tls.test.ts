import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createServingCertificate, derUnsignedInteger } from '../../aiopslab-harness/sim/server/tls.js';

describe('the simulator serving certificate', () => {
  it.each([
    ['a small value', [0x05], '020105'],
    ['a value with its top bit set', [0x80], '02020080'],
    ['redundant leading zeros', [0x00, 0x00, 0x10], '020110'],
    ['a leading zero before a top-bit byte', [0x00, 0x00, 0x90], '02020090'],
    ['zero', [0x00, 0x00], '020100'],
  ])('encodes %s as a minimal DER INTEGER', (_name, bytes, hex) => {
    expect(derUnsignedInteger(Buffer.from(bytes)).toString('hex')).toBe(hex);
  });

  it('is a self-issued CA for the addresses it serves, valid now', () => {
    const { certPem } = createServingCertificate(['127.0.0.1', 'localhost', 'sim.internal']);
    const cert = new X509Certificate(certPem);
    expect(cert.ca).toBe(true);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost, DNS:sim.internal');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(Date.parse(cert.validFrom)).toBeLessThan(Date.now());
    expect(Date.parse(cert.validTo)).toBeGreaterThan(Date.now() + 300 * 86_400_000);
  });

  it('parses every time, whatever the random serial', () => {
    for (let i = 0; i < 200; i++)
      expect(() => new X509Certificate(createServingCertificate().certPem)).not.toThrow();
  });

  it('refuses IPv6 addresses rather than writing a wrong name', () => {
    expect(() => createServingCertificate(['::1'])).toThrow('IPv6 serving addresses are not supported');
  });
});
