import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Guidance } from '../../src/core/guidance.js';
import type { SplitAttempt, SplitRunner } from '../../src/evolver/evolve.js';
import { evolve } from '../../src/evolver/evolve.js';
import { loadGuidanceDir } from '../../src/evolver/guidance-files.js';
import { analysis, item, writeRun } from './fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-evolve-unit-'));
  await writeRun(join(dir, 'trajectories'), {
    id: 'support-run',
    problemId: 'gone-1',
    evidence: [item(1, 'db', 'AuthErrors', { excerpt: 'UserNotFound: Could not find user' })],
    diagnosis: analysis('db', 'Application', 'Authentication Issue', ['ev-1']),
    success: false,
  });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const supervision = new Map([
  ['gone-1', { systemLevel: 'Application' as const, faultType: 'Network/Storage Issue' as const }],
]);

/** A fake split runner: the query outcome is a function of whether any guidance is in the library. */
function runner(query: (withGuidance: boolean) => SplitAttempt[]): { run: SplitRunner; calls: string[] } {
  const calls: string[] = [];
  const run: SplitRunner = (split, library: readonly Guidance[]) => {
    calls.push(
      `${split}:${library.map((g) => `${g.frontMatter.id}@${g.frontMatter.status ?? '-'}`).join(',')}`,
    );
    if (split === 'support')
      return Promise.resolve([{ problemId: 'gone-1', success: false, trajectoryId: 'support-run' }]);
    return Promise.resolve(query(library.length > 0));
  };
  return { run, calls };
}

const options = (run: SplitRunner) => ({
  guidanceDir: join(dir, 'guidance'),
  trajectoriesDir: join(dir, 'trajectories'),
  runSplit: run,
  supervision,
});

describe('evolve: support/query discipline', () => {
  it.each([
    [
      'promotes a candidate that lifts query success with no regression',
      (g: boolean) => [
        { problemId: 'q1', success: true },
        { problemId: 'q2', success: g },
      ],
      'promoted',
      [1, 2],
    ],
    [
      'retires a candidate that regresses any query problem, even with a net gain',
      (g: boolean) => [
        { problemId: 'q1', success: !g },
        { problemId: 'q2', success: g },
        { problemId: 'q3', success: g },
      ],
      'retired',
      [1, 1],
    ],
    [
      'keeps a candidate that changes nothing as a candidate',
      () => [{ problemId: 'q1', success: true }],
      'candidate',
      [1, 1],
    ],
  ])('%s', async (_name, query, status, [before, after]) => {
    const { run, calls } = runner(query);
    const report = await evolve(options(run));
    const id = 'wrong-fault-type-autherrors-network-storage-issue';
    expect(calls).toEqual(['support:', 'query:', `query:${id}@promoted`]);
    expect(report.query).toMatchObject({ before, after });
    expect(report.candidates.map((c) => [c.id, c.status])).toEqual([[id, status]]);
    const { files } = await loadGuidanceDir(join(dir, 'guidance'));
    expect(files.map((f) => f.guidance.frontMatter.status)).toEqual([status]);
    expect(files[0]!.guidance.frontMatter.query).toMatchObject({ before });
  });

  it('runs later splits with the promoted guidance and learns nothing new from solved support runs', async () => {
    const first = runner((g) => [{ problemId: 'q1', success: g }]);
    await evolve(options(first.run));
    const second = runner(() => [{ problemId: 'q1', success: true }]);
    const report = await evolve({
      ...options(second.run),
      // The support run now succeeds: nothing to mine.
      runSplit: (split, library) =>
        split === 'support'
          ? Promise.resolve([{ problemId: 'gone-1', success: true }])
          : second.run(split, library),
    });
    expect(report.clusters).toEqual([]);
    expect(second.calls).toEqual(['query:wrong-fault-type-autherrors-network-storage-issue@promoted']);
  });
});
