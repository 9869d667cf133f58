/**
 * Issue 14 item 11: several `aoi act` processes on one state dir (two engineers, or a receiver and a CLI)
 * must leave one intact audit chain holding every entry each of them wrote.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXECUTOR_CONTEXT, renderKubeconfig } from '../../aiopslab-harness/sim/kubeconfig.js';
import type { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import { NS, clientsFor, startSim } from '../executor/sim-fixture.js';
import { spawnAoi } from './spawn-aoi.js';

const PROCESSES = 8;
const ACTIONS = 3;
/** policy, dryRun, apply and verify: what one allowed, verified action writes (no approval under bench). */
const ENTRIES_PER_ACTION = 4;

let dir: string;
let kubeconfig: string;
let server: SimServer;

const setFlag = (configMap: string, flag: string) => ({
  kind: 'setConfigValue',
  namespace: NS,
  name: configMap,
  key: 'flags.json',
  format: 'json',
  path: ['flags', flag, 'defaultVariant'],
  value: 'off',
  rationale: 'turn the failing flag off',
  evidence: ['ev-1'],
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-act-concurrent-'));
  server = await startSim(53);
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, renderKubeconfig(server.url, server.tokens, server.caPem), { mode: 0o600 });
  const { core } = clientsFor(server, 'executor');
  const flags = Object.fromEntries(
    Array.from({ length: ACTIONS }, (_, a) => [`f${a}`, { defaultVariant: 'on' }]),
  );
  for (let p = 0; p < PROCESSES; p++)
    await core.createNamespacedConfigMap({
      namespace: NS,
      body: { metadata: { name: `flags-${p}` }, data: { 'flags.json': JSON.stringify({ flags }) } },
    });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('concurrent aoi act processes on one state dir', () => {
  // Real child processes on a shared 2-core machine: each starts node (and tsx from sources), so the
  // limits are generous; nothing here waits on a timer, only on the processes finishing.
  it(`${PROCESSES} processes × ${ACTIONS} actions: every entry lands in one chain that verifies`, async () => {
    const plans = await Promise.all(
      Array.from({ length: PROCESSES }, async (_, p) => {
        const file = join(dir, `plan-${p}.json`);
        const actions = Array.from({ length: ACTIONS }, (_, a) => setFlag(`flags-${p}`, `f${a}`));
        await writeFile(file, JSON.stringify({ version: 1, actions }));
        return file;
      }),
    );
    const runs = await Promise.all(
      plans.map((plan) =>
        spawnAoi(
          [
            'act',
            '--plan',
            plan,
            '--policy',
            'bench',
            '--output',
            'json',
            '--kubeconfig',
            kubeconfig,
            '--context',
            EXECUTOR_CONTEXT,
          ],
          dir,
          { timeoutMs: 240_000 },
        ),
      ),
    );
    const applied: number[] = [];
    for (const run of runs) {
      expect(run.exitCode, run.stdout + run.stderr).toBe(0);
      const out = JSON.parse(run.stdout) as { results: { status: string; auditId: number }[] };
      expect(out.results.map((r) => r.status)).toEqual(Array(ACTIONS).fill('verified'));
      applied.push(...out.results.map((r) => r.auditId));
    }

    const verify = await spawnAoi(['audit', 'verify'], dir);
    const total = PROCESSES * ACTIONS * ENTRIES_PER_ACTION;
    expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain(`ok: ${total} entries, hash chain intact`);

    const entries = (await readFile(join(dir, 'state', 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as { seq: number; action: { step: string; proposal: { name: string } } },
      );
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // Every apply a process reported is its own apply entry, and each process's ConfigMap has all of its.
    expect(new Set(applied).size).toBe(PROCESSES * ACTIONS);
    for (const seq of applied) expect(entries[seq - 1]?.action.step).toBe('apply');
    for (let p = 0; p < PROCESSES; p++)
      expect(
        entries.filter((e) => e.action.step === 'apply' && e.action.proposal.name === `flags-${p}`),
      ).toHaveLength(ACTIONS);
  }, 300_000);
});
