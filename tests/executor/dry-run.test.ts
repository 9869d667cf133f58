/**
 * The server-side dry run returns the object the API server says would result, against the HTTPS simulator:
 * the diff over the action's fields comes from that object, nothing is written, and the audit log keeps only
 * ok and the note (never the objects, which may hold ConfigMap data).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import type { ActionProposal } from '../../src/core/actions.js';
import { dryRunDiff } from '../../src/executor/actions/dry-run-diff.js';
import type { ExecutorClients } from '../../src/executor/actions/types.js';
import type { ApprovalRequest } from '../../src/executor/approval.js';
import { describeRequest } from '../../src/executor/approval.js';
import { AuditLog } from '../../src/executor/audit-log.js';
import { dryRunAction, execute } from '../../src/executor/executor.js';
import { loadPolicy } from '../../src/executor/load-policy.js';
import { readBackVerifier } from '../../src/executor/verifier.js';
import { NS, clientsFor, startSim, widened, writesSince } from './sim-fixture.js';

let server: SimServer;
let dir: string;
let clients: ExecutorClients;
let container: string;
let pod: string;
const ev = { rationale: 'test', evidence: ['ev-1'] };
const lastSeq = () => server.requestLog.at(-1)?.seq ?? 0;
const SECRET_TEXT = 'db:\n  host: mongo\n  timeout: 5\npassword: hunter2hunter2\n';

beforeAll(async () => {
  server = await startSim(57);
  dir = await mkdtemp(join(tmpdir(), 'aoi-dry-run-'));
  clients = clientsFor(server, 'executor');
  const geo = await clients.apps.readNamespacedDeployment({ name: 'geo', namespace: NS });
  container = geo.spec!.template.spec!.containers[0]!.name;
  const labelSelector = Object.entries(geo.spec!.selector.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const pods = await clients.core.listNamespacedPod({ namespace: NS, labelSelector });
  pod = pods.items[0]?.metadata?.name ?? '';
  await clients.core.createNamespacedConfigMap({
    namespace: NS,
    body: { metadata: { name: 'dry-config' }, data: { 'app.yaml': SECRET_TEXT } },
  });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('dryRunAction: the server dry-run object and its diff', () => {
  const cases: [string, () => ActionProposal, () => string[]][] = [
    [
      'scaleDeployment',
      () => ({ kind: 'scaleDeployment', namespace: NS, name: 'geo', replicas: 3, ...ev }),
      () => ['- spec.replicas: 1', '+ spec.replicas: 3'],
    ],
    [
      'patchService',
      () => ({
        kind: 'patchService',
        namespace: NS,
        name: 'geo',
        ports: [{ port: 8083, targetPort: 9999 }],
        ...ev,
      }),
      () => ['- spec.ports[0].targetPort: 8083', '+ spec.ports[0].targetPort: 9999'],
    ],
    [
      'setImage',
      () => ({ kind: 'setImage', namespace: NS, name: 'geo', container, image: 'geo:v2', ...ev }),
      () => [`+ ${container}.image: "geo:v2"`],
    ],
    [
      'setCommand',
      () => ({
        kind: 'setCommand',
        namespace: NS,
        name: 'geo',
        container,
        command: ['geo', '--fast'],
        ...ev,
      }),
      () => [`+ ${container}.command[1]: "--fast"`],
    ],
    [
      'patchNodeSelector',
      () => ({
        kind: 'patchNodeSelector',
        namespace: NS,
        name: 'geo',
        nodeSelector: { disk: 'ssd' },
        ...ev,
      }),
      () => ['+ nodeSelector.disk: "ssd"'],
    ],
    [
      'setConfigValue (redacted text lines)',
      () => ({
        kind: 'setConfigValue',
        namespace: NS,
        name: 'dry-config',
        key: 'app.yaml',
        format: 'yaml',
        path: ['db', 'timeout'],
        value: 30,
        ...ev,
      }),
      () => ['- data.app.yaml|   timeout: 5', '+ data.app.yaml|   timeout: 30'],
    ],
    [
      'deletePod (the server answers with the pod it would delete)',
      () => ({ kind: 'deletePod', namespace: NS, name: pod, ...ev }),
      () => [
        `- pod: "${NS}/${pod}"`,
        '+ (deleted: the server accepted the dry-run delete; its controller replaces it)',
      ],
    ],
  ];

  it.each(cases)(
    '%s: object from the server, diff over its fields, nothing written',
    async (_l, make, want) => {
      const since = lastSeq();
      const action = make();
      const outcome = await dryRunAction(clients, action);
      expect(outcome.ok, outcome.message).toBe(true);
      expect(outcome.object).toMatchObject({ metadata: { name: 'name' in action ? action.name : '' } });
      const lines = dryRunDiff(action, outcome)!.map((l) => `${l.sign} ${l.text}`);
      for (const line of want()) expect(lines).toContain(line);
      const writes = writesSince(server, since);
      expect(writes.length).toBeGreaterThan(0);
      expect(writes.every((w) => w.dryRun)).toBe(true);
    },
  );

  it('patchService: the dry run says before → after (targetPort 8083 → 9999), never after → after', async () => {
    const action: ActionProposal = {
      kind: 'patchService',
      namespace: NS,
      name: 'geo',
      ports: [{ port: 8083, targetPort: 9999 }],
      ...ev,
    };
    const outcome = await dryRunAction(clients, action);
    expect(outcome.message).toBe('service/geo would change: port 8083: targetPort 8083 → 9999');
  });

  it('restart: the restartedAt the server would set', async () => {
    const action: ActionProposal = {
      kind: 'rolloutRestart',
      workload: 'Deployment',
      namespace: NS,
      name: 'geo',
      ...ev,
    };
    const outcome = await dryRunAction(clients, action);
    const lines = dryRunDiff(action, outcome)!;
    expect(lines.find((l) => l.sign === '+')).toMatchObject({
      sign: '+',
      text: expect.stringMatching(/restartedAt: "20\d\d-/) as unknown,
    });
  });

  it('a refused dry run carries no object, and the diff falls back (undefined)', async () => {
    const action: ActionProposal = {
      kind: 'setImage',
      namespace: NS,
      name: 'geo',
      container: 'nope',
      image: 'x:1',
      ...ev,
    };
    const outcome = await dryRunAction(clients, action);
    expect(outcome).toEqual({ ok: false, message: expect.stringMatching(/no container "nope"/) as unknown });
    expect(dryRunDiff(action, outcome)).toBeUndefined();
  });

  it('a ConfigMap secret in the diff is redacted', async () => {
    const action: ActionProposal = {
      kind: 'setConfigValue',
      namespace: NS,
      name: 'dry-config',
      key: 'app.yaml',
      format: 'yaml',
      path: ['password'],
      value: 'swordfish-swordfish',
      ...ev,
    };
    const lines = dryRunDiff(action, await dryRunAction(clients, action))!;
    const text = lines.map((l) => l.text).join('\n');
    expect(text).toContain('password: [REDACTED]');
    expect(text).not.toMatch(/hunter2|swordfish/);
  });
});

describe('dryRunDiff redacts command credentials', () => {
  it('masks a --password argument in the server object', async () => {
    const action: ActionProposal = {
      kind: 'setCommand',
      namespace: NS,
      name: 'geo',
      container,
      command: ['geo'],
      args: ['--password=hunter2hunter2'],
      ...ev,
    };
    const outcome = await dryRunAction(clients, action);
    expect(outcome.ok, outcome.message).toBe(true);
    const text = dryRunDiff(action, outcome)!
      .map((l) => `${l.sign} ${l.text}`)
      .join('\n');
    expect(text).toContain(`+ ${container}.args[0]:`);
    expect(text).not.toContain('hunter2');
  });
});

describe('execute: the approver sees the server object, the audit log does not', () => {
  it('hands the dry-run object to the approver and keeps the audit entries to ok + note', async () => {
    const audit = await AuditLog.open(join(dir, 'audit.jsonl'));
    const seen: ApprovalRequest[] = [];
    const action: ActionProposal = {
      kind: 'setConfigValue',
      namespace: NS,
      name: 'dry-config',
      key: 'app.yaml',
      format: 'yaml',
      path: ['db', 'host'],
      value: 'mongo-2',
      ...ev,
    };
    const result = await execute(action, {
      policy: widened(await loadPolicy('standard')),
      approver: {
        approve: (request) => {
          seen.push(request);
          return Promise.resolve('rejected');
        },
      },
      audit,
      clients,
      verifier: readBackVerifier({ timeoutMs: 5_000, pollMs: 100 }),
    });
    await audit.close();
    expect(result.status).toBe('rejected');
    expect(result.dryRun).toEqual({ ok: true, message: expect.any(String) as unknown });
    const request = seen[0]!;
    expect(request.dryRun.object).toMatchObject({
      kind: 'ConfigMap',
      data: { 'app.yaml': expect.stringContaining('host: mongo-2') as unknown },
    });
    const prompt = describeRequest(request);
    expect(prompt).toContain('Server dry run: the object would change');
    expect(prompt).toContain('  - data.app.yaml|   host: mongo');
    expect(prompt).toContain('  + data.app.yaml|   host: mongo-2');
    expect(prompt).not.toContain('hunter2');
    const log = await readFile(audit.path, 'utf8');
    expect(log).not.toContain('hunter2');
    expect(log).not.toContain('"object"');
    for (const line of log.trim().split('\n')) {
      const keys = Object.keys((JSON.parse(line) as { dryRun: object | null }).dryRun ?? {});
      expect(keys.filter((k) => k !== 'ok' && k !== 'message')).toEqual([]);
    }
  });
});
