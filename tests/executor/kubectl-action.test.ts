import { existsSync } from 'node:fs';
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
import { NS, clientsWithKubectl, startSim, widened, writesSince } from './sim-fixture.js';

let server: SimServer;
let dir: string;
let audit: AuditLog;
let clients: ExecutorClients;
let bench: Policy;

const kubectl = (argv: string[]): ActionProposal => ({
  kind: 'kubectl',
  argv,
  rationale: 'test',
  evidence: ['ev-1'],
});
const run = (argv: string[]) =>
  execute(kubectl(argv), { policy: bench, approver: denyingApprover, audit, clients });
const lastSeq = () => server.requestLog.at(-1)?.seq ?? 0;

beforeAll(async () => {
  server = await startSim(5);
  dir = await mkdtemp(join(tmpdir(), 'aoi-kubectl-action-'));
  clients = await clientsWithKubectl(server, dir);
  audit = await AuditLog.open(join(dir, 'audit.jsonl'));
  // Widened: kubectl writes are refused by default (constraints.kubectlWrites); these tests run them.
  bench = widened(await loadPolicy('bench', undefined, { problemNamespace: NS }));
  await clients.core.createNamespacedConfigMap({
    namespace: NS,
    body: { metadata: { name: 'flags' }, data: { mode: 'on' } },
  });
});

afterAll(async () => {
  await audit.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the kubectl action (real kubectl, argv only)', () => {
  it('patches a configmap after a server-side dry run, as the executor', async () => {
    const since = lastSeq();
    const result = await run([
      'patch',
      'configmap',
      'flags',
      '-n',
      NS,
      '--type',
      'merge',
      '-p',
      '{"data":{"mode":"off"}}',
    ]);
    expect(result.status, result.message).toBe('verified');
    expect(result.decision.ruleId).toBe('bench-kubectl-patches');
    expect(result.preImage?.['object']).toContain('"mode": "on"');
    const cm = await clients.core.readNamespacedConfigMap({ name: 'flags', namespace: NS });
    expect(cm.data).toEqual({ mode: 'off' });
    const patches = writesSince(server, since).filter((w) => w.verb === 'patch');
    expect(patches.map((w) => [w.dryRun, w.role])).toEqual([
      [true, 'executor'],
      [false, 'executor'],
    ]);
  });

  it.each([
    [['exec', 'geo-0', '--', 'sh'], /verb "exec"/],
    [['get', 'pods', '-n', NS, '--token', 'stolen'], /flag "--token"/],
    [['apply', '-f', '-'], /verb "apply"/],
    [['get', 'pods', '-n', NS, '--kubeconfig=/etc/admin.conf'], /flag "--kubeconfig"/],
  ])('refuses %j before running anything', async (argv, reason) => {
    const since = lastSeq();
    const result = await run(argv);
    expect(result.status).toBe('denied');
    expect(result.decision).toMatchObject({ ruleId: 'builtin:kubectl-argv' });
    expect(result.decision.reason).toMatch(reason);
    expect(server.requestLog.filter((e) => e.seq > since)).toEqual([]);
  });

  it('passes shell metacharacters to kubectl as inert text', async () => {
    const marker = join(dir, 'aoi-pwned');
    const result = await run(['get', 'configmap', '$(touch aoi-pwned);true`touch aoi-pwned`', '-n', NS]);
    expect(result.status).toBe('failed');
    expect(result.message, result.message).toMatch(/NotFound|not found/);
    expect(existsSync(marker)).toBe(false);
  });

  it('runs an allowed read and denies a write outside the bench namespaces', async () => {
    expect((await run(['get', 'configmap', 'flags', '-n', NS, '-o', 'name'])).status).toBe('verified');
    const denied = await run(['patch', 'configmap', 'flags', '-n', 'default', '-p', '{}']);
    expect(denied).toMatchObject({ status: 'denied', decision: { ruleId: 'builtin:forbidden-namespace' } });
    expect(await verifyAuditLog(audit.path)).toMatchObject({ ok: true });
  });
});
