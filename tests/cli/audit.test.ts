import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnAoi } from './spawn-aoi.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/core/audit.js';
import { computeAuditHash } from '../../src/core/audit.js';
import { AuditLog } from '../../src/executor/audit-log.js';

let dir: string;
let stateFile: string;

function aoi(args: string[]) {
  return spawnAoi(['audit', ...args], dir);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-audit-'));
  stateFile = join(dir, 'state', 'audit.jsonl');
  const log = await AuditLog.open(stateFile);
  for (const rule of ['a', 'b', 'c'])
    await log.append({
      actor: 'aoi-executor',
      action: { step: 'policy' },
      policyRule: rule,
      decision: 'deny',
      dryRun: null,
      result: { status: 'skipped' },
    });
  await log.append({
    at: '2026-01-02T03:04:05.000Z',
    actor: 'aoi-executor',
    action: {
      step: 'apply',
      proposal: {
        kind: 'scaleDeployment',
        namespace: 'test-shop',
        name: 'web',
        replicas: 2,
        rationale: 'line\n#99 forged',
        evidence: ['ev-1'],
      },
    },
    policyRule: 'scale',
    decision: 'allow',
    dryRun: { ok: true },
    result: { status: 'applied', message: 'replicas → 2\n#100 forged' },
  });
  await log.append({
    actor: 'aoi-executor',
    action: { step: 'policy', proposal: { kind: 'kubectl', argv: ['delete', 'ns', 'x'] } },
    policyRule: 'builtin:kubectl-argv',
    decision: 'deny',
    dryRun: null,
    result: { status: 'skipped', message: 'kubectl argv refused' },
  });
  await log.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aoi audit verify', () => {
  it('exits 0 for the intact log in the state dir', async () => {
    const result = await aoi(['verify']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${stateFile}: ok: 5 entries, hash chain intact`);
  });

  const lines = async () => (await readFile(stateFile, 'utf8')).trimEnd().split('\n');

  it.each<[string, (l: string[]) => string[], string]>([
    [
      'an edited line',
      (l) => l.map((x, i) => (i === 1 ? x.replace('"policyRule":"b"', '"policyRule":"z"') : x)),
      'TAMPERED at seq 2 (line 2): hash does not match the entry contents (the line was edited)',
    ],
    [
      'a deleted line',
      (l) => l.filter((_x, i) => i !== 1),
      'TAMPERED at seq 3 (line 2): expected seq 2, found 3 (a line before it was deleted, or lines were reordered)',
    ],
    [
      'an inserted line',
      (l) => [...l.slice(0, 3), l[0]!, ...l.slice(3)],
      'TAMPERED at seq 1 (line 4): expected seq 4, found 1 (a line was inserted, or lines were reordered)',
    ],
    [
      'reordered lines',
      (l) => [l[0]!, l[2]!, l[1]!, ...l.slice(3)],
      'TAMPERED at seq 3 (line 2): expected seq 2, found 3 (a line before it was deleted, or lines were reordered)',
    ],
    [
      'a line replaced by a re-sealed forgery',
      (l) => {
        const forged = JSON.parse(l[1]!) as Record<string, unknown>;
        forged['policyRule'] = 'z';
        forged['hash'] = computeAuditHash(forged as unknown as AuditEntry);
        return [l[0]!, JSON.stringify(forged), ...l.slice(2)];
      },
      'TAMPERED at seq 3 (line 3): prevHash does not match the previous entry (the line before it was replaced, or lines were reordered)',
    ],
    [
      'a line that is not JSON',
      (l) => [l[0]!, '{oops', ...l.slice(2)],
      'TAMPERED at seq 2 (line 2): line 2 is not JSON (the line was edited)',
    ],
  ])('exits 1 and names the line for %s', async (_label, tamper, message) => {
    const copy = join(dir, `copy-${Math.random().toString(36).slice(2)}.jsonl`);
    await writeFile(copy, `${tamper(await lines()).join('\n')}\n`);
    const result = await aoi(['verify', '--file', copy]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(`${copy}: ${message}`);
  });

  it('exits 2 when there is no log', async () => {
    const result = await aoi(['verify', '--file', join(dir, 'none.jsonl')]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('no audit log');
  });
});

describe('aoi audit show', () => {
  it('prints one readable line per entry, escaping control characters', async () => {
    const result = await aoi(['show']);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = result.stdout.split('\n');
    expect(out).toHaveLength(6);
    expect(out[0]).toMatch(
      /^#1 {2}\S+Z {2}aoi-executor {2}policy {4}- {2}decision=deny {2}rule=a {2}dryRun=- {2}result=skipped$/,
    );
    expect(out[3]).toBe(
      '#4  2026-01-02T03:04:05.000Z  aoi-executor  apply     scaleDeployment test-shop/web  decision=allow  rule=scale  dryRun=ok  result=applied: replicas → 2\\n#100 forged',
    );
    expect(out[4]).toContain('kubectl delete ns x  decision=deny  rule=builtin:kubectl-argv');
    expect(out[5]).toBe(`${stateFile}: 5 entries (run \`aoi audit verify\` to check the chain)`);
  });

  it('prints JSON with --output json', async () => {
    const result = await aoi(['show', '--file', stateFile, '--output', 'json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const entries = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(entries).toHaveLength(5);
    expect(entries[3]).toEqual({
      line: 4,
      seq: 4,
      at: '2026-01-02T03:04:05.000Z',
      actor: 'aoi-executor',
      step: 'apply',
      action: 'scaleDeployment',
      target: 'test-shop/web',
      decision: 'allow',
      rule: 'scale',
      dryRun: 'ok',
      result: 'applied: replicas → 2\n#100 forged',
    });
  });

  it('marks an unreadable line and exits 1', async () => {
    const copy = join(dir, 'broken-show.jsonl');
    await writeFile(copy, `${(await readFile(stateFile, 'utf8')).split('\n')[0]!}\nnot json\n`);
    const result = await aoi(['show', '--file', copy]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout.split('\n')[1]).toBe('line 2: not JSON');
  });

  it('rejects an unknown output format and a missing log', async () => {
    expect((await aoi(['show', '--output', 'yaml'])).exitCode).not.toBe(0);
    const missing = await aoi(['show', '--file', join(dir, 'none.jsonl')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('no audit log');
  });
});

describe('aoi audit on a log with nothing in it', () => {
  it('says "no entries" and exits 0 when the state dir has no log yet, or the log is empty', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'aoi-cli-audit-fresh-'));
    try {
      const missing = join(fresh, 'state', 'audit.jsonl');
      for (const args of [
        ['audit', 'verify'],
        ['audit', 'show'],
      ]) {
        const result = await spawnAoi(args, fresh);
        expect([result.exitCode, result.stdout.trim(), result.stderr], args.join(' ')).toEqual([
          0,
          expect.stringMatching(new RegExp(`^${missing}: no entries`)),
          '',
        ]);
      }
      const json = await spawnAoi(['audit', 'show', '--output', 'json'], fresh);
      expect([json.exitCode, JSON.parse(json.stdout)]).toEqual([0, []]);
      const empty = join(fresh, 'empty.jsonl');
      await writeFile(empty, '');
      for (const sub of ['verify', 'show']) {
        const result = await spawnAoi(['audit', sub, '--file', empty], fresh);
        expect([result.exitCode, result.stdout]).toEqual([0, `${empty}: no entries`]);
      }
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });
});
