/**
 * Runs the Python orchestrator test (aiopslab-harness/python/tests/test_relay.py) so `npm test` covers the
 * Python shim and the real `aoi agent --stdio` against the simulator: one problem of each task type, through
 * a double of AIOpsLab's exec_shell in each k8s_host mode (localhost, remote, kind), with a refused write in
 * every mitigation (once, then always).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProblems } from '../../aiopslab-harness/bench/load-problems.js';
import { BUILT_AOI_BIN } from '../built-aoi.js';

const ROOT = resolve(import.meta.dirname, '../..');
const PROBLEMS = [
  'k8s_target_port-misconfig-detection-1',
  'revoke_auth_mongodb-localization-1',
  'wrong_bin_usage-analysis-1',
  'k8s_target_port-misconfig-mitigation-1',
];

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('aoi agent --stdio from Python, with the simulator as the cluster', () => {
  it('answers one problem of each task type with valid API calls and the expected submit', async () => {
    const catalog = await loadProblems();
    const picked = PROBLEMS.map((id) => {
      const p = catalog.find((q) => q.id === id);
      if (!p) throw new Error(`problem ${id} is not in the catalog`);
      return {
        id: p.id,
        app: p.app,
        namespace: p.namespace,
        task: p.task,
        target: p.fault.target,
        expect: p.expect,
      };
    });
    const dir = await mkdtemp(join(tmpdir(), 'aoi-relay-'));
    dirs.push(dir);
    const file = join(dir, 'problems.json');
    await writeFile(file, JSON.stringify(picked));
    const { stdout, stderr } = await promisify(execFile)(
      'python3',
      ['-m', 'unittest', 'tests.test_relay', '-v'],
      {
        cwd: join(ROOT, 'aiopslab-harness', 'python'),
        env: { ...process.env, AOI_RELAY_PROBLEMS: file, AOI_NODE: process.execPath, AOI_BIN: BUILT_AOI_BIN },
        // Fifteen episodes (an agent process each, nine simulators), two at a time: about two minutes on an
        // idle machine, ten on one shared by many test runs; the limit is for the second case.
        timeout: 1_100_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    expect(stderr).toMatch(/Ran 6 tests[\s\S]*OK/);
    const table = stderr.split('\n').filter((l) => l.startsWith('|'));
    process.stderr.write(`${table.join('\n')}\n`);
    const line = stdout.split('\n').find((l) => l.startsWith('AOI_RELAY_RESULTS '));
    const results = JSON.parse(line!.slice('AOI_RELAY_RESULTS '.length)) as {
      id: string;
      mode: string;
      task: string;
      refuse: number;
      success: boolean;
      steps: number;
      noticed: number;
      refused: number;
    }[];
    for (const r of results) process.stderr.write(`relay: ${JSON.stringify(r)}\n`);
    for (const mode of ['localhost', 'remote', 'kind'])
      expect(
        results.filter((r) => r.mode === mode).map((r) => [r.task, r.refuse, r.success]),
        mode,
      ).toEqual([
        ['detection', 0, true],
        ['localization', 0, true],
        ['analysis', 0, true],
        ['mitigation', 1, true],
        ['mitigation', 99, false],
      ]);
    for (const r of results) {
      expect(r.steps).toBeLessThanOrEqual(30);
      expect(r.noticed, r.id).toBe(r.refused);
    }
  }, 1_200_000);
});
