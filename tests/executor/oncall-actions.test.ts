/**
 * setResources and setProbe through the real executor (policy → dry run → apply → verify, audited) against
 * the HTTPS simulator with an on-call fault injected: the right change verifies and the strict mitigation
 * score (the fault undone, the app serving) passes; setResources beyond the bench policy's 2× bound, or
 * under a rule that does not bound it, is denied before anything is written.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCluster } from '../../aiopslab-harness/bench/environment.js';
import { loadProblems } from '../../aiopslab-harness/bench/load-problems.js';
import { scoreMitigation, simClusterState } from '../../aiopslab-harness/bench/mitigation.js';
import type { Problem } from '../../aiopslab-harness/bench/problem.js';
import type { SimCluster } from '../../aiopslab-harness/sim/cluster.js';
import { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import type { ActionProposal } from '../../src/core/actions.js';
import { Policy } from '../../src/core/policy.js';
import { preApprovedApprover } from '../../src/executor/approval.js';
import { AuditLog, verifyAuditLog } from '../../src/executor/audit-log.js';
import { execute } from '../../src/executor/executor.js';
import { loadPolicy } from '../../src/executor/load-policy.js';
import { readBackVerifier } from '../../src/executor/verifier.js';
import { drivenClock } from '../sim/driven-clock.js';
import { clientsFor, writesSince } from './sim-fixture.js';

const ONCALL = join(import.meta.dirname, '../../aiopslab-harness/problems/oncall');
const common = { rationale: 'the fix for the injected fault', evidence: ['ev-1'] };
let dir: string;
let problems: Problem[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-oncall-actions-'));
  problems = await loadProblems([ONCALL]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function withEnv(
  id: string,
  body: (env: { problem: Problem; cluster: SimCluster; server: SimServer; audit: AuditLog }) => Promise<void>,
) {
  const problem = problems.find((p) => p.id === id);
  if (!problem) throw new Error(`no problem ${id}`);
  const cluster = prepareCluster(problem, 7);
  const server = await SimServer.start({ cluster });
  const audit = await AuditLog.open(join(await mkdtemp(join(dir, 'env-')), 'audit.jsonl'));
  try {
    await body({ problem, cluster, server, audit });
  } finally {
    await audit.close();
    await server.close();
  }
}

function run(
  env: { problem: Problem; cluster: SimCluster; server: SimServer; audit: AuditLog },
  action: ActionProposal,
  policy: Policy,
) {
  return execute(action, {
    policy,
    approver: preApprovedApprover(['*']),
    audit: env.audit,
    clients: clientsFor(env.server, 'executor'),
    verifier: readBackVerifier({ timeoutMs: 600_000, pollMs: 2_000, clock: drivenClock(env.cluster) }),
    incident: { actionsSoFar: 0 },
  });
}

async function strictScore(env: { problem: Problem; cluster: SimCluster }) {
  const clock = drivenClock(env.cluster);
  const deadline = clock.now() + 5 * 60_000;
  for (;;) {
    const score = await scoreMitigation(env.problem, simClusterState(env.cluster), 'strict');
    if (score.success || clock.now() > deadline) return score;
    await clock.sleep(5_000);
  }
}

describe('on-call actions through execute() with bench.yaml', () => {
  it('setResources: 4× is denied (maxResourceFactor 2), an unbounded rule is denied, 2× verifies and the score passes', async () => {
    await withEnv('oom_killed-hotel-geo-mitigation', async (env) => {
      const policy = await loadPolicy('bench', undefined, { problemNamespace: env.problem.namespace });
      const resize = (memory: string): ActionProposal => ({
        kind: 'setResources',
        namespace: env.problem.namespace,
        name: 'geo',
        container: 'hotel-reserv-geo',
        limits: { memory },
        ...common,
      });
      const before = env.server.requestLog.at(-1)?.seq ?? 0;
      const tooMuch = await run(env, resize('84Mi'), policy);
      expect(tooMuch.status).toBe('denied');
      expect(tooMuch.message).toMatch(/maxResourceFactor/);
      const unbounded = Policy.parse({
        rules: [{ id: 'open', match: { actions: ['setResources'] }, effect: 'allow' }],
      });
      const open = await run(env, resize('42Mi'), unbounded);
      expect(open.status).toBe('denied');
      expect(open.message).toMatch(/only with limits.maxResourceFactor/);
      expect(writesSince(env.server, before)).toEqual([]);

      expect((await strictScore(env)).success).toBe(false);
      const result = await run(env, resize('42Mi'), policy);
      expect(result.status, result.message).toBe('verified');
      const score = await strictScore(env);
      expect(score, score.detail).toMatchObject({ success: true });
      expect(await verifyAuditLog(env.audit.path)).toMatchObject({ ok: true });
    });
  });

  it('setProbe: the liveness probe onto the declared port verifies and the score passes', async () => {
    await withEnv('liveness_probe_failure-hotel-profile-mitigation', async (env) => {
      const policy = await loadPolicy('bench', undefined, { problemNamespace: env.problem.namespace });
      expect((await strictScore(env)).success).toBe(false);
      const result = await run(
        env,
        {
          kind: 'setProbe',
          namespace: env.problem.namespace,
          name: 'profile',
          container: 'hotel-reserv-profile',
          probe: 'liveness',
          port: 8081,
          ...common,
        },
        policy,
      );
      expect(result.status, result.message).toBe('verified');
      const score = await strictScore(env);
      expect(score, score.detail).toMatchObject({ success: true });
    });
  });
});
