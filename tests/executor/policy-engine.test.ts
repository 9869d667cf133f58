import { describe, expect, it } from 'vitest';
import type { ActionProposal } from '../../src/core/actions.js';
import { Policy } from '../../src/core/policy.js';
import type { DecisionContext } from '../../src/executor/policy-engine.js';
import { decide, globMatch } from '../../src/executor/policy-engine.js';

const common = { rationale: 'fix it', evidence: ['ev-1'] };
const scale = (replicas: number, namespace = 'test-shop', name = 'web'): ActionProposal => ({
  kind: 'scaleDeployment',
  namespace,
  name,
  replicas,
  ...common,
});
const restart = (namespace = 'test-shop', name = 'web'): ActionProposal => ({
  kind: 'rolloutRestart',
  namespace,
  name,
  workload: 'Deployment',
  ...common,
});
const del = (namespace = 'test-shop', name = 'web-1'): ActionProposal => ({
  kind: 'deletePod',
  namespace,
  name,
  ...common,
});
const kubectl = (argv: string[]): ActionProposal => ({ kind: 'kubectl', argv, ...common });

const policy = Policy.parse({
  forbiddenNamespaces: ['secret-*'],
  // These cases are about rule matching; the kubectl-writes constraint has its own tests.
  constraints: { kubectlWrites: 'allow' },
  rules: [
    {
      id: 'no-db',
      match: { names: ['*-db', 'mongodb-*'] },
      effect: 'deny',
      reason: 'databases are hands-off',
    },
    { id: 'frontend-only', match: { actions: ['setImage'], labels: { tier: 'frontend' } }, effect: 'allow' },
    { id: 'restart-test', match: { actions: ['rolloutRestart'], namespaces: ['test-*'] }, effect: 'allow' },
    { id: 'restart-anywhere', match: { actions: ['rolloutRestart'] }, effect: 'approve' },
    {
      id: 'scale',
      match: { actions: ['scaleDeployment'], namespaces: ['test-*'] },
      effect: 'allow',
      limits: { maxReplicas: 5, maxReplicaChange: 2 },
    },
    {
      id: 'delete',
      match: { actions: ['deletePod'] },
      effect: 'allow',
      limits: { maxPodsDeleted: 2, maxActionsPerIncident: 3 },
    },
    {
      id: 'patch-cm',
      match: { actions: ['kubectl'], commands: ['patch cm', 'rollout restart'] },
      effect: 'allow',
    },
    { id: 'kubectl-reads', match: { actions: ['kubectl'], commands: ['get'] }, effect: 'allow' },
  ],
});

const ctx = (namespace: string | undefined, more: Partial<DecisionContext> = {}): DecisionContext => ({
  namespace,
  actionsSoFar: 0,
  ...more,
});
const setImage: ActionProposal = {
  kind: 'setImage',
  namespace: 'prod',
  name: 'web',
  container: 'web',
  image: 'web:2',
  ...common,
};

