import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProblems, parseProblemFile } from '../../aiopslab-harness/bench/load-problems.js';
import { AoiError } from '../../src/core/errors.js';

const GOOD = `
- id: a-detection
  app: hotel-reservation
  task: detection
  fault: { kind: pod_kill, target: user }
  expect: { detection: 'Yes' }
- id: a-localization
  app: hotel-reservation
  task: localization
  fault: { kind: pod_kill, target: user }
  expect: { faultyComponents: [user] }
`;

async function errorOf(promise: Promise<unknown>): Promise<AoiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AoiError) return error;
    throw error;
  }
  throw new Error('expected an AoiError');
}

describe('loadProblems', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aoi-problems-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function load(text: string, name = 'x.yaml'): Promise<AoiError> {
    await writeFile(join(dir, name), text);
    return errorOf(loadProblems([join(dir, name)]));
  }

  it('loads a file, fills the namespace and defaults', async () => {
    await writeFile(join(dir, 'x.yaml'), GOOD);
    const [first] = await loadProblems([join(dir, 'x.yaml')]);
    expect(first).toEqual({
      id: 'a-detection',
      app: 'hotel-reservation',
      namespace: 'test-hotel-reservation',
      task: 'detection',
      fault: { kind: 'pod_kill', target: 'user', params: {} },
      noise: [],
      aiopslab: { in86: true },
      expect: { detection: 'Yes' },
    });
  });

  it('loads every *.yaml of a directory, in name order, and skips other files', async () => {
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'b.yaml'), GOOD);
    await writeFile(join(dir, 'sub', 'a.yaml'), GOOD.replaceAll('a-', 'z-'));
    await writeFile(join(dir, 'sub', 'notes.txt'), 'not yaml: [');
    const ids = (await loadProblems([join(dir, 'sub')])).map((p) => p.id);
    expect(ids).toEqual(['z-detection', 'z-localization', 'a-detection', 'a-localization']);
  });

  it('reports a YAML syntax error with file:line:col', async () => {
    const error = await load('- id: a\n  app: [hotel\n  task: detection\n');
    expect(error.code).toBe('config');
    expect(error.message).toMatch(/x\.yaml:\d+:\d+: /);
  });

  it.each([
    [
      'an unknown field',
      GOOD.replace('  task: detection', '  task: detection\n  taks: detection'),
      '[0] (id a-detection): Unrecognized key: "taks"',
    ],
    [
      'an unknown fault kind',
      GOOD.replace(
        'kind: pod_kill, target: user }\n  expect: { faultyC',
        'kind: pod_kil, target: user }\n  expect: { faultyC',
      ),
      '[1] (id a-localization): fault.kind: Invalid option: expected one of',
    ],
    [
      'an expect that belongs to another task',
      GOOD.replace("{ detection: 'Yes' }", '{ faultyComponents: [user] }'),
      "[0] (id a-detection): expect: this is a localization answer but task is detection; expected { detection: 'Yes' | 'No' }",
    ],
    [
      'a malformed expect',
      GOOD.replace('{ faultyComponents: [user] }', '{ faultyComponents: [] }'),
      '[1] (id a-localization): expect.faultyComponents: Too small',
    ],
    [
      'an analysis answer outside the vocabulary',
      GOOD.replace('task: detection', 'task: analysis').replace(
        "{ detection: 'Yes' }",
        '{ systemLevel: Kernel, faultType: Misconfiguration }',
      ),
      '[0] (id a-detection): expect.systemLevel: Invalid option',
    ],
    [
      'a missing target',
      GOOD.replace('{ kind: pod_kill, target: user }', '{ kind: pod_kill }'),
      '[0] (id a-detection): fault.target: a pod_kill fault needs a target',
    ],
    [
      'a feature flag without its flag',
      GOOD.replace('app: hotel-reservation', 'app: astronomy-shop').replace(
        '{ kind: pod_kill, target: user }',
        '{ kind: feature_flag, target: ad }',
      ),
      '[0] (id a-detection): fault.params.flag: a feature_flag fault needs params.flag',
    ],
    [
      'a duplicate id',
      GOOD.replace('a-localization', 'a-detection'),
      '[1] (id a-detection): id: duplicate id a-detection (first at [0])',
    ],
    ['an entry without an id', GOOD.replace('- id: a-detection\n ', '-'), '[0]: id: Invalid input'],
    ['a file that is not a list', 'id: a\n', 'invalid contents'],
  ])('names the file, entry and field for %s', async (_label, text, message) => {
    const error = await load(text);
    expect(error.code).toBe('config');
    expect(error.message).toContain(`x.yaml: ${message}`);
  });

  it('reports every failing field, one line each', () => {
    const text = GOOD.replace('app: hotel-reservation', 'app: hotel').replace(
      'task: localization',
      'task: triage',
    );
    const lines = (() => {
      try {
        parseProblemFile(text, 'f.yaml');
      } catch (error) {
        return (error as AoiError).message.split('\n');
      }
      return [];
    })();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^f\.yaml: \[0\] \(id a-detection\): app: Invalid option/);
    expect(lines[1]).toMatch(/^f\.yaml: \[1\] \(id a-localization\): task: Invalid option/);
  });

  it('refuses the same id in two files', async () => {
    await writeFile(join(dir, 'a.yaml'), GOOD);
    await writeFile(join(dir, 'b.yaml'), GOOD.replace('a-localization', 'b-localization'));
    const error = await errorOf(loadProblems([dir]));
    expect(error.code).toBe('config');
    expect(error.message).toMatch(
      /b\.yaml: \[0\] \(id a-detection\): id: duplicate id a-detection \(first in .*a\.yaml \[0\]\)/,
    );
  });

  it('says when a path does not exist', async () => {
    const error = await errorOf(loadProblems([join(dir, 'nope')]));
    expect(error.code).toBe('not-found');
    expect(error.message).toContain('nope');
  });
});
