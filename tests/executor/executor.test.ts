import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import type { ActionProposal } from '../../src/core/actions.js';
import { AuditEntry } from '../../src/core/audit.js';
import type { Policy } from '../../src/core/policy.js';
import type { ExecutorClients } from '../../src/executor/actions/types.js';
import { denyingApprover, preApprovedApprover } from '../../src/executor/approval.js';
import { AuditLog, verifyAuditLog } from '../../src/executor/audit-log.js';
import type { ExecuteOptions } from '../../src/executor/executor.js';
import { execute } from '../../src/executor/executor.js';
import { loadPolicy } from '../../src/executor/load-policy.js';
import { readBackVerifier } from '../../src/executor/verifier.js';
import { NS, clientsFor, startSim, widened, writesSince } from './sim-fixture.js';

let server: SimServer;
let dir: string;
let audit: AuditLog;
let clients: ExecutorClients;
let standard: Policy;

const common = { rationale: 'test', evidence: ['ev-1'] };
const scaleGeo = (replicas: number): ActionProposal => ({
  kind: 'scaleDeployment',
  namespace: NS,
  name: 'geo',
  replicas,
  ...common,
});

function options(more: Partial<ExecuteOptions> = {}): ExecuteOptions {
  return {
    policy: standard,
    approver: denyingApprover,
    audit,
    clients,
    verifier: readBackVerifier({ timeoutMs: 20_000, pollMs: 100 }),
    ...more,
  };
}

const lastSeq = () => server.requestLog.at(-1)?.seq ?? 0;

beforeAll(async () => {
  server = await startSim(21);
  dir = await mkdtemp(join(tmpdir(), 'aoi-executor-'));
  audit = await AuditLog.open(join(dir, 'audit.jsonl'));
  clients = clientsFor(server, 'executor');
  // Widened: the rollback tests need a setImage from an unknown registry to reach verification.
  standard = widened(await loadPolicy('standard'));
});

