import { describe, expect, it } from 'vitest';
import { ACTION_KINDS, ActionProposal } from '../../src/core/actions.js';
import { formatIssues } from '../../src/core/zod-issues.js';

const why = { rationale: 'fixes it', evidence: ['ev-1'] };
const target = { namespace: 'test-social-network', name: 'user-service' };

describe('ActionProposal', () => {
  it('has one schema per ActionKind', () => {
    expect(ActionProposal.options.map((o) => o.shape.kind.value)).toEqual([...ACTION_KINDS]);
  });

  it.each([
    ['scaleDeployment', { ...target, replicas: 0 }],
    ['rolloutRestart', { ...target, workload: 'StatefulSet' }],
    ['deletePod', { ...target, name: 'user-service-7c9f-abcde' }],
    ['patchService', { ...target, ports: [{ name: 'http', port: 9090, targetPort: 9090 }] }],
    ['patchService', { ...target, ports: [{ port: 80, targetPort: 'http' }] }],
    ['setImage', { ...target, container: 'app', image: 'ghcr.io/x/app:1.2.3' }],
    ['setEnv', { ...target, container: 'app', env: { DB_HOST: 'mongodb', OLD: null } }],
    ['rollbackDeployment', { ...target }],
    ['rollbackDeployment', { ...target, toRevision: 3 }],
    ['patchNodeSelector', { ...target, nodeSelector: { 'kubernetes.io/os': 'linux', disk: null } }],
    ['kubectl', { argv: ['get', 'pods', '-n', 'x'] }],
    ['kubectl', { argv: ['describe', 'pod', 'p'], namespace: 'x' }],
  ])('accepts %s %j', (kind, fields) => {
    expect(ActionProposal.safeParse({ kind, ...fields, ...why }).success).toBe(true);
  });

  it('defaults rolloutRestart to a Deployment', () => {
    const parsed = ActionProposal.parse({ kind: 'rolloutRestart', ...target, ...why });
    expect(parsed).toMatchObject({ workload: 'Deployment' });
  });

  it.each([
    ['an unknown kind', { kind: 'drainNode', ...target, ...why }, 'kind'],
    ['negative replicas', { kind: 'scaleDeployment', ...target, replicas: -1, ...why }, 'replicas'],
    ['fractional replicas', { kind: 'scaleDeployment', ...target, replicas: 1.5, ...why }, 'replicas'],
    ['an empty argv', { kind: 'kubectl', argv: [], ...why }, 'argv'],
    ['an empty argv item', { kind: 'kubectl', argv: ['get', ''], ...why }, 'argv[1]'],
    ['a NUL in argv', { kind: 'kubectl', argv: ['get\0pods'], ...why }, 'argv[0]'],
    ['argv starting with kubectl', { kind: 'kubectl', argv: ['kubectl', 'get'], ...why }, 'argv'],
    ['no evidence', { kind: 'deletePod', ...target, rationale: 'x', evidence: [] }, 'evidence'],
    ['a bad evidence id', { kind: 'deletePod', ...target, rationale: 'x', evidence: ['e1'] }, 'evidence[0]'],
    ['an empty rationale', { kind: 'deletePod', ...target, rationale: '', evidence: ['ev-1'] }, 'rationale'],
    ['an uppercase name', { kind: 'deletePod', ...target, name: 'User', ...why }, 'name'],
    [
      'a port out of range',
      { kind: 'patchService', ...target, ports: [{ port: 0, targetPort: 1 }], ...why },
      'ports[0].port',
    ],
    ['no ports', { kind: 'patchService', ...target, ports: [], ...why }, 'ports'],
    ['an empty env', { kind: 'setEnv', ...target, container: 'app', env: {}, ...why }, 'env'],
    ['revision 0', { kind: 'rollbackDeployment', ...target, toRevision: 0, ...why }, 'toRevision'],
    ['an image with spaces', { kind: 'setImage', ...target, container: 'a', image: 'a b', ...why }, 'image'],
  ])('rejects %s', (_label, input, path) => {
    const result = ActionProposal.safeParse(input);
    expect(result.success).toBe(false);
    if (!result.success) expect(formatIssues(result.error).some((l) => l.startsWith(`${path}: `))).toBe(true);
  });
});
