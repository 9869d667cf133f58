import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { prepareCluster } from '../../aiopslab-harness/bench/environment.js';
import { loadProblems } from '../../aiopslab-harness/bench/load-problems.js';
import { scoreMitigation, simClusterState } from '../../aiopslab-harness/bench/mitigation.js';
import type { Problem } from '../../aiopslab-harness/bench/problem.js';
import { SimServer } from '../../aiopslab-harness/sim/index.js';
import { AoiError } from '../../src/core/errors.js';
import type { ActionProposal } from '../../src/core/actions.js';
import type { Policy } from '../../src/core/policy.js';
import { readTrajectory } from '../../src/core/trajectory-recorder.js';
import { preApprovedApprover } from '../../src/executor/approval.js';
import { AuditLog, readAuditEntries } from '../../src/executor/audit-log.js';
import { loadPolicy } from '../../src/executor/load-policy.js';
import { executorOf, observerOf } from '../../src/incident/endpoint.js';
import type { IncidentEvent } from '../../src/incident/run-incident.js';
import { runIncident } from '../../src/incident/run-incident.js';
import type { Reasoner } from '../../src/reasoner/reasoner.js';
import { RulesReasoner } from '../../src/reasoner/rules-backend.js';

let dir: string;
let problems: Problem[];
let readOnly: Policy;
let server: SimServer | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-incident-'));
  problems = await loadProblems();

  readOnly = await loadPolicy('default');
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function start(id: string) {
  const problem = problems.find((p) => p.id === id)!;
  const cluster = prepareCluster(problem, 5);
  server = await SimServer.start({ cluster, realtime: true, speed: 20 });
  const endpoint = {
    url: server.url,
    caPem: server.caPem,
    observerToken: server.tokens.observer,
    executorToken: server.tokens.executor,
  };
  return { problem, cluster, endpoint, ...observerOf(endpoint) };
}