afterAll(async () => {
  await audit.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('execute against the simulated cluster (executor token)', () => {
  it('writes nothing when the policy denies', async () => {
    const since = lastSeq();
    const result = await execute(scaleGeo(2), options({ policy: await loadPolicy('default') }));
    expect(result).toMatchObject({ status: 'denied', decision: { effect: 'deny', ruleId: null } });
    expect(writesSince(server, since)).toEqual([]);
  });

  it('a dry run changes nothing and reaches the server as dryRun', async () => {
    const before = await clients.apps.readNamespacedDeployment({ name: 'geo', namespace: NS });
    const since = lastSeq();
    const result = await execute(scaleGeo(2), options({ dryRunOnly: true }));
    expect(result.status).toBe('dryRunOnly');
    expect(result.blastRadius?.objects).toEqual([`deployment/${NS}/geo`]);
    const after = await clients.apps.readNamespacedDeployment({ name: 'geo', namespace: NS });
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(after.spec?.replicas).toBe(1);
    const writes = writesSince(server, since);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((w) => w.dryRun && w.role === 'executor' && w.status === 200)).toBe(true);
  });

  it('an approve rule with the denying approver is rejected without a write', async () => {
    const since = lastSeq();
    const action: ActionProposal = {
      kind: 'setEnv',
      namespace: NS,
      name: 'geo',
      container: 'hotel-reserv-geo',
      env: { LOG_LEVEL: 'debug' },
      ...common,
    };
    const result = await execute(action, options());
    expect(result).toMatchObject({ status: 'rejected', decision: { effect: 'approve' } });
    expect(writesSince(server, since).every((w) => w.dryRun)).toBe(true);
  });

  it('applies an allowed scale and verifies the rollout', async () => {
    const result = await execute(scaleGeo(2), options());
    expect(result.status, result.message).toBe('verified');
    expect(result.decision.ruleId).toBe('scale-within-limits');
    expect(result.preImage).toMatchObject({ replicas: 1 });
    const d = await clients.apps.readNamespacedDeployment({ name: 'geo', namespace: NS });
    expect(d.spec?.replicas).toBe(2);
    expect(d.status?.availableReplicas).toBe(2);
  });

  it('rolls a setImage to a missing image back to the pre-image', async () => {
    const before = await clients.apps.readNamespacedDeployment({ name: 'geo', namespace: NS });
    const image = before.spec!.template.spec!.containers[0]!.image;
    const action: ActionProposal = {
      kind: 'setImage',
      namespace: NS,
      name: 'geo',
      container: 'hotel-reserv-geo',
      image: 'example.invalid/no-such-image:0.0.0',
      ...common,
    };
    const result = await execute(action, options({ approver: preApprovedApprover(['setImage']) }));
    expect(result.status, result.message).toBe('rolledBack');
    expect(result.verification?.message).toMatch(/ErrImagePull|ImagePullBackOff/);
    const after = await clients.apps.readNamespacedDeployment({ name: 'geo', namespace: NS });
    expect(after.spec?.template.spec?.containers[0]?.image).toBe(image);
    expect(after.spec?.template).toEqual(before.spec?.template);
  });

  it('patches a service port and verifies it by reading it back', async () => {
    const action: ActionProposal = {
      kind: 'patchService',
      namespace: NS,
      name: 'geo',
      ports: [{ name: '8083', port: 8083, targetPort: 8083 }],
      ...common,
    };
    const result = await execute(action, options({ approver: preApprovedApprover(['patchService']) }));
    expect(result.status, result.message).toBe('verified');
    expect(result.decision.effect).toBe('approve');
  });

  it('deletes a pod and sees it replaced', async () => {
    const pods = await clients.core.listNamespacedPod({
      namespace: NS,
      labelSelector: 'io.kompose.service=rate',
    });
    const name = pods.items[0]!.metadata!.name!;
    const result = await execute({ kind: 'deletePod', namespace: NS, name, ...common }, options());
    expect(result.status, result.message).toBe('verified');
  });

  it('never lets the observer token write: the server answers 403', async () => {
    const observer = clientsFor(server, 'observer');
    const error: unknown = await observer.apps
      .patchNamespacedDeployment(
        { name: 'geo', namespace: NS, body: { spec: { replicas: 3 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<string>).code).toBe(403);
    const result = await execute(scaleGeo(3), options({ clients: observer }));
    expect(result.status).toBe('dryRunFailed');
    expect(result.dryRun?.message).toMatch(/^403 Forbidden/);
  });

  it('audited every step in an intact chain, and detects a hand-edited line', async () => {
    const text = await readFile(audit.path, 'utf8');
    const entries = text
      .trim()
      .split('\n')
      .map((l) => AuditEntry.parse(JSON.parse(l)));
    const steps = entries.map(
      (e) => `${(e.action as { step: string }).step}:${e.decision}:${e.result?.status ?? '-'}`,
    );
    expect(steps).toEqual([
      'policy:deny:skipped',
      'policy:allow:-',
      'dryRun:allow:skipped',
      'policy:approve:-',
      'dryRun:approve:-',
      'approval:rejected:skipped',
      'policy:allow:-',
      'dryRun:allow:-',
      'apply:allow:applied',
      'verify:allow:applied',
      'policy:approve:-',
      'dryRun:approve:-',
      'approval:approved:-',
      'apply:approved:applied',
      'verify:approved:failed',
      'rollback:approved:rolledBack',
      'policy:approve:-',
      'dryRun:approve:-',
      'approval:approved:-',
      'apply:approved:applied',
      'verify:approved:applied',
      'policy:allow:-',
      'dryRun:allow:-',
      'apply:allow:applied',
      'verify:allow:applied',
      'policy:allow:-',
      'dryRun:allow:skipped',
    ]);
    expect(entries.find((e) => e.decision === 'approved')?.dryRun).toMatchObject({ ok: true });
    expect(await verifyAuditLog(audit.path)).toEqual({ ok: true, entries: entries.length });
    const copy = join(dir, 'tampered.jsonl');
    const lines = text.split('\n');
    lines[8] = lines[8]!.replace('"status":"applied"', '"status":"skipped"');
    await writeFile(copy, lines.join('\n'));
    expect(await verifyAuditLog(copy)).toMatchObject({ ok: false, seq: 9 });
  });
});
