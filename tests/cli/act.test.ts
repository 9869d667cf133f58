import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnAoi } from './spawn-aoi.js';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXECUTOR_CONTEXT, renderKubeconfig } from '../../aiopslab-harness/sim/kubeconfig.js';
import type { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import type { ExecutorClients } from '../../src/executor/actions/types.js';
import { NS, clientsFor, startSim } from '../executor/sim-fixture.js';

const DOC =
  '{\n  "flags": {\n    "ad": { "defaultVariant": "on" },\n    "cart": { "defaultVariant": "on" }\n  }\n}';
let dir: string;
let kubeconfig: string;
let server: SimServer;
let clients: ExecutorClients;

function aoi(args: string[]) {
  return spawnAoi(args, dir, { timeoutMs: 90_000 });
}

const setFlag = (flag: string, value: string, namespace = NS) => ({
  kind: 'setConfigValue',
  namespace,
  name: 'flags',
  key: 'flags.json',
  format: 'json',
  path: ['flags', flag, 'defaultVariant'],
  value,
  rationale: 'turn the failing flag off',
  evidence: ['ev-1'],
});

async function planFile(name: string, actions: unknown[]): Promise<string> {
  const file = join(dir, name);
  await writeFile(
    file,
    name.endsWith('.json') ? JSON.stringify({ version: 1, actions }) : stringify({ version: 1, actions }),
  );
  return file;
}

const target = () => ['--kubeconfig', kubeconfig, '--context', EXECUTOR_CONTEXT];
const flags = async () =>
  JSON.parse(
    (await clients.core.readNamespacedConfigMap({ name: 'flags', namespace: NS })).data!['flags.json']!,
  ) as {
    flags: Record<string, { defaultVariant: string }>;
  };
async function lastAuditEntry(): Promise<Record<string, unknown>> {
  const lines = (await readFile(join(dir, 'state', 'audit.jsonl'), 'utf8')).trim().split('\n');
  return JSON.parse(lines.at(-1)!) as Record<string, unknown>;
}

async function resetFlags(): Promise<void> {
  await clients.core.replaceNamespacedConfigMap({
    name: 'flags',
    namespace: NS,
    body: { metadata: { name: 'flags' }, data: { 'flags.json': DOC } },
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-act-'));
  server = await startSim(51);
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, renderKubeconfig(server.url, server.tokens, server.caPem), { mode: 0o600 });
  clients = clientsFor(server, 'executor');
  await clients.core.createNamespacedConfigMap({
    namespace: NS,
    body: { metadata: { name: 'flags' }, data: { 'flags.json': DOC } },
  });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('aoi act', { timeout: 180_000 }, () => {
  it('runs a YAML plan: every action verified, exit 0, each step reported', async () => {
    const plan = await planFile('plan.yaml', [setFlag('ad', 'off'), setFlag('cart', 'off')]);
    const result = await aoi(['act', '--plan', plan, '--policy', 'bench', ...target()]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^\[1\/2\] setConfigValue test-hotel-reservation\/flags: verified$/m);
    expect(result.stdout).toContain('policy:      allow (rule bench-typed-actions)');
    expect(result.stdout).toMatch(
      /dry run: {5}ok: configmap\/test-hotel-reservation\/flags key "flags.json"/,
    );
    expect(result.stdout).toContain('approval:    not needed');
    expect(result.stdout).toMatch(/applied: {5}yes \(audit #\d+\)/);
    expect(result.stdout).toContain('verified:    yes');
    expect(result.stdout).toContain('rolled back: no');
    expect((await flags()).flags).toEqual({ ad: { defaultVariant: 'off' }, cart: { defaultVariant: 'off' } });
    await resetFlags();
  });

  it('--dry-run changes nothing; --output json reports each result', async () => {
    const plan = await planFile('plan.json', [setFlag('ad', 'off')]);
    const result = await aoi([
      'act',
      '--plan',
      plan,
      '--policy',
      'bench',
      '--dry-run',
      '--output',
      'json',
      ...target(),
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { ok: boolean; results: Record<string, unknown>[] };
    expect(out.ok).toBe(true);
    expect(out.results[0]).toMatchObject({
      kind: 'setConfigValue',
      status: 'dryRunOnly',
      policy: { effect: 'allow', rule: 'bench-typed-actions' },
      dryRun: { ok: true },
      applied: false,
      auditId: null,
    });
    expect((await flags()).flags['ad']).toEqual({ defaultVariant: 'on' });
  });

  it('stops at the first refused action and exits 1', async () => {
    const plan = await planFile('denied.yaml', [setFlag('ad', 'off', 'prod'), setFlag('cart', 'off')]);
    const result = await aoi(['act', '--plan', plan, '--policy', 'bench', ...target()]);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stdout).toContain('[1/2] setConfigValue prod/flags: denied');
    expect(result.stdout).toContain(
      'policy:      deny (rule default): no rule matches setConfigValue in prod',
    );
    expect(result.stdout).toContain('stopped: 1 action(s) not run');
    expect((await flags()).flags['cart']).toEqual({ defaultVariant: 'on' });
  });

  it('an approve verdict without a terminal is not asked (not "rejected"), says what and how; --approve runs it', async () => {
    const plan = await planFile('approve.yaml', [setFlag('ad', 'off')]);
    const refused = await aoi(['act', '--plan', plan, '--policy', 'standard', ...target()]);
    expect(refused.exitCode, refused.stderr).toBe(1);
    expect(refused.stdout).toContain('test-hotel-reservation/flags: notAsked');
    expect(refused.stdout).toContain('approval:    not asked (no terminal)');
    expect(refused.stdout).toContain(
      'not executed: the policy asks for approval and there is no terminal to ask; it would set flags.ad.defaultVariant = "off" in configmap test-hotel-reservation/flags key flags.json.',
    );
    expect(refused.stdout).toContain('Approve with --approve, or run on a terminal to be asked');
    expect((await flags()).flags['ad']).toEqual({ defaultVariant: 'on' });
    const last = await lastAuditEntry();
    expect(last).toMatchObject({
      decision: 'not-asked',
      action: { step: 'approval' },
      result: { status: 'skipped', message: expect.stringMatching(/^not asked \(no terminal\)/) as unknown },
    });
    const approved = await aoi(['act', '--plan', plan, '--policy', 'standard', '--approve', ...target()]);
    expect(approved.exitCode, approved.stderr).toBe(0);
    expect(approved.stdout).toContain('approval:    approved');
    expect((await flags()).flags['ad']).toEqual({ defaultVariant: 'off' });
    // Every entry names the cluster, context and identity it wrote with, and the run it belongs to.
    const verified = await lastAuditEntry();
    expect(verified).toMatchObject({
      action: { step: 'verify' },
      target: { server: server.url, context: EXECUTOR_CONTEXT, identity: 'aoi-sim-executor' },
      runId: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d-]+Z-[0-9a-f]{6}$/) as unknown,
    });
    expect(verified['runId']).not.toBe(last['runId']);
    await resetFlags();
  });

  it('a malformed plan exits 2 with file:line:col; a missing one exits 2', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      'version: 1\nactions:\n  - kind: setConfigValue\n    namespace: x\n    name: flags\n    key: k\n    format: toml\n    path: [a]\n    value: 1\n    rationale: r\n    evidence: [ev-1]\n',
    );
    const bad = await aoi(['act', '--plan', file, '--policy', 'bench', ...target()]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain(`${file}:7:13: actions[0].format`);
    const missing = await aoi(['act', '--plan', join(dir, 'nope.yaml'), ...target()]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('no such plan file');
  });
});
