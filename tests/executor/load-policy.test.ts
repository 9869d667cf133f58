import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionProposal } from '../../src/core/actions.js';
import { loadPolicy, parsePolicy, policyPath } from '../../src/executor/load-policy.js';
import { decide } from '../../src/executor/policy-engine.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-policy-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const common = { rationale: 'fix', evidence: ['ev-1'] };

describe('loadPolicy', () => {
  it.each(['default', 'standard', 'bench'])('loads the shipped %s policy', async (name) => {
    const policy = await loadPolicy(name);
    expect(policy.name).toBe(name);
    expect(policy.default).toBe('deny');
  });

  it('resolves a bare name to the shipped folder and anything else as a path', () => {
    expect(policyPath('bench', '/p')).toBe('/p/bench.yaml');
    expect(policyPath('./mine.yaml', '/p')).toBe('./mine.yaml');
  });

  it.each<[string, ActionProposal, 'allow' | 'approve' | 'deny']>([
    [
      'default',
      { kind: 'rolloutRestart', namespace: 'test-a', name: 'w', workload: 'Deployment', ...common },
      'deny',
    ],
    [
      'standard',
      { kind: 'rolloutRestart', namespace: 'shop', name: 'w', workload: 'Deployment', ...common },
      'allow',
    ],
    [
      'standard',
      { kind: 'setImage', namespace: 'shop', name: 'w', container: 'w', image: 'w:2', ...common },
      'approve',
    ],
    ['standard', { kind: 'deletePod', namespace: 'kube-system', name: 'coredns-1', ...common }, 'deny'],
    [
      'bench',
      {
        kind: 'patchService',
        namespace: 'test-hotel-reservation',
        name: 's',
        ports: [{ port: 80, targetPort: 8080 }],
        ...common,
      },
      'allow',
    ],
    [
      'bench',
      {
        kind: 'patchService',
        namespace: 'prod',
        name: 's',
        ports: [{ port: 80, targetPort: 8080 }],
        ...common,
      },
      'deny',
    ],
    [
      'bench',
      {
        kind: 'kubectl',
        argv: ['patch', 'configmap', 'flagd-config', '-n', 'astronomy-shop', '-p', '{}'],
        ...common,
      },
      // A rule allows it, the kubectl-writes constraint refuses it: no content constraint can read a patch.
      'deny',
    ],
    [
      'bench',
      {
        kind: 'kubectl',
        argv: ['patch', 'pv', 'pv-1', '-n', 'test-x', '--type=json', '-p', '[]'],
        ...common,
      },
      'deny',
    ],
    [
      'bench',
      { kind: 'releaseVolume', name: 'pv-1', claimNamespace: 'test-x', claim: 'data', ...common },
      'allow',
    ],
    [
      'bench',
      { kind: 'releaseVolume', name: 'pv-1', claimNamespace: 'prod', claim: 'data', ...common },
      'deny',
    ],
    [
      'bench',
      {
        kind: 'setConfigValue',
        namespace: 'astronomy-shop',
        name: 'flagd-config',
        key: 'demo.flagd.json',
        format: 'json',
        path: ['flags', 'adFailure', 'defaultVariant'],
        value: 'off',
        ...common,
      },
      'allow',
    ],
    [
      'standard',
      {
        kind: 'setConfigValue',
        namespace: 'shop',
        name: 'app',
        key: 'app.yaml',
        format: 'yaml',
        path: ['log', 'level'],
        value: 'info',
        ...common,
      },
      // Not in standard's constraints.configValues: refused, whatever the rule (approve) says.
      'deny',
    ],
    [
      'standard',
      { kind: 'releaseVolume', name: 'pv-1', claimNamespace: 'shop', claim: 'data', ...common },
      'approve',
    ],
    [
      'standard',
      { kind: 'releaseVolume', name: 'pv-1', claimNamespace: 'kube-system', claim: 'data', ...common },
      'deny',
    ],
    [
      'bench',
      { kind: 'kubectl', argv: ['patch', 'secret', 's', '-n', 'test-x', '-p', '{}'], ...common },
      'deny',
    ],
  ])('%s decides %j → %s', async (name, action, effect) => {
    const policy = await loadPolicy(name);
    const ns =
      action.kind === 'kubectl'
        ? action.argv[action.argv.indexOf('-n') + 1]
        : action.kind === 'releaseVolume'
          ? action.claimNamespace
          : action.namespace;
    expect(decide(action, policy, { namespace: ns, actionsSoFar: 0, currentReplicas: 1 }).effect).toBe(
      effect,
    );
  });

  it('reports a missing policy as not-found', async () => {
    await expect(loadPolicy(join(dir, 'nope.yaml'))).rejects.toMatchObject({ code: 'not-found' });
  });

  it.each([
    [
      'a bad effect',
      'rules:\n  - id: a\n    match: {}\n    effect: maybe\n',
      ':4:13: rules[0].effect: Invalid option',
    ],
    [
      'an unknown key',
      'rules:\n  - id: a\n    match:\n      action: [deletePod]\n    effect: deny\n',
      ':4:7: rules[0].match: Unrecognized key: "action"',
    ],
    [
      'a bad limit',
      'rules:\n  - id: a\n    match: {}\n    effect: allow\n    limits: { maxReplicas: -1 }\n',
      ':5:28: rules[0].limits.maxReplicas',
    ],
    ['a YAML syntax error', 'rules: [\n  - id: a\n', 'p.yaml:'],
  ])('reports %s with file:line:col', (_label, text, expected) => {
    expect(() => parsePolicy(text, 'p.yaml')).toThrow(expected);
  });

  it('loads a policy file from a path', async () => {
    const file = join(dir, 'mine.yaml');
    await writeFile(file, 'rules:\n  - id: all\n    match: { actions: ["*"] }\n    effect: approve\n');
    expect((await loadPolicy(file)).rules).toHaveLength(1);
  });
});

