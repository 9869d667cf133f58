/**
 * `aoi serve` as a process: SIGTERM while a diagnosis runs stops taking alerts, finishes that diagnosis and
 * exits 0 with its answer on stdout and its trajectory complete; a bad --notify URL is a usage error.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrajectory } from '../../src/core/trajectory-recorder.js';
import { verifyAuditLog } from '../../src/executor/audit-log.js';
import { spawnAoi } from './spawn-aoi.js';

const PROBLEM = 'astronomy_shop_cart_service_failure-localization-1';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-serve-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Polls the child's output; the limit is generous because a busy two-core machine slows its start. */
async function waitFor(read: () => string, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const match = pattern.exec(read());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}: ${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('aoi serve', () => {
  it('on SIGTERM finishes the diagnosis it took: answer on stdout, trajectory complete, exit 0', async () => {
    const serve = spawnAoi(['serve', '--sim', PROBLEM, '--reasoner', 'rules', '--port', '0'], dir);
    let stderr = '';
    serve.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const url = (await waitFor(() => stderr, /serving on (http:\/\/\S+):/, 'aoi serve to listen'))[1]!;
      expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok\n');
      const alert = {
        version: '4',
        groupKey: 'g',
        status: 'firing',
        receiver: 'aoi',
        alerts: [
          { labels: { alertname: 'HighErrorRatio', namespace: 'astronomy-shop', deployment: 'cart' } },
        ],
      };
      const reply = await fetch(`${url}/alertmanager`, { method: 'POST', body: JSON.stringify(alert) });
      expect(reply.status).toBe(200);
      await waitFor(() => stderr, /queued 1 alert/, 'the alert to be queued');
      // process.kill, not execa's kill(): that one follows with SIGKILL after 5 s, and a diagnosis may take longer.
      process.kill(serve.pid!, 'SIGTERM');
      const result = await serve;
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/SIGTERM: finishing the diagnoses already taken/);
      const answers = result.stdout
        .trim()
        .split('\n')
        .map(
          (line) => JSON.parse(line) as { verdict: string; faultyComponents: string[]; trajectory: string },
        );
      expect(answers).toHaveLength(1);
      expect(answers[0]).toMatchObject({ verdict: 'incident', faultyComponents: ['cart'] });
      const trajectory = await readTrajectory(answers[0]!.trajectory);
      expect(trajectory.steps.map((s) => s.phase)).toEqual(['observe', 'reason']);
      expect(trajectory.outcome?.status).toBe('unresolved');
    } finally {
      serve.kill('SIGKILL');
    }
  }, 120_000);

  it('acts only with --apply --policy: the fix goes through the executor, approved by --approve, audited', async () => {
    const refused = await spawnAoi(
      ['serve', '--sim', 'k8s_target_port-misconfig-mitigation-1', '--apply'],
      dir,
    );
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/--apply needs --policy/);

    const state = join(dir, 'acting');
    const serve = spawnAoi(
      [
        'serve',
        '--sim',
        'k8s_target_port-misconfig-mitigation-1',
        '--reasoner',
        'rules',
        '--port',
        '0',
        '--apply',
        '--policy',
        'standard',
        '--approve',
      ],
      dir,
      { env: { AOI_STATE_DIR: state } },
    );
    let stderr = '';
    let stdout = '';
    serve.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    serve.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    try {
      const url = (await waitFor(() => stderr, /serving on (http:\/\/\S+):/, 'aoi serve to listen'))[1]!;
      expect(stderr).toMatch(/acting under policy standard, what it marks 'approve' approved by --approve/);
      const alert = {
        version: '4',
        groupKey: 'g',
        status: 'firing',
        receiver: 'aoi',
        alerts: [
          { labels: { alertname: 'ServiceDown', namespace: 'test-social-network', service: 'user-service' } },
        ],
      };
      expect(
        (await fetch(`${url}/alertmanager`, { method: 'POST', body: JSON.stringify(alert) })).status,
      ).toBe(200);
      const line = (await waitFor(() => stdout, /^.+\n/, 'the answer'))[0];
      const answer = JSON.parse(line) as {
        faultyComponents: string[];
        actions: { kind: string; status: string }[];
      };
      expect(answer.faultyComponents[0]).toBe('user-service');
      expect(answer.actions).toEqual([{ kind: 'patchService', status: 'verified' }]);
      const audit = await verifyAuditLog(join(state, 'sim', 'audit.jsonl'));
      expect(audit.ok).toBe(true);
    } finally {
      process.kill(serve.pid!, 'SIGTERM');
      await serve;
    }
  }, 120_000);

  it('refuses a --notify that is not an http(s) URL, without printing it whole', async () => {
    const run = await spawnAoi(
      ['serve', '--sim', PROBLEM, '--notify', 'ftp://hooks.example/T0/secretpath'],
      dir,
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/--notify needs an http\(s\) URL/);
    expect(run.stderr).not.toContain('secretpath');
  });
});