describe('decide', () => {
  it.each<[string, ActionProposal, DecisionContext, string, string | null]>([
    [
      'first match: the test-* rule before the approve rule',
      restart(),
      ctx('test-shop'),
      'allow',
      'restart-test',
    ],
    [
      'a later rule when the earlier does not match',
      restart('prod'),
      ctx('prod'),
      'approve',
      'restart-anywhere',
    ],
    [
      'a deny rule on names wins by coming first',
      restart('test-shop', 'users-db'),
      ctx('test-shop'),
      'deny',
      'no-db',
    ],
    ['a name glob with a prefix', del('test-shop', 'mongodb-geo-1'), ctx('test-shop'), 'deny', 'no-db'],
    ['deny by default', setImage, ctx('prod', { labels: { tier: 'backend' } }), 'deny', null],
    [
      'a label selector that matches',
      setImage,
      ctx('prod', { labels: { tier: 'frontend' } }),
      'allow',
      'frontend-only',
    ],
    ['unknown labels never allow', setImage, ctx('prod'), 'deny', null],
    [
      'kube-system is always forbidden',
      restart('kube-system'),
      ctx('kube-system'),
      'deny',
      'builtin:forbidden-namespace',
    ],
    [
      'policy forbiddenNamespaces globs',
      restart('secret-x'),
      ctx('secret-x'),
      'deny',
      'builtin:forbidden-namespace',
    ],
    ['scale within limits', scale(3), ctx('test-shop', { currentReplicas: 2 }), 'allow', 'scale'],
    ['scale above maxReplicas', scale(6), ctx('test-shop', { currentReplicas: 5 }), 'deny', 'scale'],
    [
      'scale change above maxReplicaChange',
      scale(5),
      ctx('test-shop', { currentReplicas: 1 }),
      'deny',
      'scale',
    ],
    ['scale with unknown current replicas', scale(2), ctx('test-shop'), 'deny', 'scale'],
    ['scale outside the namespaces', scale(2, 'prod'), ctx('prod', { currentReplicas: 2 }), 'deny', null],
    ['delete within maxPodsDeleted', del(), ctx('test-shop', { podsDeletedSoFar: 1 }), 'allow', 'delete'],
    ['delete past maxPodsDeleted', del(), ctx('test-shop', { podsDeletedSoFar: 2 }), 'deny', 'delete'],
    ['past maxActionsPerIncident', del(), ctx('test-shop', { actionsSoFar: 3 }), 'deny', 'delete'],
    [
      'a context namespace other than the action',
      restart(),
      ctx('other'),
      'deny',
      'builtin:namespace-mismatch',
    ],
    [
      'kubectl patch configmap (alias)',
      kubectl(['patch', 'configmap', 'c', '-n', 'x', '-p', '{}']),
      ctx('x'),
      'allow',
      'patch-cm',
    ],
    [
      'kubectl rollout restart',
      kubectl(['rollout', 'restart', 'deploy/web', '-n', 'x']),
      ctx('x'),
      'allow',
      'patch-cm',
    ],
    [
      'kubectl get of a named pod',
      kubectl(['get', 'pod', 'web-1', '-n', 'x']),
      ctx('x'),
      'allow',
      'kubectl-reads',
    ],
    [
      'kubectl get -A: unknown names meet the deny rule',
      kubectl(['get', 'pods', '-A']),
      ctx(undefined),
      'deny',
      'no-db',
    ],
    [
      'kubectl scale has no rule',
      kubectl(['scale', 'deploy/web', '--replicas', '3', '-n', 'x']),
      ctx('x'),
      'deny',
      null,
    ],
    [
      'kubectl exec is refused',
      kubectl(['exec', 'web-1', '--', 'sh']),
      ctx(undefined),
      'deny',
      'builtin:kubectl-argv',
    ],
    [
      'kubectl in kube-system',
      kubectl(['get', 'pods', '-n', 'kube-system']),
      ctx('kube-system'),
      'deny',
      'builtin:forbidden-namespace',
    ],
  ])('%s', (_label, action, context, effect, ruleId) => {
    const decision = decide(action, policy, context);
    expect({ effect: decision.effect, ruleId: decision.ruleId }).toEqual({ effect, ruleId });
    expect(decision.reason).not.toBe('');
  });

  it('explains a broken limit in the reason', () => {
    expect(decide(scale(9), policy, ctx('test-shop', { currentReplicas: 8 })).reason).toBe(
      'rule scale: replicas 9 exceeds maxReplicas 5',
    );
  });

  it('denies everything with an empty policy', () => {
    const empty = Policy.parse({ rules: [] });
    for (const action of [restart(), scale(1), del()])
      expect(decide(action, empty, ctx('test-shop', { currentReplicas: 1 })).effect).toBe('deny');
  });

  it('lets a deny rule match when a field is unknown (fail closed)', () => {
    const p = Policy.parse({
      rules: [
        { id: 'no-prod-labels', match: { labels: { env: 'prod' } }, effect: 'deny' },
        { id: 'all', match: {}, effect: 'allow' },
      ],
    });
    expect(decide(restart(), p, ctx('test-shop')).ruleId).toBe('no-prod-labels');
    expect(decide(restart(), p, ctx('test-shop', { labels: { env: 'dev' } })).ruleId).toBe('all');
  });
});

describe('globMatch', () => {
  it.each([
    ['test-*', 'test-hotel', true],
    ['test-*', 'prod-test-x', false],
    ['*', 'anything', true],
    ['a.b', 'axb', false],
    ['astronomy-shop', 'astronomy-shop', true],
  ])('%s ~ %s → %s', (glob, value, expected) => {
    expect(globMatch(glob, value)).toBe(expected);
  });
});
