import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { prepareCluster } from '../../aiopslab-harness/bench/environment.js';
import { loadProblems } from '../../aiopslab-harness/bench/load-problems.js';
import type { Problem } from '../../aiopslab-harness/bench/problem.js';
import { SimServer } from '../../aiopslab-harness/sim/index.js';
import type { ActionProposal } from '../../src/core/actions.js';
import type { Policy } from '../../src/core/policy.js';
import { preApprovedApprover } from '../../src/executor/approval.js';
import { AuditLog } from '../../src/executor/audit-log.js';
import { execute } from '../../src/executor/executor.js';
import { loadPolicy } from '../../src/executor/load-policy.js';
import { executorOf, observerOf } from '../../src/incident/endpoint.js';
import { observerVerifier, targetComponent } from '../../src/incident/observer-verifier.js';
import { drivenClock } from '../sim/driven-clock.js';

let dir: string;
let bench: Policy;
let problem: Problem;
let server: SimServer | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-observer-verifier-'));
  problem = (await loadProblems()).find((p) => p.id === 'k8s_target_port-misconfig-mitigation-1')!;
  bench = await loadPolicy('bench', undefined, { problemNamespace: problem.namespace });
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const repoint = (targetPort: number): ActionProposal => ({
  kind: 'patchService',
  namespace: problem.namespace,
  name: 'user-service',
  ports: [{ port: 9090, targetPort }],
  rationale: 'point the Service at its pods',
  evidence: ['ev-1'],
});

async function run(action: ActionProposal, name: string) {
  // No ticker: the verifier advances the simulated clock as it waits (drivenClock), so load cannot race it.
  const cluster = prepareCluster(problem, 9);
  server = await SimServer.start({ cluster });
  const endpoint = {
    url: server.url,
    caPem: server.caPem,
    observerToken: server.tokens.observer,
    executorToken: server.tokens.executor,
  };
  const clients = executorOf(endpoint);
  const audit = await AuditLog.open(join(dir, `${name}.jsonl`));
  const result = await execute(action, {
    policy: bench,
    approver: preApprovedApprover(['*']),
    audit,
    clients,
    // Simulated time: a look every 15 s for up to a minute (each look is a whole observation).
    verifier: observerVerifier({
      ...observerOf(endpoint),
      timeoutMs: 60_000,
      pollMs: 15_000,
      clock: drivenClock(cluster),
    }),
  });
  await audit.close();
  const svc = await clients.core.readNamespacedService({
    name: 'user-service',
    namespace: problem.namespace,
  });
  return { result, targetPort: svc.spec?.ports?.[0]?.targetPort };
}

describe('verification through the observer', () => {
  it('accepts a fix once the observer sees the target healthy', async () => {
    const { result, targetPort } = await run(repoint(9090), 'right');
    expect(result.status, result.message).toBe('verified');
    expect(result.message).toContain('the observer sees user-service healthy');
    expect(targetPort).toBe(9090);
  }, 60_000);

  // A wrong targetPort is refused before it runs now (no container declares it: issue 21's constraints), so the
  // change that applies but leaves the symptom is a restart, which passes every constraint.
  it('rolls back a change that applied but left the symptom (a restart that cannot fix a Service)', async () => {
    const restart: ActionProposal = {
      kind: 'rolloutRestart',
      namespace: problem.namespace,
      name: 'user-service',
      workload: 'Deployment',
      rationale: 'restart the backend',
      evidence: ['ev-1'],
    };
    const { result, targetPort } = await run(restart, 'wrong');
    expect(result.status, result.message).toBe('rolledBack');
    expect(result.verification?.message).toMatch(/user-service still shows TargetPortMismatch/);
    expect(targetPort).toBe(9999);
  }, 60_000);

  it('leaves cluster-scoped and config changes to their read-back', () => {
    expect(
      targetComponent({
        kind: 'releaseVolume',
        name: 'pv-1',
        claimNamespace: 'a',
        claim: 'c',
        namespace: 'a',
        rationale: 'r',
        evidence: ['ev-1'],
      }),
    ).toBeUndefined();
    expect(targetComponent(repoint(1))).toEqual({ namespace: problem.namespace, name: 'user-service' });
  });
});
