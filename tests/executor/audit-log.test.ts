import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

  it('chains onto what another writer appended since it opened (two processes on one log)', async () => {
    const first = await AuditLog.open(path);
    const second = await AuditLog.open(path);
    await first.append(entry(1));
    await second.append(entry(2));
    await first.append(entry(3));
    await Promise.all([second.append(entry(4)), first.append(entry(5))]);
    await Promise.all([first.close(), second.close()]);
    expect(await verifyAuditLog(path)).toEqual({ ok: true, entries: 5 });
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("cuts another writer's torn last line before chaining on", async () => {
    const log = await AuditLog.open(path);
    await log.append(entry(1));
    await appendFile(path, '{"seq":2,"half a li');
    // A reader meanwhile sees the line being written as not there yet, not as a broken chain.
    expect(await verifyAuditLog(path)).toEqual({ ok: true, entries: 1 });
    await log.append(entry(2));
    await log.close();
    expect(await verifyAuditLog(path)).toEqual({ ok: true, entries: 2 });
  });

  it('still verifies a log written before entries named their target and run, and chains new ones onto it', async () => {
    // Written by aoi before issue 14 (no target, no runId): the format is extended, not versioned.
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${OLD_LOG.join('\n')}\n`);
    expect(await verifyAuditLog(path)).toEqual({ ok: true, entries: 2 });
    const log = await AuditLog.open(path);
    const target = { server: 'https://api.prod.example:6443', context: 'prod-ops', identity: 'ops-user' };
    const sealed = await log.append({ ...entry(3), target, runId: 'run-1' });
    await log.close();
    expect(sealed).toMatchObject({ seq: 3, target, runId: 'run-1' });
    expect(await verifyAuditLog(path)).toEqual({ ok: true, entries: 3 });
    // The new fields are covered by the hash: editing the target is tampering.
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('https://api.prod.example:6443', 'https://api.other.example'));
    expect(await verifyAuditLog(path)).toEqual({
      ok: false,
      seq: 3,
      reason: 'hash does not match the entry contents',
    });
  });
});

const OLD_LOG = [
  '{"at":"2026-11-01T10:00:00.000Z","actor":"aoi-executor","action":{"step":"policy","proposal":{"kind":"scaleDeployment","namespace":"shop","name":"cart","replicas":2}},"policyRule":"scale-within-limits","decision":"allow","dryRun":null,"result":null,"seq":1,"prevHash":"genesis","hash":"483f362590b278fef37af9646f5f54585ed86a00578ae0322abc8a96ac84981d"}',
  '{"at":"2026-11-01T10:00:01.000Z","actor":"aoi-executor","action":{"step":"apply","proposal":{"kind":"scaleDeployment","namespace":"shop","name":"cart","replicas":2}},"policyRule":"scale-within-limits","decision":"allow","dryRun":{"ok":true},"result":{"status":"applied","message":"scaled"},"seq":2,"prevHash":"483f362590b278fef37af9646f5f54585ed86a00578ae0322abc8a96ac84981d","hash":"c17f46e8a85e8bcd40fe9d80d8ffb57ee02bbf1df8626413fcc8152d127b2372"}',
];
