/**
 * Issue 14 items 5 and 7: `aoi diagnose --apply` with no terminal and no --approve. An action the policy
 * wants approved is recorded as not asked (nobody said no), what it would have done and how to approve it
 * are printed, the exit is 1; the audit entries name the cluster, identity and run, and a --sim run's
 * entries go to the sim subtree's log, never the real one.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrajectory } from '../../src/core/trajectory-recorder.js';
import { spawnAoi } from './spawn-aoi.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-unattended-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aoi diagnose --apply without a terminal or --approve', () => {
  it('records not-asked, says what would have been applied and how to approve, exits 1', async () => {
    const result = await spawnAoi(
      [
        'diagnose',
        '--sim',
        'k8s_target_port-misconfig-mitigation-1',
        '--reasoner',
        'rules',
        '--apply',
        '--policy',
        'standard',
        '--output',
        'json',
      ],
      dir,
      { timeoutMs: 240_000 },
    );
    expect(result.exitCode, result.stderr).toBe(1);
    const out = JSON.parse(result.stdout) as {
      id: string;
      actions: { status: string; message: string }[];
      trajectory: string;
    };
    expect(out.actions).toEqual([
      expect.objectContaining({
        status: 'notAsked',
        message: 'not asked (no terminal): approval needed, no terminal to ask and no --approve',
      }),
    ]);
    expect(result.stderr).toContain(
      'aoi: not applied: 1 action(s) need approval and there is no terminal to ask (recorded as not-asked):',
    );
    // The action's own wording belongs to describeAction; here: it is the Service fix, with its dry run.
    expect(result.stderr).toMatch(
      /^ {2}would patch service test-social-network\/user-service .*9090.* \(dry run: .+\)$/m,
    );
    expect(result.stderr).toContain(
      '  To approve: rerun with --approve (approves what the policy marks approve, never a deny), or on a terminal with -i to approve each by key',
    );

    // The sim run's audit log is its own; the real one is not touched.
    expect(existsSync(join(dir, 'state', 'audit.jsonl'))).toBe(false);
    const entries = (await readFile(join(dir, 'state', 'sim', 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.at(-1)).toMatchObject({
      action: { step: 'approval' },
      decision: 'not-asked',
      result: { status: 'skipped' },
    });
    for (const entry of entries)
      expect(entry).toMatchObject({
        runId: out.id,
        target: {
          server: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/) as unknown,
          context: 'aoi-executor',
          identity: 'aoi-sim-executor',
        },
      });
    const verify = await spawnAoi(['audit', 'verify', '--sim'], dir);
    expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toBe(
      `${join(dir, 'state', 'sim', 'audit.jsonl')}: ok: ${entries.length} entries, hash chain intact`,
    );

    const trajectory = await readTrajectory(out.trajectory);
    expect(trajectory.steps.find((s) => s.phase === 'act')?.output).toEqual([
      expect.objectContaining({ status: 'notAsked' }),
    ]);
  });
});
