import { describe, expect, it } from 'vitest';
import {
  scoreAnalysis,
  scoreAnswer,
  scoreDetection,
  scoreLocalization,
} from '../../aiopslab-harness/bench/evaluate.js';
import { Problem } from '../../aiopslab-harness/bench/problem.js';
import { AoiError } from '../../src/core/errors.js';

const detectYes = Problem.parse({
  id: 'd-yes',
  app: 'hotel-reservation',
  task: 'detection',
  fault: { kind: 'pod_kill', target: 'user' },
  expect: { detection: 'Yes' },
});
const detectNo = Problem.parse({
  id: 'd-no',
  app: 'hotel-reservation',
  task: 'detection',
  fault: { kind: 'noop' },
  noise: ['benign_error_logs'],
  expect: { detection: 'No' },
});
const localizeGeo = Problem.parse({
  id: 'l-geo',
  app: 'hotel-reservation',
  task: 'localization',
  fault: { kind: 'revoke_auth_mongodb', target: 'mongodb-geo' },
  expect: { faultyComponents: ['mongodb-geo'], accepted: ['geo'] },
});
const localizeUser = Problem.parse({
  id: 'l-user',
  app: 'social-network',
  task: 'localization',
  fault: { kind: 'misconfig_k8s_target_port', target: 'user-service' },
  expect: { faultyComponents: ['user-service'] },
});
const analyze = Problem.parse({
  id: 'a',
  app: 'social-network',
  task: 'analysis',
  fault: { kind: 'misconfig_k8s_target_port', target: 'user-service' },
  expect: { systemLevel: 'Virtualization', faultType: 'Misconfiguration' },
});

describe('scoreDetection', () => {
  it.each([
    [detectYes, 'Yes', true],
    [detectYes, '  yes \n', true],
    [detectYes, 'YES', true],
    [detectYes, 'No', false],
    [detectYes, 'Yes, the geo service', false],
    [detectNo, 'no', true],
    [detectNo, 'Yes', false],
  ])('%# %s answered %j → %s', (problem, answer, success) => {
    const result = scoreDetection(problem, answer);
    expect(result.success).toBe(success);
    expect(result.invalidFormat).toBeUndefined();
  });

  it.each([[true], [['Yes']], [{ answer: 'Yes' }], [null], [undefined]])(
    '%j is an invalid format',
    (answer) => {
      expect(scoreDetection(detectYes, answer)).toMatchObject({ success: false, invalidFormat: true });
    },
  );
});

describe('scoreLocalization', () => {
  it.each([
    ['the target alone', localizeUser, ['user-service'], true, 100],
    ['two names with the target', localizeUser, ['user-service', 'text-service'], false, 50],
    ['four names with the target', localizeUser, ['a', 'b', 'user-service', 'c'], false, 25],
    ['the target twice', localizeUser, ['user-service', 'user-service'], false, 50],
    ['another service', localizeUser, ['text-service'], false, 0],
    ['an empty list', localizeUser, [], false, 0],
    ['the target in other case', localizeUser, ['User-Service'], false, 0],
    ['the target with spaces', localizeUser, [' user-service'], false, 0],
    ['mongodb-geo', localizeGeo, ['mongodb-geo'], true, 100],
    ['geo (accepted for mongodb-geo)', localizeGeo, ['geo'], true, 100],
    ['geo and mongodb-geo', localizeGeo, ['geo', 'mongodb-geo'], false, 50],
    ['Geo', localizeGeo, ['Geo'], false, 0],
  ])('%s', (_label, problem, answer, success, accuracy) => {
    const result = scoreLocalization(problem, answer);
    expect({ success: result.success, accuracy: result.accuracy }).toEqual({ success, accuracy });
    expect(result.invalidFormat).toBeUndefined();
  });

  it.each([['user-service'], [{ service: 'user-service' }], [['user-service', 3]], [null]])(
    '%j is an invalid format',
    (answer) => {
      expect(scoreLocalization(localizeUser, answer)).toMatchObject({ success: false, invalidFormat: true });
    },
  );
});

describe('scoreAnalysis', () => {
  it.each([
    [{ system_level: 'Virtualization', fault_type: 'Misconfiguration' }, true],
    [{ system_level: ' virtualization ', fault_type: 'MISCONFIGURATION\n' }, true],
    [{ systemLevel: 'Virtualization', faultType: 'Misconfiguration' }, true],
    [{ system_level: 'Application', fault_type: 'Misconfiguration' }, false],
    [{ system_level: 'Virtualization', fault_type: 'Operation Error' }, false],
    [{ system_level: 'Virtualization', fault_type: 'Misconfiguration', extra: 1 }, true],
  ])('%j → %s', (answer, success) => {
    const result = scoreAnalysis(analyze, answer);
    expect(result.success).toBe(success);
    expect(result.invalidFormat).toBeUndefined();
  });

  it('says which half was wrong', () => {
    expect(
      scoreAnalysis(analyze, { system_level: 'Application', fault_type: 'Misconfiguration' }).detail,
    ).toBe(
      'system_level "Application" wrong, fault_type "Misconfiguration" right (expected Virtualization / Misconfiguration)',
    );
  });

  it.each([
    ['Virtualization / Misconfiguration'],
    [['Virtualization', 'Misconfiguration']],
    [{ system_level: 'Virtualization' }],
    [{ system_level: 'Virtualization', fault_type: 3 }],
    [{}],
    [null],
  ])('%j is an invalid format', (answer) => {
    expect(scoreAnalysis(analyze, answer)).toMatchObject({ success: false, invalidFormat: true });
  });
});

describe('scoreAnswer', () => {
  it('dispatches on the task', () => {
    expect(scoreAnswer(detectNo, 'No').success).toBe(true);
    expect(scoreAnswer(localizeGeo, ['geo']).success).toBe(true);
    expect(
      scoreAnswer(analyze, { system_level: 'virtualization', fault_type: 'misconfiguration' }).success,
    ).toBe(true);
  });

  it('refuses to score a problem of another task', () => {
    expect(() => scoreDetection(analyze, 'Yes')).toThrow(AoiError);
    expect(() => scoreLocalization(detectYes, ['user'])).toThrow(
      /d-yes is a detection problem, not localization/,
    );
  });
});
