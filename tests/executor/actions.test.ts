import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import type { ActionProposal } from '../../src/core/actions.js';
import type { Policy } from '../../src/core/policy.js';
import type { ExecutorClients } from '../../src/executor/actions/types.js';
import { denyingApprover } from '../../src/executor/approval.js';
import { AuditLog, verifyAuditLog } from '../../src/executor/audit-log.js';
import { execute } from '../../src/executor/executor.js';
import { loadPolicy } from '../../src/executor/load-policy.js';
import { readBackVerifier } from '../../src/executor/verifier.js';
import { NS, clientsFor, startSim, writesSince } from './sim-fixture.js';

let server: SimServer;
let dir: string;
let audit: AuditLog;
let clients: ExecutorClients;
let bench: Policy;

const common = { rationale: 'test', evidence: ['ev-1'] };
const CONTAINER = 'hotel-reserv-profile';
const run = (action: ActionProposal, timeoutMs = 20_000) =>
  execute(action, {
    policy: bench,
    approver: denyingApprover,
    audit,
    clients,
    verifier: readBackVerifier({ timeoutMs, pollMs: 100 }),
  });
const profile = () => clients.apps.readNamespacedDeployment({ name: 'profile', namespace: NS });
const envOf = async () =>
  (await profile()).spec?.template.spec?.containers.find((c) => c.name === CONTAINER)?.env ?? [];

beforeAll(async () => {
  server = await startSim(8);
  dir = await mkdtemp(join(tmpdir(), 'aoi-actions-'));
  audit = await AuditLog.open(join(dir, 'audit.jsonl'));
  clients = clientsFor(server, 'executor');
  bench = await loadPolicy('bench', undefined, { problemNamespace: NS });
});

afterAll(async () => {
  await audit.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('deployment actions under the bench policy', () => {
  it('restarts a rollout and waits for it', async () => {
    const result = await run({
      kind: 'rolloutRestart',
      namespace: NS,
      name: 'profile',
      workload: 'Deployment',
      ...common,
    });
    expect(result.status, result.message).toBe('verified');
    expect(
      (await profile()).spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'],
    ).toBe(result.preImage?.['restartedAt']);
  });

  it('sets and removes an environment variable', async () => {
    const set = await run({
      kind: 'setEnv',
      namespace: NS,
      name: 'profile',
      container: CONTAINER,
      env: { FOO: 'bar' },
      ...common,
    });
    expect(set.status, set.message).toBe('verified');
    expect(await envOf()).toContainEqual({ name: 'FOO', value: 'bar' });
    const unset = await run({
      kind: 'setEnv',
      namespace: NS,
      name: 'profile',
      container: CONTAINER,
      env: { FOO: null },
      ...common,
    });
    expect(unset.status, unset.message).toBe('verified');
    expect((await envOf()).map((e) => e.name)).not.toContain('FOO');
  });

  it('rolls the deployment back to the previous revision', async () => {
    await run({
      kind: 'setEnv',
      namespace: NS,
      name: 'profile',
      container: CONTAINER,
      env: { BAR: '1' },
      ...common,
    });
    expect((await envOf()).map((e) => e.name)).toContain('BAR');
    // The previous revision ran fine but was scaled to 0 by the completed rollout: no pod of it is available
    // now, so the rollback constraint refuses it unless the policy drops that evidence requirement.
    const action: ActionProposal = { kind: 'rollbackDeployment', namespace: NS, name: 'profile', ...common };
    expect((await run(action)).decision.ruleId).toBe('constraint:rollback.revision');
    const lenient = {
      ...bench,
      constraints: { ...bench.constraints, rollback: { requireAvailablePod: false } },
    };
    const result = await execute(action, {
      policy: lenient,
      approver: denyingApprover,
      audit,
      clients,
      verifier: readBackVerifier({ timeoutMs: 20_000, pollMs: 100 }),
    });
    expect(result.status, result.message).toBe('verified');
    expect((await envOf()).map((e) => e.name)).not.toContain('BAR');
  });

  it('refuses a nodeSelector no node satisfies before the dry run (node-selector constraint)', async () => {
    const since = server.requestLog.at(-1)?.seq ?? 0;
    const result = await run({
      kind: 'patchNodeSelector',
      namespace: NS,
      name: 'profile',
      nodeSelector: { 'kubernetes.io/hostname': 'nowhere' },
      ...common,
    });
    expect(result.status, result.message).toBe('denied');
    expect(result.decision.ruleId).toBe('constraint:node-selector.unsatisfiable');
    expect(writesSince(server, since)).toEqual([]);
    expect((await profile()).spec?.template.spec?.nodeSelector?.['kubernetes.io/hostname']).toBeUndefined();
  });

  it('refuses a container the deployment does not have, in the dry run', async () => {
    const result = await run({
      kind: 'setImage',
      namespace: NS,
      name: 'profile',
      container: 'nope',
      // The workload's own image, so the images constraint lets it through to the dry run.
      image: 'yinfangchen/hotelreservation:latest',
      ...common,
    });
    expect(result.status).toBe('dryRunFailed');
    expect(result.dryRun?.message).toMatch(/no container "nope"/);
    expect(await verifyAuditLog(audit.path)).toMatchObject({ ok: true });
  });
});
