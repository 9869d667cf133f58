/**
 * releaseVolume through execute() against the redeploy_without_PV simulator: the volumes are Released with
 * claimRefs naming the deleted claims. Policy on claimNamespace, dry run, apply, verify, rollback restoring the
 * exact claimRef, and the refusals (not Released, claimRef mismatch).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1PersistentVolume } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCluster } from '../../aiopslab-harness/bench/environment.js';
import { loadProblems } from '../../aiopslab-harness/bench/load-problems.js';
import { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import type { ActionProposal } from '../../src/core/actions.js';
import { ActionProposal as ActionSchema } from '../../src/core/actions.js';
import type { Policy } from '../../src/core/policy.js';
import type { ExecutorClients } from '../../src/executor/actions/types.js';
import { preApprovedApprover } from '../../src/executor/approval.js';
import { AuditLog, verifyAuditLog } from '../../src/executor/audit-log.js';
import type { ExecuteOptions } from '../../src/executor/executor.js';
import { execute } from '../../src/executor/executor.js';
import { loadPolicy } from '../../src/executor/load-policy.js';
import { decide } from '../../src/executor/policy-engine.js';
import { rollbackApplied } from '../../src/executor/rollback.js';
import { readBackVerifier } from '../../src/executor/verifier.js';
import { clientsFor, writesSince } from './sim-fixture.js';

let server: SimServer;
let dir: string;
let audit: AuditLog;
let clients: ExecutorClients;
let bench: Policy;
let ns: string;
let released: V1PersistentVolume[];
const ev = { rationale: 'test', evidence: ['ev-1'] };
const lastSeq = () => server.requestLog.at(-1)?.seq ?? 0;

const release = (pv: V1PersistentVolume, more: Partial<Record<string, string>> = {}): ActionProposal => ({
  kind: 'releaseVolume',
  name: pv.metadata!.name!,
  claimNamespace: pv.spec!.claimRef!.namespace!,
  claim: pv.spec!.claimRef!.name!,
  ...ev,
  ...more,
});

function options(more: Partial<ExecuteOptions> = {}): ExecuteOptions {
  return {
    policy: bench,
    approver: preApprovedApprover(['*']),
    audit,
    clients,
    verifier: readBackVerifier({ timeoutMs: 15_000, pollMs: 100 }),
    ...more,
  };
}

const readPv = (name: string) => clients.core.readPersistentVolume({ name });

beforeAll(async () => {
  const problem = (await loadProblems()).find((p) => p.id === 'redeploy_without_PV-mitigation-1');
  if (!problem) throw new Error('no redeploy_without_PV problem');
  ns = problem.namespace;
  server = await SimServer.start({ cluster: prepareCluster(problem, 5), realtime: true, speed: 20 });
  dir = await mkdtemp(join(tmpdir(), 'aoi-volume-'));
  audit = await AuditLog.open(join(dir, 'audit.jsonl'));
  clients = clientsFor(server, 'executor');
  bench = await loadPolicy('bench', undefined, { problemNamespace: ns });
  released = (await clients.core.listPersistentVolume()).items.filter(
    (pv) => pv.status?.phase === 'Released' && pv.spec?.claimRef?.namespace === ns,
  );
  expect(released.length).toBeGreaterThanOrEqual(3);
});

afterAll(async () => {
  await audit.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('releaseVolume: schema and policy', () => {
  it('takes its namespace from claimNamespace; a different namespace is refused', () => {
    const parsed = ActionSchema.parse({
      kind: 'releaseVolume',
      name: 'pv-1',
      claimNamespace: 'test-a',
      claim: 'c',
      ...ev,
    });
    expect(parsed).toMatchObject({ namespace: 'test-a' });
    const other = {
      kind: 'releaseVolume',
      name: 'pv-1',
      claimNamespace: 'test-a',
      claim: 'c',
      namespace: 'b',
      ...ev,
    };
    expect(ActionSchema.safeParse(other).success).toBe(false);
  });

  it.each<[string, string, 'allow' | 'deny', string | null]>([
    ["the problem's namespace", 'test-hotel-reservation', 'allow', 'bench-typed-actions'],
    ['another AIOpsLab namespace', 'test-social-network', 'deny', null],
    ['astronomy-shop', 'astronomy-shop', 'deny', null],
    ['another namespace', 'prod', 'deny', null],
    ['kube-system', 'kube-system', 'deny', 'builtin:forbidden-namespace'],
  ])('bench on %s → %s', (_label, claimNamespace, effect, rule) => {
    const action = ActionSchema.parse({
      kind: 'releaseVolume',
      name: 'pv-1',
      claimNamespace,
      claim: 'c',
      ...ev,
    });
    expect(decide(action, bench, { namespace: claimNamespace, actionsSoFar: 0 })).toMatchObject({
      effect,
      ruleId: rule,
    });
  });

  it('a kubectl patch of the same PV is refused whatever its -n says', async () => {
    const since = lastSeq();
    const pv = released[0]!.metadata!.name!;
    const result = await execute(
      { kind: 'kubectl', argv: ['patch', 'pv', pv, '-n', ns, '--type', 'json', '-p', '[]'], ...ev },
      options(),
    );
    expect(result.status).toBe('denied');
    expect(result.decision).toMatchObject({ ruleId: 'builtin:kubectl-argv' });
    expect(result.message).toMatch(/releaseVolume/);
    expect(writesSince(server, since)).toEqual([]);
  });
});

describe('releaseVolume: refusals, dry run, apply, rollback', () => {
  it('a claimRef mismatch is refused with the reason, nothing written', async () => {
    const since = lastSeq();
    const result = await execute(release(released[0]!, { claim: 'someone-else' }), options());
    expect(result.status).toBe('dryRunFailed');
    expect(result.message).toMatch(/was claimed by .*, not .*\/someone-else; refusing/);
    expect(writesSince(server, since)).toEqual([]);
  });

  it('a dry run reaches the server as dryRun and leaves the claimRef', async () => {
    const pv = released[0]!;
    const since = lastSeq();
    const result = await execute(release(pv), options({ dryRunOnly: true }));
    expect(result.status, result.message).toBe('dryRunOnly');
    expect(result.blastRadius?.objects).toEqual([`persistentvolume/${pv.metadata!.name!}`]);
    expect(writesSince(server, since).every((w) => w.dryRun)).toBe(true);
    const after = await readPv(pv.metadata!.name!);
    expect(after.spec?.claimRef).toEqual(pv.spec?.claimRef);
    expect(after.status?.phase).toBe('Released');
  });

  it('a failed verification puts the exact claimRef back', async () => {
    const pv = released[1]!;
    const failing = { verify: () => Promise.resolve({ ok: false as const, message: 'symptoms persist' }) };
    const result = await execute(release(pv), options({ verifier: failing }));
    expect(result.status, result.message).toBe('rolledBack');
    expect(result.preImage).toMatchObject({
      claimRef: JSON.parse(JSON.stringify(pv.spec!.claimRef)) as object,
    });
    expect((await readPv(pv.metadata!.name!)).spec?.claimRef).toEqual(pv.spec?.claimRef);
  });

  it('applies and verifies: the volume is freed and bound to the re-created claim', async () => {
    const pv = released[0]!;
    const result = await execute(release(pv), options());
    expect(result.status, result.message).toBe('verified');
    expect(result.preImage).toMatchObject({ claimRef: { name: pv.spec!.claimRef!.name } });
    await waitForBound(pv.metadata!.name!);
    // Bound to the re-created claim now: a later rollback must not tear that binding away.
    const undo = await rollbackApplied(result.auditId!, {
      policy: bench,
      approver: preApprovedApprover(['*']),
      audit,
      clients,
    });
    expect(undo).toMatchObject({ status: 'refused' });
    expect(undo.message).toMatch(
      /is now claimed by .*; putting the old claimRef back would take the volume from it/,
    );
    expect((await readPv(pv.metadata!.name!)).status?.phase).toBe('Bound');
  });

  it('a volume that is not Released (now Bound) is refused', async () => {
    const pv = released[0]!;
    const since = lastSeq();
    const result = await execute(release(pv), options());
    expect(result.status).toBe('dryRunFailed');
    expect(result.message).toMatch(/is Bound, not Released/);
    expect(writesSince(server, since)).toEqual([]);
    expect(await verifyAuditLog(audit.path)).toMatchObject({ ok: true });
  });
});

async function waitForBound(name: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const pv = await readPv(name);
    if (pv.status?.phase === 'Bound') return;
    if (Date.now() > deadline) throw new Error(`${name} is ${pv.status?.phase ?? '?'}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
