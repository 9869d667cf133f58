/**
 * `aoi bench --shard I/N` and `aoi bench merge`: a campaign split over N workers (a Kubernetes Indexed Job,
 * JOB_COMPLETION_INDEX = I) and put back together. Problems are sorted by id and dealt round-robin, so every
 * worker computes the same split from the same catalog, shards are disjoint, and together they cover it.
 * Merging checks that the shards belong to one campaign and cover each shard once, then re-summarises, so
 * N merged shards equal one full run (up to timing).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { TaskType } from '../../src/core/aiopslab.js';
import type { Problem } from './problem.js';
import type { TaskSummary } from './report.js';
import { summariseBench } from './report.js';
import type { AttemptRecord } from './runner.js';

export const Shard = z
  .object({ index: z.int().min(0), count: z.int().min(1) })
  .refine((s) => s.index < s.count, { message: 'the index must be below the count', path: ['index'] });
export type Shard = z.infer<typeof Shard>;

/** "I/N" with 0 ≤ I < N (0-based, as JOB_COMPLETION_INDEX is). */
export function parseShard(text: string): Shard {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a shard: use I/N, e.g. 0/4 (0-based index / count)`);
  const parsed = Shard.safeParse({ index: Number(m[1]), count: Number(m[2]) });
  if (!parsed.success) throw new Error(`"${text}" is not a shard: I must be from 0 to N-1 and N at least 1`);
  return parsed.data;
}

export function shardProblems<P extends Pick<Problem, 'id'>>(problems: readonly P[], shard: Shard): P[] {
  const sorted = [...problems].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return sorted.filter((_, i) => i % shard.count === shard.index);
}

const Record = z.looseObject({
  problemId: z.string().min(1),
  task: TaskType,
  attempt: z.int().min(1),
  success: z.boolean(),
  steps: z.number(),
  ttaMs: z.number(),
  inTokens: z.number(),
  outTokens: z.number(),
  detail: z.string(),
});

/** The JSON `aoi bench --json` writes; `shard` is present when the run was one shard. */
export const BenchReport = z.looseObject({
  solver: z.string(),
  mode: z.string(),
  attempts: z.int().min(1),
  shard: Shard.optional(),
  summary: z.array(z.unknown()),
  records: z.array(Record),
});
export type BenchReport = z.infer<typeof BenchReport>;

export interface MergedReport {
  solver: string;
  mode: string;
  attempts: number;
  shards: number;
  summary: TaskSummary[];
  records: AttemptRecord[];
}

const byProblemThenAttempt = (a: AttemptRecord, b: AttemptRecord) =>
  a.problemId < b.problemId ? -1 : a.problemId > b.problemId ? 1 : a.attempt - b.attempt;

/** Merges shard reports (parsed JSON); throws with the reason when they do not make one campaign. */
export function mergeReports(inputs: readonly unknown[]): MergedReport {
  if (inputs.length === 0) throw new Error('nothing to merge');
  const reports = inputs.map((input, i) => {
    const parsed = BenchReport.safeParse(input);
    if (!parsed.success)
      throw new Error(`report ${i + 1} is not an aoi bench report: ${parsed.error.message}`);
    return parsed.data;
  });
  const first = reports[0]!;
  for (const [i, r] of reports.entries()) {
    if (r.solver !== first.solver || r.mode !== first.mode || r.attempts !== first.attempts)
      throw new Error(
        `report ${i + 1} (${r.solver}, ${r.mode}, ${r.attempts} attempts) is not from the same campaign as report 1 (${first.solver}, ${first.mode}, ${first.attempts} attempts)`,
      );
  }
  const shards = reports.map((r) => r.shard);
  if (shards.some((s) => s !== undefined)) {
    const count = shards[0]?.count;
    if (shards.some((s) => s === undefined || s.count !== count))
      throw new Error('every report must be a shard of the same count (--shard I/N with one N)');
    const seen = new Set(shards.map((s) => s!.index));
    if (seen.size !== shards.length) throw new Error('a shard index appears twice');
    const missing = Array.from({ length: count! }, (_, i) => i).filter((i) => !seen.has(i));
    if (missing.length > 0)
      throw new Error(`shard(s) ${missing.map((i) => `${i}/${count}`).join(', ')} missing`);
  }
  const records = reports.flatMap((r) => r.records as unknown as AttemptRecord[]).sort(byProblemThenAttempt);
  for (let i = 1; i < records.length; i++) {
    const a = records[i - 1]!;
    const b = records[i]!;
    if (a.problemId === b.problemId && a.attempt === b.attempt)
      throw new Error(`problem ${a.problemId} attempt ${a.attempt} is in two reports`);
  }
  return {
    solver: first.solver,
    mode: first.mode,
    attempts: first.attempts,
    shards: reports.length,
    summary: summariseBench(records),
    records,
  };
}

/** Reads `aoi bench --json` files and merges them; a file that is not JSON is named in the error. */
export async function mergeReportFiles(paths: readonly string[]): Promise<MergedReport> {
  const inputs = await Promise.all(
    paths.map(async (path) => {
      const text = await readFile(path, 'utf8');
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new Error(`${path} is not JSON: ${(error as Error).message}`, { cause: error });
      }
    }),
  );
  return mergeReports(inputs);
}
