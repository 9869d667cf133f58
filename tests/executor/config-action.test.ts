/**
 * setConfigValue through execute() against the HTTPS simulator: policy, dry run, apply, verify, rollback to the
 * exact old text, and the refusals (missing key, bad parse, wrong format, new structure, non-mapping parent).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import type { ActionProposal } from '../../src/core/actions.js';
import { ActionProposal as ActionSchema } from '../../src/core/actions.js';
import type { Policy } from '../../src/core/policy.js';
import { changeText } from '../../src/executor/actions/config.js';
import type { ExecutorClients } from '../../src/executor/actions/types.js';
import { preApprovedApprover } from '../../src/executor/approval.js';
import { AuditLog, verifyAuditLog } from '../../src/executor/audit-log.js';
import type { ExecuteOptions } from '../../src/executor/executor.js';
import { execute } from '../../src/executor/executor.js';
import { loadPolicy } from '../../src/executor/load-policy.js';
import { decide } from '../../src/executor/policy-engine.js';
import { readBackVerifier } from '../../src/executor/verifier.js';
import { NS, clientsFor, startSim, writesSince } from './sim-fixture.js';

/** Four-space JSON with no trailing newline: a rollback must bring back exactly these bytes. */
const JSON_TEXT =
  '{\n    "flags": {\n        "ad": { "defaultVariant": "on", "state": "ENABLED" }\n    },\n    "list": [1]\n}';
const YAML_TEXT = [
  '# mongod settings',
  'net:',
  '  port: 27017',
  '  tls:',
  '    mode: requireTLS # the fault',
  '    certificateKeyFile: /etc/tls/mongo.pem',
  'storage:',
  '  dbPath: /data/db',
  '',
].join('\n');

let server: SimServer;
let dir: string;
let audit: AuditLog;
let clients: ExecutorClients;
let bench: Policy;
let standard: Policy;
const ev = { rationale: 'test', evidence: ['ev-1'] };
const lastSeq = () => server.requestLog.at(-1)?.seq ?? 0;

const setJson = (path: string[], value: string | number | boolean | null, more = {}): ActionProposal => ({
  kind: 'setConfigValue',
  namespace: NS,
  name: 'app-config',
  key: 'config.json',
  format: 'json',
  path,
  value,
  ...ev,
  ...more,
});
const setYaml = (path: string[], value: string | number | boolean | null, more = {}): ActionProposal => ({
  kind: 'setConfigValue',
  namespace: NS,
  name: 'mongo-config',
  key: 'mongod.conf',
  format: 'yaml',
  path,
  value,
  ...ev,
  ...more,
});

function options(more: Partial<ExecuteOptions> = {}): ExecuteOptions {
  return {
    policy: bench,
    approver: preApprovedApprover(['*']),
    audit,
    clients,
    verifier: readBackVerifier({ timeoutMs: 10_000, pollMs: 100 }),
    ...more,
  };
}

async function text(name: string, key: string): Promise<string | undefined> {
  return (await clients.core.readNamespacedConfigMap({ name, namespace: NS })).data?.[key];
}

async function reset(): Promise<void> {
  for (const [name, key, value] of [
    ['app-config', 'config.json', JSON_TEXT],
    ['mongo-config', 'mongod.conf', YAML_TEXT],
  ] as const)
    await clients.core.replaceNamespacedConfigMap({
      name,
      namespace: NS,
      body: { metadata: { name }, data: { [key]: value, 'broken.json': '{"a": ', other: 'x' } },
    });
}

const ANY_PATH = [1, 2, 3, 4].map((n) => Array.from({ length: n }, () => '*'));
function withAnyValue(policy: Policy): Policy {
  const grant = {
    namespaces: ['*'],
    configMaps: ['app-config', 'mongo-config'],
    keys: ['*'],
    paths: ANY_PATH,
  };
  const constraints = policy.constraints ?? {};
  return {
    ...policy,
    constraints: { ...constraints, configValues: [...(constraints.configValues ?? []), grant] },
  };
}