describe('runIncident', () => {
  it('observes, reasons, acts, verifies through the observer and records all four phases', async () => {
    const { problem, cluster, endpoint, reader, metrics, traces } = await start(
      'misconfig_app_hotel_res-mitigation-1',
    );
    const audit = await AuditLog.open(join(dir, 'audit-1.jsonl'));
    const events: IncidentEvent[] = [];
    // Traces are read at the first look only: their lookback would still show the failures after the fix.
    let traceLooks = 0;
    const report = await runIncident({
      reader,
      metrics,
      traces: {
        services: () => {
          traceLooks++;
          return traces.services();
        },
        traces: (q) => traces.traces(q),
        serverNow: () => traces.serverNow?.(),
      },
      namespace: problem.namespace,
      reasoner: new RulesReasoner(),
      act: {
        policy: await loadPolicy('bench', undefined, { problemNamespace: problem.namespace }),
        approver: preApprovedApprover(['*']),
        audit,
        clients: executorOf(endpoint),
      },
      verify: { timeoutMs: 60_000, pollMs: 1000 },
      record: { dir: join(dir, 'trajectories'), id: 'run-1', problemId: problem.id },
      onEvent: (e) => events.push(e),
    });
    await audit.close();
    expect(report.reasoning.diagnosis.faultyComponents).toEqual(['geo']);
    expect(report.actions.map((a) => [a.proposal.kind, a.result.status])).toEqual([
      ['rollbackDeployment', 'verified'],
    ]);
    expect(report.verification?.resolved).toBe(true);
    expect(report.status).toBe('resolved');
    expect(report.observation.gaps.filter((g) => g.what.startsWith('traces'))).toEqual([]);
    expect(traceLooks).toBe(1);
    expect((await scoreMitigation(problem, simClusterState(cluster), 'strict')).success).toBe(true);

    const trajectory = await readTrajectory(report.trajectoryPath!);
    expect(trajectory.header).toMatchObject({ id: 'run-1', problemId: problem.id });
    expect(trajectory.steps.map((s) => [s.phase, s.agent])).toEqual([
      ['observe', 'observer'],
      ['reason', 'rules'],
      ['act', 'executor'],
      ['verify', 'observer'],
    ]);
    expect(trajectory.outcome).toMatchObject({ status: 'resolved' });
    expect(
      events.filter((e) => e.type === 'phase-end').map((e) => e.type === 'phase-end' && e.phase),
    ).toEqual(['observe', 'reason', 'act', 'verify']);
  }, 90_000);

  it('acts on nothing the policy denies, skips verification and leaves the incident unresolved', async () => {
    const { problem, endpoint, reader, metrics, cluster } = await start(
      'scale_pod_zero_social_net-mitigation-1',
    );
    const audit = await AuditLog.open(join(dir, 'audit-2.jsonl'));
    const report = await runIncident({
      reader,
      metrics,
      namespace: problem.namespace,
      reasoner: new RulesReasoner(),
      act: { policy: readOnly, approver: preApprovedApprover(['*']), audit, clients: executorOf(endpoint) },
      record: { dir: join(dir, 'trajectories'), id: 'run-2' },
    });
    await audit.close();
    expect(report.actions.map((a) => a.result.status)).toEqual(['denied']);
    expect(report.verification).toBeUndefined();
    expect(report.status).toBe('unresolved');
    expect((await scoreMitigation(problem, simClusterState(cluster), 'strict')).success).toBe(false);
  }, 60_000);

  it('decides the whole plan first: a second change to the same workload refuses the plan, and nothing runs', async () => {
    const { problem, endpoint, reader, metrics, cluster } = await start(
      'misconfig_app_hotel_res-mitigation-1',
    );
    // The rules' own fix, then a restart of the same Deployment: each passes the policy alone.
    const rules = new RulesReasoner();
    const reasoner: Reasoner = {
      name: 'rules',
      diagnose: async (input) => {
        const result = await rules.diagnose(input);
        const first = result.diagnosis.proposals[0]!;
        const target = first.kind === 'rollbackDeployment' ? first : undefined;
        if (!target) throw new Error(`expected the rules to propose a rollback, got ${first.kind}`);
        const restart: ActionProposal = {
          kind: 'rolloutRestart',
          name: target.name,
          namespace: target.namespace,
          workload: 'Deployment',
          rationale: first.rationale,
          evidence: first.evidence,
        };
        return { ...result, diagnosis: { ...result.diagnosis, proposals: [first, restart] } };
      },
    };
    const auditPath = join(dir, 'audit-plan.jsonl');
    const audit = await AuditLog.open(auditPath);
    const report = await runIncident({
      reader,
      metrics,
      namespace: problem.namespace,
      reasoner,
      act: {
        policy: await loadPolicy('bench', undefined, { problemNamespace: problem.namespace }),
        approver: preApprovedApprover(['*']),
        audit,
        clients: executorOf(endpoint),
      },
    });
    await audit.close();
    expect(report.actions.map((a) => [a.proposal.kind, a.result.status, a.result.decision.ruleId])).toEqual([
      ['rolloutRestart', 'denied', 'constraint:plan.repeated-target'],
    ]);
    expect(server!.writesBy('executor')).toEqual([]);
    const entries = await readAuditEntries(auditPath);
    expect(entries.map((e) => [e.decision, e.result?.status])).toEqual([['deny', 'skipped']]);
    expect(report.verification).toBeUndefined();
    expect((await scoreMitigation(problem, simClusterState(cluster), 'strict')).success).toBe(false);
  }, 60_000);

  it('records a failed trajectory and throws a cluster-unreachable error when the cluster is gone', async () => {
    const { problem, reader } = await start('noop_detection_hotel_reservation-1');
    await server!.close();
    server = undefined;
    const run = runIncident({
      reader,
      namespace: problem.namespace,
      reasoner: new RulesReasoner(),
      record: { dir: join(dir, 'trajectories'), id: 'run-3' },
    });
    await expect(run).rejects.toSatisfy((e) => e instanceof AoiError && e.code === 'cluster-unreachable');
    const trajectory = await readTrajectory(join(dir, 'trajectories', 'run-3.jsonl'));
    expect(trajectory.steps.map((s) => s.phase)).toEqual(['observe']);
    expect(trajectory.outcome?.status).toBe('failed');
  }, 60_000);

  it('refuses to overwrite an existing trajectory id', async () => {
    const { problem, reader } = await start('noop_detection_hotel_reservation-1');
    const options = {
      reader,
      namespace: problem.namespace,
      reasoner: new RulesReasoner(),
      record: { dir: join(dir, 'dup'), id: 'same' },
    };
    const first = await runIncident(options);
    expect(first.status).toBe('resolved');
    await expect(runIncident(options)).rejects.toThrow(/already exists/);
    expect(await readdir(join(dir, 'dup'))).toEqual(['same.jsonl']);
  }, 60_000);
});
