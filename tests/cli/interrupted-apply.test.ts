/**
 * Issue 14 item 6: SIGINT or SIGTERM after a write. The real process is interrupted between apply and
 * verify, then the trajectory, the audit chain and the printed rollback command are checked (and the
 * command is run). Deterministic: the simulator's clock stands still (realtime off), so the scaled
 * Deployment never becomes ready and verification cannot finish on its own; the signal is sent once the
 * apply entry is in the audit log, whatever the machine's load.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXECUTOR_CONTEXT,
  OBSERVER_CONTEXT,
  renderKubeconfig,
} from '../../aiopslab-harness/sim/kubeconfig.js';
import { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import { findProblemCluster } from '../../src/cli/commands/sim.js';
import { readTrajectory } from '../../src/core/trajectory-recorder.js';
import { clientsFor } from '../executor/sim-fixture.js';
import { spawnAoi } from './spawn-aoi.js';

const PROBLEM = 'scale_pod_zero_social_net-mitigation-1';
let dir: string;
let kubeconfig: string;
let namespace: string;
let server: SimServer;

interface Entry {
  seq: number;
  action: { step: string; proposal: { kind: string; name: string } };
  result: { status: string; message?: string } | null;
  runId?: string;
}

async function auditEntries(): Promise<Entry[]> {
  const text = await readFile(join(dir, 'state', 'audit.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.endsWith('}'))
    .map((line) => JSON.parse(line) as Entry);
}

/**
 * Resolves once an apply entry is in the audit log. It waits on the child's progress, not on a timer: the
 * poll only decides how soon the event is noticed; the limit is for a child that never gets there.
 */
async function applyRecorded(after: number, child: { exitCode?: number | null }): Promise<Entry> {
  const limit = Date.now() + 240_000;
  for (;;) {
    const apply = (await auditEntries()).find((e) => e.seq > after && e.action.step === 'apply');
    if (apply) return apply;
    if (typeof child.exitCode === 'number')
      throw new Error(`the child exited ${child.exitCode} before applying`);
    if (Date.now() > limit) throw new Error('no apply entry within 240 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The `aoi rollback …` command printed for the change, as argv (the words are shell-safe here). */
function rollbackArgv(stderr: string): string[] {
  const match = /: aoi (rollback .*)$/m.exec(stderr);
  if (!match) throw new Error(`no rollback line in:\n${stderr}`);
  return match[1]!.split(' ');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-interrupt-'));
  const prepared = await findProblemCluster(PROBLEM, 42);
  namespace = prepared.namespace;
  server = await SimServer.start({ cluster: prepared.cluster, realtime: false });
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, renderKubeconfig(server.url, server.tokens, server.caPem), { mode: 0o600 });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const replicas = async (name: string) =>
  (await clientsFor(server, 'executor').apps.readNamespacedDeployment({ name, namespace })).spec?.replicas;

describe('an interrupted apply', { timeout: 400_000 }, () => {
  it('diagnose --apply, SIGINT after the apply: act step recorded, run aborted, rollback line printed; exit 130', async () => {
    const child = spawnAoi(
      [
        'diagnose',
        '-n',
        namespace,
        '--kubeconfig',
        kubeconfig,
        '--context',
        OBSERVER_CONTEXT,
        '--executor-context',
        EXECUTOR_CONTEXT,
        '--prometheus-url',
        server.url,
        '--jaeger-url',
        server.url,
        '--reasoner',
        'rules',
        '--apply',
        '--policy',
        'bench',
        '--approve',
      ],
      dir,
      { timeoutMs: 300_000 },
    );
    const apply = await applyRecorded(0, child);
    expect(apply.action.proposal).toMatchObject({ kind: 'scaleDeployment', name: 'user-service' });
    // process.kill, not execa's kill: that one sends SIGKILL when SIGTERM does not end the child in 5 s.
    process.kill(child.pid!, 'SIGINT');
    const result = await child;
    expect(result.exitCode, result.stderr).toBe(130);
    expect(result.stderr).toContain(
      'aoi: interrupted by SIGINT; the step in flight was finished and recorded, nothing else ran',
    );
    expect(result.stderr).toContain(
      `  scale deployment ${namespace}/user-service to 1 (not verified): aoi rollback ${apply.seq} --policy bench --kubeconfig ${kubeconfig} --context ${EXECUTOR_CONTEXT}`,
    );

    // The audit log: the apply, then a verify step saying it was interrupted; the chain verifies.
    const entries = await auditEntries();
    expect(entries.at(-1)).toMatchObject({
      action: { step: 'verify' },
      result: {
        status: 'skipped',
        message: `interrupted by SIGINT after the apply, before verification; undo it with \`aoi rollback ${apply.seq}\``,
      },
      runId: apply.runId,
    });
    const verify = await spawnAoi(['audit', 'verify'], dir);
    expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain(`ok: ${entries.length} entries, hash chain intact`);

    // The trajectory has the act step and is closed as aborted; its id is the audit entries' run id.
    const files = await readdir(join(dir, 'state', 'trajectories'));
    expect(files).toEqual([`${apply.runId}.jsonl`]);
    const trajectory = await readTrajectory(join(dir, 'state', 'trajectories', files[0]!));
    expect(trajectory.steps.map((s) => s.phase)).toEqual(['observe', 'reason', 'act']);
    expect(trajectory.steps[2]?.output).toEqual([expect.objectContaining({ status: 'aborted' })]);
    expect(trajectory.outcome?.status).toBe('aborted');
    expect(result.stderr).toContain(
      `aoi: run ${apply.runId} recorded as aborted: aoi runs show ${apply.runId}`,
    );
    const shown = await spawnAoi(['runs', 'show', apply.runId!, '--json'], dir);
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: apply.runId, status: 'aborted' });

    // The printed command undoes the change.
    expect(await replicas('user-service')).toBe(1);
    const undo = await spawnAoi(rollbackArgv(result.stderr), dir);
    expect(undo.exitCode, undo.stdout + undo.stderr).toBe(0);
    expect(await replicas('user-service')).toBe(0);
  });

  it('act, SIGTERM after the apply: exit 143 with the rollback line', async () => {
    const plan = join(dir, 'plan.json');
    await writeFile(
      plan,
      JSON.stringify({
        version: 1,
        actions: [
          {
            kind: 'scaleDeployment',
            namespace,
            name: 'user-service',
            replicas: 2,
            rationale: 'r',
            evidence: ['ev-1'],
          },
        ],
      }),
    );
    const before = (await auditEntries()).at(-1)?.seq ?? 0;
    const child = spawnAoi(
      ['act', '--plan', plan, '--policy', 'bench', '--kubeconfig', kubeconfig, '--context', EXECUTOR_CONTEXT],
      dir,
      { timeoutMs: 300_000 },
    );
    const apply = await applyRecorded(before, child);
    process.kill(child.pid!, 'SIGTERM');
    const result = await child;
    expect(result.exitCode, result.stderr).toBe(143);
    expect(result.stdout).toContain(`[1/1] scaleDeployment ${namespace}/user-service: aborted`);
    expect(result.stderr).toContain(
      `  scale deployment ${namespace}/user-service to 2 (not verified): aoi rollback ${apply.seq} --policy bench --kubeconfig ${kubeconfig} --context ${EXECUTOR_CONTEXT}`,
    );
    expect((await spawnAoi(['audit', 'verify'], dir)).exitCode).toBe(0);
    expect(await replicas('user-service')).toBe(2);
  });
});