beforeAll(async () => {
  server = await startSim(41);
  dir = await mkdtemp(join(tmpdir(), 'aoi-config-'));
  audit = await AuditLog.open(join(dir, 'audit.jsonl'));
  clients = clientsFor(server, 'executor');
  // These tests are about the handler and the rules: the shipped grants (flags off, TLS mode disabled) are
  // widened to any value of the test's ConfigMaps. The configValues constraint has its own tests.
  bench = withAnyValue(await loadPolicy('bench', undefined, { problemNamespace: NS }));
  standard = withAnyValue(await loadPolicy('standard'));
  for (const name of ['app-config', 'mongo-config'])
    await clients.core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name }, data: {} } });
  await reset();
  // A workload that reads the ConfigMap (replicas 0: no pods), for the blast radius.
  await clients.apps.createNamespacedDeployment({
    namespace: NS,
    body: {
      metadata: { name: 'config-reader' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'config-reader' } },
        template: {
          metadata: { labels: { app: 'config-reader' } },
          spec: {
            containers: [
              { name: 'c', image: 'busybox:1', envFrom: [{ configMapRef: { name: 'app-config' } }] },
            ],
          },
        },
      },
    },
  });
});

afterAll(async () => {
  await audit.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('setConfigValue: the schema', () => {
  it.each([
    ['an empty path', { path: [] }],
    ['a __proto__ segment', { path: ['__proto__', 'polluted'] }],
    ['a constructor segment', { path: ['flags', 'constructor'] }],
    ['a prototype segment', { path: ['prototype'] }],
    ['a control character', { path: ['a\nb'] }],
    ['a 129-character key', { path: ['k'.repeat(129)] }],
    ['17 segments', { path: Array.from({ length: 17 }, () => 'a') }],
    ['an object value', { value: { a: 1 } }],
    ['a 4097-character value', { value: 'x'.repeat(4097) }],
    ['an infinite number', { value: Number.POSITIVE_INFINITY }],
    ['a bad format', { format: 'toml' }],
    ['a bad key', { key: 'a/b' }],
  ])('refuses %s', (_label, change) => {
    expect(
      ActionSchema.safeParse({ ...setJson(['flags', 'ad', 'defaultVariant'], 'off'), ...change }).success,
    ).toBe(false);
  });
});

describe('setConfigValue: the policy', () => {
  it.each<[string, 'bench' | 'standard', ActionProposal, string]>([
    ["bench allows it in the problem's namespace", 'bench', setJson(['list'], 1), 'allow'],
    ['standard asks for approval', 'standard', setJson(['list'], 1), 'approve'],
    ['bench denies another namespace', 'bench', setJson(['list'], 1, { namespace: 'prod' }), 'deny'],
    ['kube-system is forbidden', 'standard', setJson(['list'], 1, { namespace: 'kube-system' }), 'deny'],
  ])('%s', async (_label, which, action, effect) => {
    const since = lastSeq();
    const result = await execute(
      action,
      options({ policy: which === 'standard' ? standard : bench, dryRunOnly: true }),
    );
    expect(result.decision.effect).toBe(effect);
    if (effect === 'deny') expect(writesSince(server, since)).toEqual([]);
  });
});

describe('setConfigValue: dry run, apply, verify, rollback', () => {
  it('a dry run reaches the server as dryRun and changes nothing', async () => {
    const before = await clients.core.readNamespacedConfigMap({ name: 'app-config', namespace: NS });
    const since = lastSeq();
    const result = await execute(
      setJson(['flags', 'ad', 'defaultVariant'], 'off'),
      options({ dryRunOnly: true }),
    );
    expect(result.status, result.message).toBe('dryRunOnly');
    expect(result.message).toContain('flags.ad.defaultVariant "on" → "off"');
    expect(result.blastRadius?.objects).toEqual([
      `configmap/${NS}/app-config`,
      `deployment/${NS}/config-reader`,
    ]);
    const after = await clients.core.readNamespacedConfigMap({ name: 'app-config', namespace: NS });
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    const writes = writesSince(server, since);
    expect(writes.length).toBe(1);
    expect(writes.every((w) => w.dryRun && w.role === 'executor')).toBe(true);
  });

  it('JSON: sets the value, patches only that key, verifies; 2-space output', async () => {
    const result = await execute(setJson(['flags', 'ad', 'defaultVariant'], 'off'), options());
    expect(result.status, result.message).toBe('verified');
    expect(result.preImage).toMatchObject({ kind: 'ConfigMap', key: 'config.json', text: JSON_TEXT });
    expect(result.auditId).toBeGreaterThan(0);
    const now = await text('app-config', 'config.json');
    expect(now).toBe(
      JSON.stringify({ flags: { ad: { defaultVariant: 'off', state: 'ENABLED' } }, list: [1] }, null, 2),
    );
    expect(await text('app-config', 'other')).toBe('x');
    await reset();
  });

  it('YAML: keeps comments and the other keys; null removes a key', async () => {
    const set = await execute(setYaml(['net', 'tls', 'mode'], 'disabled'), options());
    expect(set.status, set.message).toBe('verified');
    const after = (await text('mongo-config', 'mongod.conf'))!;
    expect(parse(after)).toEqual({
      net: { port: 27017, tls: { mode: 'disabled', certificateKeyFile: '/etc/tls/mongo.pem' } },
      storage: { dbPath: '/data/db' },
    });
    expect(after).toContain('# mongod settings');
    const removed = await execute(setYaml(['net', 'tls', 'certificateKeyFile'], null), options());
    expect(removed.status, removed.message).toBe('verified');
    expect(parse((await text('mongo-config', 'mongod.conf'))!)).toMatchObject({
      net: { tls: { mode: 'disabled' } },
    });
    const conf = parse((await text('mongo-config', 'mongod.conf'))!) as { net: { tls: object } };
    expect(conf.net.tls).not.toHaveProperty('certificateKeyFile');
    await reset();
  });

  it('a failed verification rolls the key back to the exact old text', async () => {
    const failing = { verify: () => Promise.resolve({ ok: false as const, message: 'symptoms persist' }) };
    for (const [action, name, key, old] of [
      [setJson(['list'], 7), 'app-config', 'config.json', JSON_TEXT],
      [setYaml(['net', 'port'], 27018), 'mongo-config', 'mongod.conf', YAML_TEXT],
    ] as const) {
      const result = await execute(action, options({ verifier: failing }));
      expect(result.status, result.message).toBe('rolledBack');
      expect(await text(name, key)).toBe(old);
    }
    expect(await verifyAuditLog(audit.path)).toMatchObject({ ok: true });
  });
});

describe('setConfigValue: refusals (nothing written)', () => {
  it.each<[string, ActionProposal, RegExp]>([
    ['a missing key', setJson(['list'], 1, { key: 'nope.json' }), /no data key "nope.json"/],
    ['text that does not parse', setJson(['a'], 1, { key: 'broken.json' }), /not valid JSON/],
    ['JSON asked of YAML text', setYaml(['net', 'port'], 1, { format: 'json' }), /not valid JSON/],
    ['YAML asked of JSON text', setJson(['list'], 1, { format: 'yaml' }), /holds JSON; use format "json"/],
    ['new deep structure', setJson(['flags', 'new', 'defaultVariant'], 'off'), /flags\.new does not exist/],
    ['a non-mapping parent (array)', setJson(['list', '0'], 1), /list is not a mapping/],
    [
      'a non-mapping parent (scalar)',
      setJson(['flags', 'ad', 'state', 'x'], 1),
      /flags\.ad\.state is not a mapping/,
    ],
    ['a scalar document', setJson(['a'], 1, { key: 'other' }), /not valid JSON/],
  ])('%s → dryRunFailed', async (_label, action, reason) => {
    const since = lastSeq();
    const result = await execute(action, options());
    expect(result.status, result.message).toBe('dryRunFailed');
    expect(result.message).toMatch(reason);
    expect(writesSince(server, since).filter((w) => !w.dryRun)).toEqual([]);
  });

  it('a missing ConfigMap → denied before the dry run (the target could not be read)', async () => {
    const since = lastSeq();
    const result = await execute(setJson(['list'], 1, { name: 'nope' }), options());
    expect(result.status, result.message).toBe('denied');
    expect(result.decision.ruleId).toBe('constraint:protected');
    expect(writesSince(server, since)).toEqual([]);
  });

  it('the policy refuses a prototype path even when the schema was bypassed', () => {
    for (const path of [['__proto__', 'x'], ['a', 'constructor'], ['prototype'], []]) {
      const decision = decide({ ...setJson(['a'], 1), path } as ActionProposal, bench, {
        namespace: NS,
        actionsSoFar: 0,
      });
      expect(decision).toMatchObject({ effect: 'deny', ruleId: 'builtin:invalid-value' });
    }
  });

  it('changeText never writes through the prototype', () => {
    const hostile = { ...setJson(['__proto__', 'polluted'], 'yes') } as Parameters<typeof changeText>[0];
    expect(() => changeText(hostile, JSON_TEXT)).toThrow(/not allowed/);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
