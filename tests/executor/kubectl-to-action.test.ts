import { describe, expect, it } from 'vitest';
import type { ActionProposal } from '../../src/core/actions.js';
import { typedActionFor } from '../../src/executor/kubectl-to-action.js';

const kubectl = (...argv: string[]): Extract<ActionProposal, { kind: 'kubectl' }> => ({
  kind: 'kubectl',
  argv,
  rationale: 'by hand',
  evidence: ['ev-1'],
});

describe('writing kubectl commands that are typed actions', () => {
  it.each([
    [
      ['rollout', 'restart', 'deployment/geo', '-n', 'shop'],
      { kind: 'rolloutRestart', name: 'geo', workload: 'Deployment' },
    ],
    [
      ['rollout', 'restart', 'statefulset', 'db', '-n', 'shop'],
      { kind: 'rolloutRestart', name: 'db', workload: 'StatefulSet' },
    ],
    [
      ['rollout', 'undo', 'deployment/geo', '-n', 'shop', '--to-revision=2'],
      { kind: 'rollbackDeployment', name: 'geo', toRevision: 2 },
    ],
    [
      ['scale', 'deployment/geo', '--replicas', '3', '-n', 'shop'],
      { kind: 'scaleDeployment', name: 'geo', replicas: 3 },
    ],
    [['delete', 'pod', 'geo-abc12', '-n', 'shop'], { kind: 'deletePod', name: 'geo-abc12' }],
  ])('%j becomes %j', (argv, expected) => {
    const typed = typedActionFor(kubectl(...argv));
    expect(typed).toMatchObject({ ...expected, namespace: 'shop', evidence: ['ev-1'] });
    expect(typed?.rationale).toContain(`kubectl ${argv.join(' ')}`);
  });

  it.each([
    [['get', 'pods', '-n', 'shop']],
    [['scale', 'deployment/geo', '--replicas=-1', '-n', 'shop']],
    [['scale', 'deployment/geo', '--replicas=NaN', '-n', 'shop']],
    [['rollout', 'restart', 'deployment/geo']],
    [['delete', 'pod', 'a', 'b', '-n', 'shop']],
    [['patch', 'configmap', 'x', '-n', 'shop', '-p', '{}']],
    [['delete', 'pod', 'a;rm', '-n', 'shop']],
  ])('%j stays a kubectl action', (argv) => {
    expect(typedActionFor(kubectl(...argv))).toBeUndefined();
  });
});
