import { describe, expect, it } from 'vitest';
import { AuditEntry, computeAuditHash, sealAuditEntry, verifyAuditChain } from '../../src/core/audit.js';

function chain(length: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (let i = 0; i < length; i++) {
    entries.push(
      sealAuditEntry(entries.at(-1), {
        at: `2025-01-01T00:00:0${i}Z`,
        actor: 'executor',
        action: {
          kind: 'deletePod',
          namespace: 'ns',
          name: `pod-${i}`,
          nested: { b: 1, a: [2, { d: 3, c: 4 }] },
        },
        policyRule: i === 0 ? null : 'restart-test',
        decision: i === 0 ? 'deny' : 'allow',
        dryRun: i === 0 ? null : { ok: true },
        result: i === 0 ? null : { status: 'applied', message: 'done' },
      }),
    );
  }
  return entries;
}

describe('audit chain', () => {
  it('verifies a sealed chain that went through JSON', () => {
    const entries = chain(4).map((e) => AuditEntry.parse(JSON.parse(JSON.stringify(e))));
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(entries[0]?.prevHash).toBe('genesis');
    expect(verifyAuditChain(entries)).toEqual({ ok: true });
    expect(verifyAuditChain([])).toEqual({ ok: true });
  });

  it('hashes independently of key order', () => {
    const [entry] = chain(1);
    const reordered = Object.fromEntries(Object.entries(entry!).reverse()) as AuditEntry;
    expect(computeAuditHash(reordered)).toBe(entry!.hash);
  });

  it.each([
    [
      'a changed field',
      (e: AuditEntry[]) => e.map((x, i) => (i === 1 ? { ...x, decision: 'deny' as const } : x)),
      2,
      'hash',
    ],
    [
      'a changed nested value',
      (e: AuditEntry[]) => e.map((x, i) => (i === 2 ? { ...x, action: { kind: 'scaleDeployment' } } : x)),
      3,
      'hash',
    ],
    ['a removed entry', (e: AuditEntry[]) => e.filter((x) => x.seq !== 2), 3, 'seq'],
    ['a reordered pair', (e: AuditEntry[]) => [e[0]!, e[2]!, e[1]!, e[3]!], 3, 'seq'],
    [
      'a re-hashed forgery',
      (e: AuditEntry[]) => e.map((x, i) => (i === 1 ? rehash({ ...x, actor: 'mallory' }) : x)),
      3,
      'prevHash',
    ],
    [
      'a bad genesis',
      (e: AuditEntry[]) => [{ ...e[0]!, prevHash: e[1]!.hash }, ...e.slice(1)],
      1,
      'prevHash',
    ],
  ])('detects %s', (_label, tamper, seq, reason) => {
    const result = verifyAuditChain(tamper(chain(4)));
    expect(result).toMatchObject({ ok: false, seq });
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

function rehash(entry: AuditEntry): AuditEntry {
  return { ...entry, hash: computeAuditHash(entry) };
}
