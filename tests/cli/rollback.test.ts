import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { spawnAoi } from './spawn-aoi.js';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXECUTOR_CONTEXT, renderKubeconfig } from '../../aiopslab-harness/sim/kubeconfig.js';
import type { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import { AuditEntry } from '../../src/core/audit.js';
import type { ExecutorClients } from '../../src/executor/actions/types.js';
import { loadPolicy } from '../../src/executor/load-policy.js';
import { NS, clientsFor, startSim } from '../executor/sim-fixture.js';

/** Odd spacing and no trailing newline: a rollback must restore these exact bytes. */
const OLD = 'mode:   "on"   # keep\nlevel: 3';
let dir: string;
let kubeconfig: string;
let server: SimServer;
let clients: ExecutorClients;

function aoi(args: string[]) {
  return spawnAoi(args, dir, { timeoutMs: 90_000 });
}

const target = () => ['--kubeconfig', kubeconfig, '--context', EXECUTOR_CONTEXT];
const text = async () =>
  (await clients.core.readNamespacedConfigMap({ name: 'app', namespace: NS })).data?.['app.yaml'];

/** `aoi act` one setConfigValue; returns the audit id of its apply step. */
async function actOnce(value: string): Promise<number> {
  const plan = join(dir, `plan-${value}.yaml`);
  await writeFile(
    plan,
    stringify({
      version: 1,
      actions: [
        {
          kind: 'setConfigValue',
          namespace: NS,
          name: 'app',
          key: 'app.yaml',
          format: 'yaml',
          path: ['mode'],
          value,
          rationale: 'r',
          evidence: ['ev-1'],
        },
      ],
    }),
  );
  const result = await aoi(['act', '--plan', plan, '--policy', bench, '--output', 'json', ...target()]);
  expect(result.exitCode, result.stderr).toBe(0);
  const out = JSON.parse(result.stdout) as { results: { auditId: number }[] };
  return out.results[0]!.auditId;
}

async function auditEntries(): Promise<AuditEntry[]> {
  const lines = (await readFile(join(dir, 'state', 'audit.jsonl'), 'utf8')).trim().split('\n');
  return lines.map((l) => AuditEntry.parse(JSON.parse(l)));
}

let bench: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-rollback-'));
  server = await startSim(61);
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, renderKubeconfig(server.url, server.tokens, server.caPem), { mode: 0o600 });
  clients = clientsFor(server, 'executor');
  await clients.core.createNamespacedConfigMap({
    namespace: NS,
    body: { metadata: { name: 'app' }, data: { 'app.yaml': OLD } },
  });
  // bench, its configValues widened to the test's ConfigMap key (the shipped grants cover flags and TLS only).
  const shipped = await loadPolicy('bench');
  const grant = { namespaces: [NS], configMaps: ['app'], keys: ['app.yaml'], paths: [['mode']] };
  const constraints = {
    ...shipped.constraints,
    configValues: [...(shipped.constraints?.configValues ?? []), grant],
  };
  bench = join(dir, 'bench.yaml');
  await writeFile(bench, stringify({ ...shipped, constraints }));
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('aoi rollback', { timeout: 180_000 }, () => {
  it('restores the exact pre-image of an applied action, audited as a new entry; a second time is refused', async () => {
    const id = await actOnce('off');
    expect(await text()).not.toBe(OLD);
    const denied = await aoi(['rollback', String(id), '--policy', 'default', ...target()]);
    expect(denied.exitCode, denied.stderr).toBe(1);
    expect(denied.stdout).toContain(`rollback of audit #${id} setConfigValue ${NS}/app: denied`);
    const result = await aoi(['rollback', String(id), '--policy', bench, ...target()]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`rollback of audit #${id} setConfigValue ${NS}/app: rolledBack`);
    expect(result.stdout).toContain('policy: allow (rule bench-typed-actions)');
    expect(await text()).toBe(OLD);
    const last = (await auditEntries()).at(-1)!;
    expect(last.action).toMatchObject({ step: 'rollback', rollbackOf: id });
    expect(last.result).toMatchObject({ status: 'rolledBack' });
    const again = await aoi(['rollback', String(id), '--policy', bench, ...target()]);
    expect(again.exitCode).toBe(1);
    expect(again.stdout).toContain(`audit #${id} was already rolled back (audit #${last.seq})`);
    const verify = await aoi(['audit', 'verify']);
    expect(verify.exitCode, verify.stdout).toBe(0);
  });

  it('refuses when the object changed since the apply', async () => {
    const id = await actOnce('off');
    await clients.core.patchNamespacedConfigMap(
      { name: 'app', namespace: NS, body: { data: { 'app.yaml': 'mode: manual-edit\n' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const result = await aoi(['rollback', String(id), '--policy', bench, '--output', 'json', ...target()]);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: false,
      status: 'refused',
      message: `the object of audit #${id} has changed since it was applied; refusing to overwrite it`,
    });
    expect(await text()).toBe('mode: manual-edit\n');
  });

  it('refuses an entry applied to another cluster than the current target, naming both', async () => {
    const id = await actOnce('elsewhere');
    const other = await startSim(62);
    try {
      const otherKubeconfig = join(dir, 'other-kubeconfig');
      await writeFile(otherKubeconfig, renderKubeconfig(other.url, other.tokens, other.caPem), {
        mode: 0o600,
      });
      const entry = (await auditEntries()).find((e) => e.seq === id)!;
      expect(entry.target).toEqual({
        server: server.url,
        context: EXECUTOR_CONTEXT,
        identity: 'aoi-sim-executor',
      });
      const since = other.requestLog.length;
      const result = await aoi([
        'rollback',
        String(id),
        '--policy',
        bench,
        '--kubeconfig',
        otherKubeconfig,
        '--context',
        EXECUTOR_CONTEXT,
      ]);
      expect(result.exitCode, result.stderr).toBe(1);
      expect(result.stdout).toContain(`rollback of audit #${id}: refused`);
      expect(result.stdout).toContain(
        `audit #${id} was applied to another cluster: ${server.url} (context ${EXECUTOR_CONTEXT}), ` +
          `but the current target is ${other.url} (context ${EXECUTOR_CONTEXT})`,
      );
      expect(
        other.requestLog.slice(since).filter((e) => !['get', 'list', 'watch', 'discovery'].includes(e.verb)),
      ).toEqual([]);
      expect(await text()).toBe('mode: elsewhere\n');
    } finally {
      await other.close();
    }
  });

  it('refuses an id that is not an applied action, or does not exist; a bad id exits 2', async () => {
    const notApply = (await auditEntries()).find((e) => (e.action as { step: string }).step === 'policy')!;
    const result = await aoi(['rollback', String(notApply.seq), '--policy', bench, ...target()]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      `audit #${notApply.seq} is not an applied action (it records step policy`,
    );
    const missing = await aoi(['rollback', '99999', '--policy', bench, ...target()]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toContain('audit #99999 does not exist');
    const bad = await aoi(['rollback', 'abc', ...target()]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('must be an audit id');
  });
});
