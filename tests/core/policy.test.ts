import { describe, expect, it } from 'vitest';
import { Policy } from '../../src/core/policy.js';
import { parseYamlDocument } from '../../src/core/yaml-file.js';
import { formatIssues } from '../../src/core/zod-issues.js';

const rule = {
  id: 'restart-test',
  match: { actions: ['rolloutRestart'], namespaces: ['test-*'] },
  effect: 'allow',
};

function issues(input: unknown): string[] {
  const result = Policy.safeParse(input);
  return result.success ? [] : formatIssues(result.error);
}

describe('Policy', () => {
  it('fills version and default', () => {
    expect(Policy.parse({ rules: [rule] })).toEqual({ version: 1, default: 'deny', rules: [rule] });
  });

  it.each([
    ['a wildcard action', { rules: [{ ...rule, match: { actions: ['*'] } }] }],
    ['an empty match', { rules: [{ ...rule, match: {} }] }],
    [
      'limits and labels',
      { rules: [{ ...rule, match: { labels: { app: 'web' } }, limits: { maxReplicas: 5 } }] },
    ],
    ['no rules', { default: 'deny', rules: [] }],
  ])('accepts %s', (_label, input) => {
    expect(issues(input)).toEqual([]);
  });

  it.each([
    ['default allow', { default: 'allow', rules: [] }, 'default: '],
    ['an unknown top-level key', { rules: [], defualt: 'deny' }, 'Unrecognized key: "defualt"'],
    ['an unknown rule key', { rules: [{ ...rule, efect: 'deny' }] }, 'rules[0]: Unrecognized key: "efect"'],
    [
      'an unknown match key',
      { rules: [{ ...rule, match: { action: ['x'] } }] },
      'rules[0].match: Unrecognized',
    ],
    ['a bad effect', { rules: [{ ...rule, effect: 'yes' }] }, 'rules[0].effect: Invalid option'],
    [
      'an unknown action',
      { rules: [{ ...rule, match: { actions: ['drainNode'] } }] },
      'rules[0].match.actions[0]',
    ],
    [
      '"*" with others',
      { rules: [{ ...rule, match: { actions: ['*', 'deletePod'] } }] },
      'rules[0].match.actions: "*"',
    ],
    ['version 2', { version: 2, rules: [] }, 'version: '],
    [
      'a negative limit',
      { rules: [{ ...rule, limits: { maxReplicas: -1 } }] },
      'rules[0].limits.maxReplicas',
    ],
    [
      'duplicate rule ids',
      { rules: [rule, { ...rule, effect: 'deny' }] },
      'rules[1].id: duplicate rule id "restart-test"',
    ],
  ])('rejects %s', (_label, input, expected) => {
    expect(issues(input).some((line) => line.startsWith(expected))).toBe(true);
  });

  it('reports a policy file error with the file name and path', () => {
    const text = 'default: deny\nrules:\n  - id: a\n    match: {}\n    effect: maybe\n';
    expect(() => parseYamlDocument(text, Policy, 'policies/default.yaml')).toThrow(
      /policies\/default\.yaml: invalid contents\n {2}rules\[0\]\.effect: Invalid option: expected one of "allow"\|"approve"\|"deny"/,
    );
  });
});
