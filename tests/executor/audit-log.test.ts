import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, verifyAuditLog } from '../../src/executor/audit-log.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-audit-'));
  path = join(dir, 'state', 'audit.jsonl');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = (n: number) => ({
  actor: 'aoi-executor',
  action: { step: 'policy', n },
  policyRule: 'r',
  decision: 'allow' as const,
  dryRun: null,
  result: null,
});

async function lines(): Promise<Record<string, unknown>[]> {
  return (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('AuditLog', () => {
  it('serialises concurrent appends into one chain and resumes it on reopen', async () => {
    const log = await AuditLog.open(path);
    await Promise.all([1, 2, 3, 4, 5].map((n) => log.append(entry(n))));
    await log.close();
    const again = await AuditLog.open(path);
    const sixth = await again.append(entry(6));
    await again.close();
    expect(sixth.seq).toBe(6);
    expect((await lines()).map((l) => l['seq'])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await verifyAuditLog(path)).toEqual({ ok: true, entries: 6 });
  });

  it('finds the first edited line and refuses to append to a broken chain', async () => {
    const log = await AuditLog.open(path);
    for (const n of [1, 2, 3]) await log.append(entry(n));
    await log.close();
    const text = await readFile(path, 'utf8');
    await writeFile(
      path,
      text.replace('"policyRule":"r","seq":2', '"policyRule":"x","seq":2').replace(/"n":2/, '"n":9'),
    );
    expect(await verifyAuditLog(path)).toEqual({
      ok: false,
      seq: 2,
      reason: 'hash does not match the entry contents',
    });
    await expect(AuditLog.open(path)).rejects.toThrow(/audit chain broken at seq 2/);
  });

  it('reports a removed line and a line that is not JSON', async () => {
    const log = await AuditLog.open(path);
    for (const n of [1, 2, 3]) await log.append(entry(n));
    await log.close();
    const all = (await readFile(path, 'utf8')).split('\n');
    await writeFile(path, [all[0], all[2], ''].join('\n'));
    expect(await verifyAuditLog(path)).toMatchObject({ ok: false, seq: 3 });
    await writeFile(path, [all[0], 'garbage', all[2], ''].join('\n'));
    expect(await verifyAuditLog(path)).toMatchObject({ ok: false, seq: 2, reason: 'line 2 is not JSON' });
  });
});
