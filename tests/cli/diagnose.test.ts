import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnAoi } from './spawn-aoi.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderGuidance } from '../../src/core/guidance.js';
import { readTrajectory } from '../../src/core/trajectory-recorder.js';
import { verifyAuditLog } from '../../src/executor/audit-log.js';

let dir: string;

function aoi(args: string[], env: Record<string, string> = {}) {
  return spawnAoi(['diagnose', ...args], dir, { env, timeoutMs: 120_000 });
}

interface Output {
  schema: string;
  verdict: string;
  detected: boolean;
  rootCause: { systemLevel: string; faultType: string } | null;
  faultyComponents: string[];
  hypotheses: { evidence: string[] }[];
  evidence: { id: string }[];
  proposals: { action: { kind: string; name: string }; policy: { effect: string; rule: string | null } }[];
  trajectory: string | null;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-diagnose-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aoi diagnose --sim', () => {
  it('finds the misrouted Service, cites its evidence, shows policy verdicts and records a trajectory', async () => {
    const result = await aoi(['--sim', 'k8s_target_port-misconfig-localization-1', '--output', 'json']);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toContain('reasoner: rules (Ollama at http://127.0.0.1:9 is not reachable)');
    const out = JSON.parse(result.stdout) as Output;
    expect(out).toMatchObject({
      schema: 'aoi.diagnose/v2',
      verdict: 'incident',
      faultyComponents: ['user-service'],
      rootCause: { systemLevel: 'Virtualization', faultType: 'Misconfiguration' },
    });
    const shown = new Set(out.evidence.map((e) => e.id));
    for (const h of out.hypotheses) for (const id of h.evidence) expect(shown.has(id)).toBe(true);
    // The default policy is read-only: the fix is proposed and shown as denied.
    expect(out.proposals).toEqual([
      expect.objectContaining({
        action: expect.objectContaining({ kind: 'patchService', name: 'user-service' }) as unknown,
        policy: expect.objectContaining({ effect: 'deny' }) as unknown,
      }),
    ]);
    const trajectory = await readTrajectory(out.trajectory!);
    expect(trajectory.header.problemId).toBe('k8s_target_port-misconfig-localization-1');
    expect(trajectory.steps.map((s) => s.phase)).toEqual(['observe', 'reason']);
    expect(trajectory.outcome?.status).toBe('unresolved');
  }, 60_000);

  it('shows a Service patch as before → after (targetPort 9999 → 9090), never 9090→9090', async () => {
    const result = await aoi(['--sim', 'k8s_target_port-misconfig-localization-1', '--no-record']);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stdout).toMatch(
      /patch service test-social-network\/user-service port 9090: targetPort 9999 → 9090/,
    );
    expect(result.stdout).not.toContain('9090→9090');
  }, 60_000);

  it('previews a scale proposal with the replicas read now, so maxReplicaChange can decide (no --apply)', async () => {
    // standard: scale-within-limits allows a change of at most 3; user-service is at 0 and the fix asks for 1.
    const result = await aoi([
      '--sim',
      'scale_pod_zero_social_net-mitigation-1',
      '--policy',
      'standard',
      '--reasoner',
      'rules',
      '--output',
      'json',
      '--no-record',
    ]);
    expect(result.exitCode, result.stderr).toBe(1);
    const out = JSON.parse(result.stdout) as Output;
    const scale = out.proposals.find((p) => p.action.kind === 'scaleDeployment');
    expect(scale?.action.name).toBe('user-service');
    expect(scale?.policy).toMatchObject({ effect: 'allow', rule: 'scale-within-limits' });
    expect((scale?.policy as { reason?: string } | undefined)?.reason).not.toContain(
      'current replica count unknown',
    );
  }, 60_000);

  it('says healthy and exits 0 on a no-fault problem, in text', async () => {
    const result = await aoi(['--sim', 'noop_detection_hotel_reservation-1', '--reasoner', 'rules']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^HEALTHY {2}test-hotel-reservation: no fault found/);
    expect(result.stderr).not.toContain('Ollama');
  }, 60_000);

  it('with --apply under the bench policy, fixes the fault, watches it clear and exits 0', async () => {
    const state = join(dir, 'apply-state');
    const result = await aoi(
      [
        '--sim',
        'scale_pod_zero_social_net-mitigation-1',
        '--apply',
        '--policy',
        'bench',
        '--approve',
        '--output',
        'markdown',
      ],
      { AOI_STATE_DIR: state },
    );
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('## aoi diagnose: incident in test-social-network');
    expect(result.stdout).toMatch(
      /scale deployment test-social-network\/user-service to 1: \*\*verified\*\*/,
    );
    // A simulated cluster's writes are audited under the sim subtree, never in the real log (issue 14 item 7).
    const audit = await verifyAuditLog(join(state, 'sim', 'audit.jsonl'));
    expect(audit).toMatchObject({ ok: true, entries: expect.any(Number) as unknown });
    expect((audit as { entries: number }).entries).toBeGreaterThanOrEqual(4);
    expect(existsSync(join(state, 'audit.jsonl'))).toBe(false);
    const files = await readdir(join(state, 'trajectories'));
    const trajectory = await readTrajectory(join(state, 'trajectories', files[0]!));
    expect(trajectory.steps.map((s) => s.phase)).toEqual(['observe', 'reason', 'act', 'verify']);
    expect(trajectory.outcome?.status).toBe('resolved');
  }, 120_000);

  it('markdown escapes table pipes and text output stays within a screen for a ten-second read', async () => {
    const result = await aoi([
      '--sim',
      'revoke_auth_mongodb-analysis-1',
      '--reasoner',
      'rules',
      '--no-record',
    ]);
    expect(result.exitCode).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^INCIDENT test-hotel-reservation: mongodb-geo: /);
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(result.stdout).toContain('Application / Authentication Issue');
    expect(await readdir(join(dir, 'state')).catch(() => [])).not.toContain('nothing');
  }, 60_000);
});

