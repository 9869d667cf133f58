import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/executor/audit-log.js';

const BIN = resolve(import.meta.dirname, '../../bin/aoi.js');
let dir: string;
let stateFile: string;

function aoi(args: string[]) {
  return execa(process.execPath, [BIN, 'audit', ...args], {
    reject: false,
    timeout: 60_000,
    env: { AOI_STATE_DIR: join(dir, 'state'), HOME: dir },
    extendEnv: false,
  });
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
  await log.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aoi audit verify', () => {
  it('exits 0 for the intact log in the state dir', async () => {
    const result = await aoi(['verify']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${stateFile}: ok: 3 entries, hash chain intact`);
  });

  it('exits 1 with the bad seq for a tampered copy', async () => {
    const copy = join(dir, 'copy.jsonl');
    await writeFile(
      copy,
      (await readFile(stateFile, 'utf8')).replace('"policyRule":"b"', '"policyRule":"z"'),
    );
    const result = await aoi(['verify', '--file', copy]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(`${copy}: TAMPERED at seq 2: hash does not match the entry contents`);
  });

  it('exits 2 when there is no log', async () => {
    const result = await aoi(['verify', '--file', join(dir, 'none.jsonl')]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('no audit log');
  });
});