describe('{problemNamespace}: the bench policy scoped to the run', () => {
  const scale = (namespace: string): ActionProposal => ({
    kind: 'scaleDeployment',
    namespace,
    name: 'w',
    replicas: 1,
    ...common,
  });
  const effect = (policy: Parameters<typeof decide>[1], ns: string) =>
    decide(scale(ns), policy, { namespace: ns, actionsSoFar: 0 }).effect;

  it("filled in, allows writes in the problem's namespace only, whatever it is called", async () => {
    const bench = await loadPolicy('bench', undefined, { problemNamespace: 'prod-x7k2q' });
    expect(effect(bench, 'prod-x7k2q')).toBe('allow');
    expect(effect(bench, 'test-social-network')).toBe('deny');
    expect(effect(bench, 'astronomy-shop')).toBe('deny');
    expect(effect(bench, 'prod-x7k2q2')).toBe('deny');
  });

  it("not filled in, covers the rest of the rule's list (AIOpsLab's namespaces), never every namespace", async () => {
    const bench = await loadPolicy('bench');
    expect(effect(bench, 'test-social-network')).toBe('allow');
    expect(effect(bench, 'prod-x7k2q')).toBe('deny');
    const alone = parsePolicy(
      "version: 1\nname: p\ndefault: deny\nrules:\n  - { id: r, match: { namespaces: ['{problemNamespace}'] }, effect: allow }\n",
      'p.yaml',
    );
    expect(alone.rules).toEqual([]);
    expect(effect(alone, 'anything')).toBe('deny');
  });

  it('refuses a glob or a malformed name as the problem namespace', () => {
    expect(() =>
      parsePolicy('version: 1\nname: p\ndefault: deny\nrules: []\n', 'p.yaml', { problemNamespace: '*' }),
    ).toThrow(/not a namespace name/);
  });
});
