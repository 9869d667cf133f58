import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProblems } from '../../aiopslab-harness/bench/load-problems.js';
import type { Problem } from '../../aiopslab-harness/bench/problem.js';
import type { AttemptRecord } from '../../aiopslab-harness/bench/runner.js';
import { runBench } from '../../aiopslab-harness/bench/runner.js';
import {
  mergeReportFiles,
  mergeReports,
  parseShard,
  shardProblems,
} from '../../aiopslab-harness/bench/shard.js';
import { oracleSolver } from '../../aiopslab-harness/bench/solvers/oracle.js';
import { nothingSolver } from '../../aiopslab-harness/bench/solvers/nothing.js';

let problems: Problem[];

beforeAll(async () => {
  const all = await loadProblems();
  // One of each task type on two apps: enough to tell shards apart.
  problems = all.filter((p) =>
    /^(k8s_target_port-misconfig-[a-z]+-1|revoke_auth_mongodb-[a-z]+-1)$/.test(p.id),
  );
});

const report = (records: AttemptRecord[], shard?: { index: number; count: number }) =>
  JSON.parse(
    JSON.stringify({
      solver: 'oracle',
      mode: 'strict',
      attempts: 1,
      ...(shard ? { shard } : {}),
      summary: [],
      records,
    }),
  ) as unknown;

const essence = (records: readonly AttemptRecord[]) =>
  records.map((r) => [r.problemId, r.attempt, r.task, r.success, r.detail]);

describe('parseShard', () => {
  it.each([
    ['0/1', { index: 0, count: 1 }],
    ['3/4', { index: 3, count: 4 }],
  ])('%s', (text, shard) => expect(parseShard(text)).toEqual(shard));
  it.each(['4/4', '1', '-1/2', 'a/b', '1/0'])('refuses %s', (text) =>
    expect(() => parseShard(text)).toThrow(/not a shard/),
  );
});

describe('shardProblems', () => {
  it('splits deterministically into disjoint shards that cover every problem', () => {
    const all = [...Array(11).keys()].map((i) => ({ id: `p-${String(i).padStart(2, '0')}` }));
    const shards = [0, 1, 2].map((index) => shardProblems(all, { index, count: 3 }));
    expect(shards.map((s) => s.length)).toEqual([4, 4, 3]);
    expect(
      shards
        .flat()
        .map((p) => p.id)
        .sort(),
    ).toEqual(all.map((p) => p.id));
    expect(shardProblems([...all].reverse(), { index: 1, count: 3 })).toEqual(shards[1]);
  });
});

describe('mergeReports', () => {
  it('N oracle shards merged equal one full run', async () => {
    expect(problems.length).toBeGreaterThanOrEqual(8);
    const options = { attempts: 1, concurrency: 2, mode: 'strict' as const };
    const full = await runBench(problems, oracleSolver, options);
    const parts = await Promise.all(
      [0, 1, 2].map(async (index) => {
        const shard = { index, count: 3 };
        return report(await runBench(shardProblems(problems, shard), oracleSolver, options), shard);
      }),
    );
    const merged = mergeReports(parts);
    const whole = mergeReports([report(full)]);
    expect(essence(merged.records)).toEqual(essence(whole.records));
    const counts = (m: typeof merged) =>
      m.summary.map((s) => [s.task, s.problems, s.attempts, s.avgAt1, s.bestAtN]);
    expect(counts(merged)).toEqual(counts(whole));
    expect(merged.summary.at(-1)).toMatchObject({ task: 'all', avgAt1: 1, problems: problems.length });
  }, 120_000);

  it('refuses shards of different campaigns, missing or repeated shards, and duplicated records', async () => {
    const some = problems.slice(0, 2);
    const records = await runBench(some, nothingSolver, { attempts: 1, concurrency: 2, mode: 'strict' });
    const a = report(records.slice(0, 1), { index: 0, count: 2 });
    const b = report(records.slice(1), { index: 1, count: 2 });
    expect(mergeReports([a, b]).records).toHaveLength(2);
    expect(() => mergeReports([a])).toThrow(/1\/2 missing/);
    expect(() => mergeReports([a, a])).toThrow(/twice/);
    expect(() => mergeReports([report(records), report(records)])).toThrow(/in two reports/);
    const other = { ...(b as object), solver: 'nothing' };
    expect(() => mergeReports([a, other])).toThrow(/same campaign/);
    expect(() => mergeReports([{ hello: 1 }])).toThrow(/not an aoi bench report/);
    expect(() => mergeReports([])).toThrow(/nothing to merge/);
  });

  it('merges report files, naming a file that is not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aoi-shard-'));
    try {
      const records = await runBench(problems.slice(0, 2), nothingSolver, {
        attempts: 1,
        concurrency: 2,
        mode: 'strict',
      });
      const files = [0, 1].map((i) => join(dir, `shard-${i}.json`));
      await writeFile(files[0]!, JSON.stringify(report(records.slice(0, 1), { index: 0, count: 2 })));
      await writeFile(files[1]!, JSON.stringify(report(records.slice(1), { index: 1, count: 2 })));
      expect((await mergeReportFiles(files)).records.map((r) => r.problemId)).toEqual(
        records.map((r) => r.problemId).sort(),
      );
      await writeFile(files[1]!, '{oops');
      await expect(mergeReportFiles(files)).rejects.toThrow(/shard-1\.json is not JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
