/**
 * rollbackApplied: undo by the audit id of an apply step, through the action's own rollback, policy-checked,
 * refusing what was never applied, was already undone, cannot be undone or has changed since.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import type { ActionProposal } from '../../src/core/actions.js';
import { AuditEntry } from '../../src/core/audit.js';
import type { Policy } from '../../src/core/policy.js';
import type { ExecutorClients } from '../../src/executor/actions/types.js';
import { denyingApprover, preApprovedApprover, unattendedApprover } from '../../src/executor/approval.js';
import { AuditLog, verifyAuditLog } from '../../src/executor/audit-log.js';
import { execute } from '../../src/executor/executor.js';
import { loadPolicy } from '../../src/executor/load-policy.js';
import type { RollbackOptions } from '../../src/executor/rollback.js';
import { rollbackApplied } from '../../src/executor/rollback.js';
import { readBackVerifier } from '../../src/executor/verifier.js';
import { NS, clientsWithKubectl, startSim, widened, writesSince } from './sim-fixture.js';

let server: SimServer;
let dir: string;
let audit: AuditLog;
let clients: ExecutorClients;
let bench: Policy;
let standard: Policy;
const ev = { rationale: 'test', evidence: ['ev-1'] };
const scaleGeo = (replicas: number): ActionProposal => ({
  kind: 'scaleDeployment',
  namespace: NS,
  name: 'geo',
  replicas,
  ...ev,
});
const lastSeq = () => server.requestLog.at(-1)?.seq ?? 0;

async function run(action: ActionProposal) {
  const result = await execute(action, {
    policy: bench,
    approver: preApprovedApprover(['*']),
    audit,
    clients,
    verifier: readBackVerifier({ timeoutMs: 20_000, pollMs: 100 }),
  });
  expect(result.status, result.message).toBe('verified');
  return result.auditId!;
}

const undo = (id: number, more: Partial<RollbackOptions> = {}) =>
  rollbackApplied(id, { policy: bench, approver: preApprovedApprover(['*']), audit, clients, ...more });

async function entries(): Promise<AuditEntry[]> {
  const text = await readFile(audit.path, 'utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => AuditEntry.parse(JSON.parse(l)));
}

const replicas = async () =>
  (await clients.apps.readNamespacedDeployment({ name: 'geo', namespace: NS })).spec?.replicas;

beforeAll(async () => {
  server = await startSim(71);
  dir = await mkdtemp(join(tmpdir(), 'aoi-rollback-'));
  audit = await AuditLog.open(join(dir, 'audit.jsonl'));
  clients = await clientsWithKubectl(server, dir);
  // Widened: these tests undo large scale-downs and kubectl patches, which the constraints refuse up front.
  bench = widened(await loadPolicy('bench', undefined, { problemNamespace: NS }));
  standard = widened(await loadPolicy('standard'));
  await clients.core.createNamespacedConfigMap({
    namespace: NS,
    body: { metadata: { name: 'k' }, data: { a: '1' } },
  });
});

afterAll(async () => {
  await audit.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('rollbackApplied', () => {
  it('the apply entry carries the pre-image and a digest of the state after it; later steps name it', async () => {
    const id = await run(scaleGeo(2));
    const all = await entries();
    const apply = all.find((e) => e.seq === id)!;
    expect(apply.action).toMatchObject({ step: 'apply', preImage: { kind: 'Deployment', replicas: 1 } });
    expect((apply.action as { postImageDigest: string }).postImageDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(all.find((e) => e.seq > id)?.action).toMatchObject({ step: 'verify', applySeq: id });
  });

  it('restores a Deployment, audits the rollback as a new entry, and refuses a second rollback', async () => {
    const id = (await entries()).find((e) => (e.action as { step: string }).step === 'apply')!.seq;
    expect(await replicas()).toBe(2);
    const result = await undo(id);
    expect(result.status, result.message).toBe('rolledBack');
    expect(await replicas()).toBe(1);
    const last = (await entries()).at(-1)!;
    expect(last).toMatchObject({
      seq: result.auditId,
      decision: 'allow',
      policyRule: 'bench-typed-actions',
      action: { step: 'rollback', rollbackOf: id },
      result: { status: 'rolledBack' },
    });
    const again = await undo(id);
    expect(again).toMatchObject({ status: 'refused' });
    expect(again.message).toContain(`already rolled back (audit #${last.seq})`);
  });

  it('refuses an object changed since the apply, writing nothing', async () => {
    const id = await run(scaleGeo(2));
    await run(scaleGeo(3));
    const since = lastSeq();
    const result = await undo(id);
    expect(result).toMatchObject({ status: 'refused' });
    expect(result.message).toContain('has changed since it was applied');
    expect(writesSince(server, since)).toEqual([]);
    expect(await replicas()).toBe(3);
  });

  it('is policy-checked: deny writes nothing; approve without an approver is rejected', async () => {
    const id = await run(scaleGeo(1));
    const since = lastSeq();
    const denied = await undo(id, { policy: await loadPolicy('default') });
    expect(denied).toMatchObject({ status: 'denied', decision: { effect: 'deny' } });
    const custom: Policy = {
      ...standard,
      rules: [{ id: 'ask', match: { actions: ['*'] }, effect: 'approve' }],
    };
    const rejected = await undo(id, { policy: custom, approver: denyingApprover });
    expect(rejected).toMatchObject({ status: 'rejected', decision: { effect: 'approve', ruleId: 'ask' } });
    // No terminal and no --approve: not asked, and recorded so, not as a rejection (issue 14 item 5).
    const notAsked = await undo(id, { policy: custom, approver: unattendedApprover });
    expect(notAsked).toMatchObject({ status: 'notAsked', decision: { effect: 'approve', ruleId: 'ask' } });
    expect((await entries()).find((e) => e.seq === notAsked.auditId)).toMatchObject({
      decision: 'not-asked',
      result: { status: 'skipped' },
    });
    expect(writesSince(server, since)).toEqual([]);
    expect(await replicas()).toBe(1);
  });

  it('refuses an id that is not an apply, does not exist, or cannot be undone (kubectl)', async () => {
    const policyEntry = (await entries()).find((e) => (e.action as { step: string }).step === 'policy')!;
    expect((await undo(policyEntry.seq)).message).toMatch(
      /is not an applied action \(it records step policy/,
    );
    expect((await undo(10_000)).message).toMatch(/does not exist/);
    const kubectlId = await run({
      kind: 'kubectl',
      argv: ['patch', 'configmap', 'k', '-n', NS, '--type', 'merge', '-p', '{"data":{"a":"2"}}'],
      ...ev,
    });
    expect((await undo(kubectlId)).message).toMatch(/kubectl cannot be rolled back/);
    expect(await verifyAuditLog(audit.path)).toMatchObject({ ok: true });
  });
});