describe('aoi diagnose with guidance', () => {
  it('retrieves promoted guidance from the state dir, applies its hints and records what it used', async () => {
    const state = join(dir, 'guided-state');
    await mkdir(join(state, 'guidance'), { recursive: true });
    await writeFile(
      join(state, 'guidance', 'auth-is-operation.md'),
      renderGuidance({
        frontMatter: {
          id: 'auth-is-operation',
          title: 'Refused grants after a maintenance job',
          signals: ['AuthErrors'],
          faultTypes: ['Operation Error'],
          createdFrom: ['run-x'],
          version: 1,
          status: 'promoted',
          hints: [
            {
              kind: 'classify',
              signals: ['AuthErrors'],
              logPattern: 'not authorized',
              systemLevel: 'Virtualization',
              faultType: 'Operation Error',
            },
          ],
        },
        body: 'Check the maintenance job first.\n',
      }),
    );
    const result = await aoi(['--sim', 'revoke_auth_mongodb-analysis-1', '--output', 'json'], {
      AOI_STATE_DIR: state,
    });
    expect(result.exitCode, result.stderr).toBe(1);
    const out = JSON.parse(result.stdout) as Output;
    expect(out.rootCause).toMatchObject({ systemLevel: 'Virtualization', faultType: 'Operation Error' });
    const trajectory = await readTrajectory(out.trajectory!);
    const reason = trajectory.steps.find((s) => s.phase === 'reason');
    expect(JSON.stringify(reason?.output)).toContain('auth-is-operation');
  }, 60_000);
});

describe('aoi diagnose: errors', () => {
  it.each([
    [
      ['--sim', 'noop_detection_hotel_reservation-1', '-n', 'x', '-A'],
      /either --namespace or --all-namespaces/,
    ],
    [['--sim', 'no_such_problem-1'], /unknown problem "no_such_problem-1"/],
    [['--approve'], /--approve only makes sense with --apply/],
    [['--reasoner', 'magic'], /argument 'magic' is invalid/],
    [['--sim', 'noop_detection_hotel_reservation-1', '--policy', '/nonexistent/policy.yaml'], /policy/i],
  ])(
    '%j exits 2 with a clear message',
    async (args, message) => {
      const result = await aoi(args);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(message);
    },
    60_000,
  );

  it('--reasoner ollama with no server is an error naming the host, not a silent fallback', async () => {
    const result = await aoi(['--sim', 'noop_detection_hotel_reservation-1', '--reasoner', 'ollama']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('127.0.0.1:9');
    expect(result.stdout).toBe('');
  }, 60_000);

  it('an unreachable cluster is exit 2 with a hint', async () => {
    const kubeconfig = join(dir, 'dead.kubeconfig');
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(
        kubeconfig,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters: [{name: dead, cluster: {server: "https://127.0.0.1:9"}}]',
          'users: [{name: u, user: {token: t}}]',
          'contexts: [{name: c, context: {cluster: dead, user: u}}]',
          'current-context: c',
          '',
        ].join('\n'),
      ),
    );
    const result = await aoi(['--kubeconfig', kubeconfig, '-n', 'shop', '--reasoner', 'rules']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/cannot reach the cluster/);
    const audit = await readFile(join(dir, 'state', 'audit.jsonl'), 'utf8').catch(() => '');
    expect(audit).toBe('');
  }, 60_000);
});
