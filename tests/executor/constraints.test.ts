/**
 * The content constraints as pure functions of an action, a shipped policy and the facts the executor reads;
 * the real-cluster path is tests/cli/compromised-model.test.ts (aoi act against the simulator).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ActionProposal } from '../../src/core/actions.js';
import type { Policy } from '../../src/core/policy.js';
import { checkConstraints } from '../../src/executor/constraints/index.js';
import { inlineProgram, parseImage } from '../../src/executor/constraints/content.js';
import type { ConstraintFacts } from '../../src/executor/constraints/facts.js';
import { loadPolicy } from '../../src/executor/load-policy.js';
import { decide } from '../../src/executor/policy-engine.js';

const why = { rationale: 'r', evidence: ['ev-1'] };
let standard: Policy;
let bench: Policy;

beforeAll(async () => {
  standard = await loadPolicy('standard');
  bench = await loadPolicy('bench', undefined, { problemNamespace: 'test-x' });
});

const shape = (name: string, image: string, command?: string[]) => ({
  name,
  image,
  ...(command ? { command } : {}),
  ports: [{ number: 8080, name: 'http' }],
});

function facts(more: Partial<ConstraintFacts> = {}): ConstraintFacts {
  return {
    unreadable: [],
    markers: [{ labels: {}, annotations: {} }],
    workload: {
      kind: 'Deployment',
      name: 'profile',
      containers: [shape('app', 'registry.example/shop/app:1', ['geo'])],
      templateLabels: { app: 'profile' },
      replicas: 4,
      nodeSelector: { 'kubernetes.io/hostname': 'gone' },
      revision: 3,
    },
    history: [
      { revision: 3, available: true, containers: [shape('app', 'registry.example/shop/app:1', ['geo'])] },
      { revision: 2, available: false, containers: [shape('app', 'registry.example/shop/app:0', ['geo'])] },
      { revision: 1, available: true, containers: [shape('app', 'registry.example/shop/app:0', ['geo'])] },
    ],
    neighbours: [
      {
        kind: 'Deployment',
        name: 'geo',
        containers: [shape('app', 'registry.example/shop/app:1', ['/bin/geo', '--port', '8083'])],
        templateLabels: {},
      },
    ],
    serviceSelectors: [{ name: 'profile', selector: { app: 'profile' } }],
    schedulableNodeLabels: [{ 'kubernetes.io/hostname': 'node-a', zone: 'a' }],
    ...more,
  };
}

const at = { namespace: 'test-x', name: 'profile' };
const verdict = (action: ActionProposal, policy: Policy, f = facts()) =>
  checkConstraints(action, policy, f).refusal?.constraint ?? 'passed';

describe('images', () => {
  it('parses references as the runtime resolves them', () => {
    expect(parseImage('mongo:4.4.6')).toMatchObject({
      registry: 'docker.io',
      repository: 'docker.io/library/mongo',
    });
    expect(parseImage('localhost:5000/x/y:1')).toMatchObject({
      registry: 'localhost:5000',
      repository: 'localhost:5000/x/y',
    });
    expect(parseImage(`ghcr.io/a/b@sha256:${'0'.repeat(64)}`)).toMatchObject({
      repository: 'ghcr.io/a/b',
      digest: true,
    });
  });

  it.each([
    ['registry.example/shop/app:2', 'passed'],
    ['registry.example/shop/other:1', 'images.repository'],
    ['attacker.example/miner:latest', 'images.registry'],
  ])('%s → %s', (image, expected) => {
    expect(verdict({ kind: 'setImage', ...at, container: 'app', image, ...why }, standard)).toBe(expected);
  });

  it('a policy list widens; requireDigest refuses a tag', () => {
    const policy = { ...standard, constraints: { images: { registries: ['ghcr.io'], requireDigest: true } } };
    const action = { kind: 'setImage', ...at, container: 'app', ...why } as const;
    expect(verdict({ ...action, image: 'ghcr.io/x/y:1' }, policy)).toBe('images.digest');
    expect(verdict({ ...action, image: `ghcr.io/x/y@sha256:${'1'.repeat(64)}` }, policy)).toBe('passed');
  });
});

describe('commands', () => {
  it.each([
    [['sh', '-c', 'id'], 'sh'],
    [['/usr/bin/python3.11', '-c', 'x'], 'python'],
    [['env', 'A=1', 'bash', '-ec', 'x'], 'bash'],
    [['node', '--eval', 'x'], 'node'],
    [['/app/server', '--port', '80'], undefined],
  ])('%j → %s', (argv, expected) => expect(inlineProgram(argv)).toBe(expected));

  it.each<[string[], string]>([
    [['geo'], 'passed'], // its own history
    [['/bin/profile', '--port', '8083'], 'passed'], // geo's command with geo's name replaced
    [['/bin/geo', '--port', '8083'], 'passed'], // another workload's of the same image
    [['/bin/sh', '-c', 'geo'], 'commands.inline-program'],
    [['/bin/other'], 'commands.unknown'],
  ])('%j → %s', (command, expected) => {
    expect(verdict({ kind: 'setCommand', ...at, container: 'app', command, ...why }, standard)).toBe(
      expected,
    );
  });

  it('a policy may name an interpreter', () => {
    const policy = {
      ...standard,
      constraints: { commands: { inlinePrograms: ['sh'], allowed: [['sh', '-c', '*']] } },
    };
    expect(
      verdict({ kind: 'setCommand', ...at, container: 'app', command: ['sh', '-c', 'x'], ...why }, policy),
    ).toBe('passed');
  });
});

describe('env, scale, node selectors, rollback, config values, protected', () => {
  it('env: the deny-list is case-insensitive and covers removal; a policy extends it', () => {
    const env = (vars: Record<string, string | null>) =>
      ({ kind: 'setEnv', ...at, container: 'app', env: vars, ...why }) as const;
    expect(verdict(env({ https_proxy: 'x' }), standard)).toBe('env.denied');
    expect(verdict(env({ LD_AUDIT: null }), standard)).toBe('env.denied');
    expect(verdict(env({ LOG_LEVEL: 'debug' }), standard)).toBe('passed');
    const policy = { ...standard, constraints: { env: { deny: ['LOG_*'] } } };
    expect(verdict(env({ LOG_LEVEL: 'debug' }), policy)).toBe('env.denied');
    const allowOnly = { ...standard, constraints: { env: { allow: ['FEATURE_*'] } } };
    expect(verdict(env({ LOG_LEVEL: 'debug' }), allowOnly)).toBe('env.not-allowed');
  });

  it('scale: a large scale-down asks approval in standard and is refused in bench; 0 behind a Service never', () => {
    const scale = (replicas: number) => ({ kind: 'scaleDeployment', ...at, replicas, ...why }) as const;
    const big = checkConstraints(scale(1), standard, facts()).refusal;
    expect(big).toMatchObject({ constraint: 'scale.down-fraction', effect: 'approve' });
    expect(
      decide(scale(1), standard, {
        namespace: 'test-x',
        actionsSoFar: 0,
        currentReplicas: 4,
        facts: facts(),
      }),
    ).toMatchObject({
      effect: 'approve',
      ruleId: 'constraint:scale.down-fraction',
    });
    expect(checkConstraints(scale(1), bench, facts()).refusal).toMatchObject({
      constraint: 'scale.down-fraction',
    });
    expect(checkConstraints(scale(1), bench, facts()).refusal?.effect).toBeUndefined();
    expect(verdict(scale(2), bench)).toBe('passed');
    expect(verdict(scale(0), standard)).toBe('scale.service-backend');
    expect(verdict(scale(0), standard, facts({ serviceSelectors: [] }))).toBe('scale.to-zero');
  });

  it('node selectors: removal passes; a key no schedulable node carries is refused', () => {
    const sel = (nodeSelector: Record<string, string | null>) =>
      ({ kind: 'patchNodeSelector', ...at, nodeSelector, ...why }) as const;
    expect(verdict(sel({ 'kubernetes.io/hostname': null }), standard)).toBe('passed');
    expect(verdict(sel({ 'kubernetes.io/hostname': null, zone: 'a' }), standard)).toBe('passed');
    expect(verdict(sel({ 'kubernetes.io/hostname': null, zone: 'b' }), standard)).toBe(
      'node-selector.unsatisfiable',
    );
    expect(verdict(sel({ zone: 'a' }), standard)).toBe('node-selector.unsatisfiable'); // hostname=gone stays
  });

  it('rollback: only to an existing, not current revision with an available pod', () => {
    const back = (toRevision?: number) =>
      ({ kind: 'rollbackDeployment', ...at, ...(toRevision ? { toRevision } : {}), ...why }) as const;
    expect(verdict(back(1), standard)).toBe('passed');
    expect(verdict(back(2), standard)).toBe('rollback.revision');
    expect(verdict(back(3), standard)).toBe('rollback.revision');
    expect(verdict(back(9), standard)).toBe('rollback.revision');
    expect(verdict(back(), standard)).toBe('rollback.revision'); // the previous one, 2, never available
  });

  it('config values: only granted paths and values', () => {
    const set = (path: string[], value: string) =>
      ({
        kind: 'setConfigValue',
        ...at,
        name: 'flagd-config',
        key: 'demo.flagd.json',
        format: 'json',
        path,
        value,
        ...why,
      }) as const;
    expect(verdict(set(['flags', 'adFailure', 'defaultVariant'], 'off'), bench)).toBe('passed');
    expect(verdict(set(['flags', 'adFailure', 'defaultVariant'], 'on'), bench)).toBe(
      'config-values.not-allowed',
    );
    expect(verdict(set(['flags', 'adFailure', 'state'], 'off'), bench)).toBe('config-values.not-allowed');
  });

  it('protected: the default marker refuses any change; an unreadable target refuses too', () => {
    const restart = { kind: 'rolloutRestart', ...at, workload: 'Deployment', ...why } as const;
    const marked = facts({ markers: [{ labels: {}, annotations: { 'aoi.dev/protected': 'true' } }] });
    expect(verdict(restart, standard, marked)).toBe('protected');
    const { markers: _markers, ...unread } = facts({ unreadable: ['the target'] });
    expect(verdict(restart, standard, unread)).toBe('protected');
  });

  it('an action kind with no constraints is refused; without facts, cluster checks are pending', () => {
    const odd = { kind: 'somethingNew', ...at, ...why } as unknown as ActionProposal;
    expect(checkConstraints(odd, standard, facts()).refusal?.constraint).toBe('unreviewed-kind');
    const offline = checkConstraints(
      { kind: 'rolloutRestart', ...at, workload: 'Deployment', ...why },
      standard,
      { unreadable: [] },
      true,
    );
    expect(offline).toMatchObject({ pending: ['protected'] });
    expect(offline.refusal).toBeUndefined();
  });
});
