/**
 * Issue 14: the incident runner never records "resolved" after a look that read nothing or only part of the
 * cluster, and a fix is not "verified" by a look that could not read what verification rests on. The
 * simulator's RBAC is edited mid-run (`setObserverDenied`), as when someone changes the observer's Role.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { prepareCluster } from '../../aiopslab-harness/bench/environment.js';
import { loadProblems } from '../../aiopslab-harness/bench/load-problems.js';
import type { Problem } from '../../aiopslab-harness/bench/problem.js';
import { SimServer } from '../../aiopslab-harness/sim/index.js';
import { AoiError } from '../../src/core/errors.js';
import { readTrajectory } from '../../src/core/trajectory-recorder.js';
import { preApprovedApprover } from '../../src/executor/approval.js';
import { AuditLog } from '../../src/executor/audit-log.js';
import { loadPolicy } from '../../src/executor/load-policy.js';
import { readBackVerifier } from '../../src/executor/verifier.js';
import { executorOf, observerOf } from '../../src/incident/endpoint.js';
import { observerVerifier } from '../../src/incident/observer-verifier.js';
import { runIncident } from '../../src/incident/run-incident.js';
import { RulesReasoner } from '../../src/reasoner/rules-backend.js';

let dir: string;
let problems: Problem[];
let server: SimServer | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-incident-look-'));
  problems = await loadProblems();
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function start(id: string, observerDenied: string[] = []) {
  const problem = problems.find((p) => p.id === id)!;
  // Simulated time runs 20x the wall clock, so a fix rolls out within the verification's few seconds.
  server = await SimServer.start({
    cluster: prepareCluster(problem, 5),
    realtime: true,
    speed: 20,
    observerDenied,
  });
  const endpoint = {
    url: server.url,
    caPem: server.caPem,
    observerToken: server.tokens.observer,
    executorToken: server.tokens.executor,
  };
  return { problem, server, endpoint };
}

describe('the incident runner and a look that could not read', () => {
  it('a token that may read nothing: the run fails with cluster-forbidden, recorded as failed', async () => {
    const { problem, server: sim, endpoint } = await start('noop_detection_hotel_reservation-1');
    const { reader } = observerOf({ ...endpoint, observerToken: sim.tokens.nobody });
    const run = runIncident({
      reader,
      namespace: problem.namespace,
      reasoner: new RulesReasoner(),
      record: { dir: join(dir, 'trajectories'), id: 'nobody' },
    });
    await expect(run).rejects.toSatisfy(
      (e) => e instanceof AoiError && e.code === 'cluster-forbidden' && /aoi-nobody/.test(e.message),
    );
    const trajectory = await readTrajectory(join(dir, 'trajectories', 'nobody.jsonl'));
    expect(trajectory.outcome?.status).toBe('failed');
  }, 60_000);

  it('a partial look with nothing found is "incomplete", never "resolved"', async () => {
    const { problem, endpoint } = await start('noop_detection_hotel_reservation-1', ['events', 'configmaps']);
    const { reader, metrics } = observerOf(endpoint);
    const report = await runIncident({
      reader,
      metrics,
      namespace: problem.namespace,
      reasoner: new RulesReasoner(),
      record: { dir: join(dir, 'trajectories'), id: 'partial' },
    });
    expect(report.reasoning.diagnosis.detected).toBe(false);
    expect(report.observation.coverage.complete).toBe(false);
    expect(report.observation.coverage.kinds).toMatchObject({ events: null, configmaps: null });
    expect(report.status).toBe('incomplete');
    const trajectory = await readTrajectory(report.trajectoryPath!);
    expect(trajectory.outcome).toMatchObject({ status: 'incomplete' });
    expect(trajectory.outcome?.summary).toMatch(/could not read events, configmaps/);
  }, 60_000);

  it('a fix whose effect the observer cannot read is not verified: the executor rolls it back', async () => {
    const { problem, server: sim, endpoint } = await start('scale_pod_zero_social_net-mitigation-1');
    const { reader, metrics } = observerOf(endpoint);
    const audit = await AuditLog.open(join(dir, 'audit-verify.jsonl'));
    const report = await runIncident({
      reader,
      metrics,
      namespace: problem.namespace,
      reasoner: new RulesReasoner(),
      act: {
        policy: await loadPolicy('bench', undefined, { problemNamespace: problem.namespace }),
        approver: preApprovedApprover(['*']),
        audit,
        clients: executorOf(endpoint),
        verifier: observerVerifier({ reader, timeoutMs: 4000, pollMs: 1000 }),
      },
      // The observer loses pods (and only pods) once the executor starts acting.
      onEvent: (e) => {
        if (e.type === 'phase-start' && e.phase === 'act') sim.setObserverDenied(['pods']);
      },
    });
    await audit.close();
    expect(report.actions.map((a) => a.result.status)).toEqual(['rolledBack']);
    expect(report.actions[0]?.result.message).toMatch(/could not read pods \(forbidden\)/);
    expect(report.status).not.toBe('resolved');
  }, 90_000);

  it('watching after a fix with a look that cannot read everything never says "clear"', async () => {
    const { problem, server: sim, endpoint } = await start('scale_pod_zero_social_net-mitigation-1');
    const { reader, metrics } = observerOf(endpoint);
    const audit = await AuditLog.open(join(dir, 'audit-watch.jsonl'));
    const report = await runIncident({
      reader,
      metrics,
      namespace: problem.namespace,
      reasoner: new RulesReasoner(),
      act: {
        policy: await loadPolicy('bench', undefined, { problemNamespace: problem.namespace }),
        approver: preApprovedApprover(['*']),
        audit,
        clients: executorOf(endpoint),
        // The action's own read-back only, so the fix is applied and the watch that follows decides.
        verifier: readBackVerifier({ timeoutMs: 30_000, pollMs: 250 }),
      },
      verify: { timeoutMs: 3000, pollMs: 1000 },
      onEvent: (e) => {
        if (e.type === 'phase-end' && e.phase === 'act') sim.setObserverDenied(['events']);
      },
    });
    await audit.close();
    expect(report.actions.map((a) => a.result.status)).toEqual(['verified']);
    expect(report.verification).toMatchObject({ resolved: false, unread: ['events'] });
    expect(report.status).toBe('unresolved');
  }, 90_000);
});
