import { beforeAll, describe, expect, it } from 'vitest';
import { loadProblems } from '../../aiopslab-harness/bench/load-problems.js';
import type { Problem } from '../../aiopslab-harness/bench/problem.js';
import type { AttemptRecord } from '../../aiopslab-harness/bench/runner.js';
import { runBench } from '../../aiopslab-harness/bench/runner.js';
import { nothingSolver } from '../../aiopslab-harness/bench/solvers/nothing.js';
import { oracleSolver } from '../../aiopslab-harness/bench/solvers/oracle.js';

/** AIOpsLab's mitigation checks that doing nothing passes (../shared/aiopslab/README.md). */
const LENIENT_FAULTS = new Set(['assign_to_non_existent_node', 'auth_miss_mongodb', 'feature_flag']);

let problems: Problem[];

function failures(records: AttemptRecord[]): string[] {
  return records.filter((r) => !r.success).map((r) => `${r.problemId}: ${r.error ?? r.detail}`);
}

function passed(records: AttemptRecord[]): string[] {
  return records
    .filter((r) => r.success)
    .map((r) => r.problemId)
    .sort();
}

beforeAll(async () => {
  problems = await loadProblems();
});

describe('the reference solvers keep the simulator and evaluator honest', () => {
  it(
    'the oracle solves all 87 problems, fixing every mitigation through the API',
    { timeout: 240_000 },
    async () => {
      const records = await runBench(problems, oracleSolver, { attempts: 1, concurrency: 4, mode: 'strict' });
      expect(records).toHaveLength(87);
      expect(failures(records)).toEqual([]);
    },
  );

  it('doing nothing passes only the no-fault detections in strict mode', { timeout: 120_000 }, async () => {
    const records = await runBench(problems, nothingSolver, { attempts: 1, concurrency: 4, mode: 'strict' });
    const noFault = problems
      .filter((p) => p.fault.kind === 'noop')
      .map((p) => p.id)
      .sort();
    expect(noFault.length).toBe(3);
    expect(passed(records)).toEqual(noFault);
  });

  it(
    "doing nothing passes exactly AIOpsLab's lenient mitigation checks in faithful mode",
    { timeout: 120_000 },
    async () => {
      const mitigations = problems.filter((p) => p.task === 'mitigation');
      const records = await runBench(mitigations, nothingSolver, {
        attempts: 1,
        concurrency: 4,
        mode: 'faithful',
      });
      const lenient = mitigations
        .filter((p) => LENIENT_FAULTS.has(p.fault.kind))
        .map((p) => p.id)
        .sort();
      expect(lenient).toHaveLength(3);
      expect(passed(records)).toEqual(lenient);
    },
  );
});
