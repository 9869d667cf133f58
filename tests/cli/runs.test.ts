import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runsList, runsShow } from '../../src/cli/commands/runs.js';
import { analysis, item, writeRun } from '../evolver/fixtures.js';
import { BUILT_AOI_BIN } from '../built-aoi.js';
import { captureIO } from './cli-harness.js';

const BIN = BUILT_AOI_BIN;
let dir: string;
let stateDir: string;

const bufferedIO = () => captureIO({ HOME: dir });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-runs-'));
  stateDir = join(dir, 'state');
  const trajectories = join(stateDir, 'trajectories');
  await writeRun(trajectories, {
    id: 'run-1',
    problemId: 'user_unregistered_mongodb-analysis-1',
    evidence: [item(1, 'mongodb-geo', 'AuthErrors')],
    diagnosis: analysis('mongodb-geo', 'Application', 'Authentication Issue', ['ev-1']),
    success: false,
  });
  await writeRun(trajectories, {
    id: 'run-2',
    problemId: 'k8s_target_port-misconfig-analysis-1',
    evidence: [
      item(1, 'user-service', 'TargetPortMismatch'),
      item(2, 'frontend', 'HighLatency', { severity: 'warning' }),
      item(3, 'frontend', 'HighLatency', { severity: 'warning' }),
      item(4, 'user-service', 'TargetPortMismatch', { severity: 'warning' }),
    ],
    diagnosis: analysis('user-service', 'Virtualization', 'Misconfiguration', ['ev-1']),
    success: true,
    startedAt: '2026-11-25T04:05:00.000Z',
    guidanceUsed: ['target-port'],
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aoi runs', () => {
  it('lists runs with outcome, evaluator verdict, signals, warnings, steps, time and tokens', async () => {
    const { io, out } = bufferedIO();
    expect(await runsList({ stateDir }, io)).toBe(0);
    expect(out()).toMatchInlineSnapshot(`
      "ID     PROBLEM                               STATUS      EVAL  LABEL  SIGNALS             WARNINGS     STEPS  TIME  TOKENS
      run-1  user_unregistered_mongodb-analysis-1  unresolved  FAIL  -      AuthErrors          -            2      1.2s  10/20
      run-2  k8s_target_port-misconfig-analysis-1  unresolved  ok    -      TargetPortMismatch  HighLatency  2      1.2s  10/20
      "
    `);
  });

  it.each([
    [{ failed: true }, ['run-1']],
    [{ problem: /target_port/ }, ['run-2']],
    [{ signal: 'AuthErrors' }, ['run-1']],
    [{ signal: 'OOMKilled' }, []],
    [{ signal: 'HighLatency' }, ['run-2']],
  ])('filters with %o', async (filter, ids) => {
    const { io, out } = bufferedIO();
    await runsList({ stateDir, json: true, ...filter }, io);
    expect((JSON.parse(out()) as { id: string }[]).map((r) => r.id)).toEqual(ids);
  });

  it('shows one run by id or unique prefix, and says when there is none', async () => {
    const { io, out } = bufferedIO();
    expect(await runsShow('run-2', { stateDir }, io)).toBe(0);
    expect(out()).toContain('evaluator: success, score 1: right');
    expect(out()).toContain('guidance:  target-port');
    expect(out()).toContain('warnings:  HighLatency\n');
    expect(out()).toContain('diagnosis: user-service — Virtualization / Misconfiguration');
    await expect(runsShow('run', { stateDir }, bufferedIO().io)).rejects.toThrow(/ambiguous/);
    await expect(runsShow('nope', { stateDir }, bufferedIO().io)).rejects.toThrow(/no run nope/);
  });

  it('is wired into the program: runs list --failed and export --format grpo', async () => {
    const env = { HOME: dir, AOI_STATE_DIR: stateDir };
    const list = await execa(process.execPath, [BIN, 'runs', 'list', '--failed'], {
      env,
      extendEnv: false,
      reject: false,
    });
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^run-1 .* FAIL /m);
    expect(list.stdout).not.toContain('run-2');
    const out = await execa(process.execPath, [BIN, 'export', '--format', 'grpo'], {
      env,
      extendEnv: false,
      reject: false,
    });
    expect(out.exitCode, out.stderr).toBe(0);
    expect(
      out.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { reward: number }).reward),
    ).toEqual([0, 1]);
    expect(out.stderr).toContain('aoi export: 2 grpo record(s) from 2 run(s)');
  }, 60_000);
});
