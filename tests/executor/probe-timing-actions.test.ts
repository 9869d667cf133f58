/**
 * setProbe's timing through the real executor (policy → dry run → apply → verify, audited) against the HTTPS
 * simulator with slow_start_liveness injected: a startup probe the container does not have yet is built from
 * its liveness probe's endpoint, verifies, and the strict mitigation score (the probes give the start time
 * enough, the app serving) passes; timing beyond the bench policy's maxProbeStartSeconds, a partial timing
 * change, or a rule without the bound is denied before anything is written.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCluster } from '../../aiopslab-harness/bench/environment.js';
import { loadProblems } from '../../aiopslab-harness/bench/load-problems.js';
import { scoreMitigation, simClusterState } from '../../aiopslab-harness/bench/mitigation.js';
import type { Problem } from '../../aiopslab-harness/bench/problem.js';
import { R } from '../../aiopslab-harness/sim/faults/topology.js';
import type { Deployment } from '../../aiopslab-harness/sim/model.js';
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
const ID = 'slow_start_liveness-astro-ad-mitigation';
let dir: string;
let problem: Problem;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-probe-timing-'));
  const found = (await loadProblems([ONCALL])).find((p) => p.id === ID);
  if (!found) throw new Error(`no problem ${ID}`);
  problem = found;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('setProbe timing through execute() with bench.yaml', () => {
  it('adds a startup probe on the liveness endpoint within maxProbeStartSeconds; beyond it, partial or unbounded is denied', async () => {
    const cluster = prepareCluster(problem, 7);
    const server = await SimServer.start({ cluster });
    const audit = await AuditLog.open(join(dir, 'audit.jsonl'));
    const clock = drivenClock(cluster);
    const run = (action: ActionProposal, policy: Policy) =>
      execute(action, {
        policy,
        approver: preApprovedApprover(['*']),
        audit,
        clients: clientsFor(server, 'executor'),
        verifier: readBackVerifier({ timeoutMs: 600_000, pollMs: 2_000, clock }),
        incident: { actionsSoFar: 0 },
      });
    const startup = (timing: Partial<ActionProposal & { kind: 'setProbe' }>): ActionProposal => ({
      kind: 'setProbe',
      namespace: problem.namespace,
      name: 'ad',
      container: 'ad',
      probe: 'startup',
      rationale: 'the ad service needs longer to start than its liveness probe allows',
      evidence: ['ev-1'],
      ...timing,
    });
    const strictScore = async () => {
      const deadline = clock.now() + 5 * 60_000;
      for (;;) {
        const score = await scoreMitigation(problem, simClusterState(cluster), 'strict');
        if (score.success || clock.now() > deadline) return score;
        await clock.sleep(5_000);
      }
    };
    try {
      const policy = await loadPolicy('bench', undefined, { problemNamespace: problem.namespace });
      const before = server.requestLog.at(-1)?.seq ?? 0;
      const tooLong = await run(
        startup({ initialDelaySeconds: 0, periodSeconds: 60, failureThreshold: 30 }),
        policy,
      );
      expect(tooLong.status).toBe('denied');
      expect(tooLong.message).toMatch(/grants 1800s to start .*maxProbeStartSeconds 600/);
      const partial = await run(startup({ failureThreshold: 30 }), policy);
      expect(partial.status).toBe('denied');
      expect(partial.message).toMatch(/together/);
      const unbounded = Policy.parse({
        rules: [{ id: 'open', match: { actions: ['setProbe'] }, effect: 'allow' }],
      });
      const open = await run(
        startup({ initialDelaySeconds: 0, periodSeconds: 10, failureThreshold: 30 }),
        unbounded,
      );
      expect(open.status).toBe('denied');
      expect(open.message).toMatch(/only with limits.maxProbeStartSeconds/);
      expect(writesSince(server, before)).toEqual([]);

      expect((await strictScore()).success).toBe(false);
      const result = await run(
        startup({ initialDelaySeconds: 0, periodSeconds: 10, failureThreshold: 30 }),
        policy,
      );
      expect(result.status, result.message).toBe('verified');
      const d = cluster.store.peek(R.deployments, problem.namespace, 'ad') as unknown as
        Deployment | undefined;
      const container = d?.spec.template.spec.containers.find((c) => c.name === 'ad');
      expect(container?.startupProbe).toEqual({
        tcpSocket: { port: 8080 },
        initialDelaySeconds: 0,
        periodSeconds: 10,
        failureThreshold: 30,
      });
      // The liveness probe is left as it was: quick to act once the app is up.
      expect(container?.livenessProbe).toMatchObject({ initialDelaySeconds: 5, failureThreshold: 3 });
      const score = await strictScore();
      expect(score, score.detail).toMatchObject({ success: true });
      expect(await verifyAuditLog(audit.path)).toMatchObject({ ok: true });
    } finally {
      await audit.close();
      await server.close();
    }
  });
});
