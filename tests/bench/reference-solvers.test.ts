import { beforeAll, describe, expect, it } from 'vitest';
import { loadProblems } from '../../aiopslab-harness/bench/load-problems.js';
import type { Problem } from '../../aiopslab-harness/bench/problem.js';
import type { AttemptRecord } from '../../aiopslab-harness/bench/runner.js';
import { runBench } from '../../aiopslab-harness/bench/runner.js';
import { nothingSolver } from '../../aiopslab-harness/bench/solvers/nothing.js';
import type { SolverEnv } from '../../aiopslab-harness/bench/solvers/types.js';
import { briefOf, prepareCluster } from '../../aiopslab-harness/bench/environment.js';
import type { MitigationMode, ScoreResult } from '../../aiopslab-harness/bench/evaluate.js';
import { scoreAnswer, scoreMitigation, simClusterState } from '../../aiopslab-harness/bench/evaluate.js';
import { oracleSolver } from '../../aiopslab-harness/bench/solvers/oracle.js';

/** AIOpsLab's mitigation checks that doing nothing passes (../shared/aiopslab/README.md). */
const LENIENT_FAULTS = new Set(['assign_to_non_existent_node', 'auth_miss_mongodb', 'feature_flag']);

let problems: Problem[];

function failures(records: AttemptRecord[]): string[] {
  return records.filter((r) => !r.success).map((r) => `${r.problemId}: ${r.error ?? r.detail}`);
}

/** A solver env whose API server refuses connections (port 9, discard): the do-nothing solver never calls it. */
function unreachable(problem: Problem): SolverEnv {
  return {
    brief: briefOf(problem),
    apiServer: { url: 'https://127.0.0.1:9', caPem: '', observerToken: '', executorToken: '' },
  };
}

/** What the do-nothing solver scores per problem, in both mitigation modes. */
const nothing = new Map<string, Record<MitigationMode, ScoreResult>>();

function passedDoingNothing(mode: MitigationMode): string[] {
  return [...nothing]
    .filter(([, scores]) => scores[mode].success)
    .map(([id]) => id)
    .sort();
}

beforeAll(async () => {
  problems = await loadProblems();
  // The do-nothing solver looks at nothing, so only mitigation problems need a cluster: each is prepared
  // once (the runner's path, with its HTTPS server, is the oracle's test) and scored in both modes right
  // away, as the runner scores a mitigation the moment the solver submits. 14 clusters instead of 101.
  for (const problem of problems) {
    const { answer } = await nothingSolver(problem).solve(unreachable(problem));
    if (problem.task !== 'mitigation') {
      const score = scoreAnswer(problem, answer);
      nothing.set(problem.id, { strict: score, faithful: score });
      continue;
    }
    const state = simClusterState(prepareCluster(problem, 1));
    nothing.set(problem.id, {
      strict: await scoreMitigation(problem, state, 'strict'),
      faithful: await scoreMitigation(problem, state, 'faithful'),
    });
  }
}, 120_000);

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

  it('doing nothing passes only the no-fault detections in strict mode', () => {
    const noFault = problems
      .filter((p) => p.fault.kind === 'noop')
      .map((p) => p.id)
      .sort();
    expect(noFault.length).toBe(3);
    expect(passedDoingNothing('strict')).toEqual(noFault);
  });

  it("doing nothing passes exactly AIOpsLab's lenient mitigation checks in faithful mode", () => {
    const lenient = problems
      .filter((p) => p.task === 'mitigation' && LENIENT_FAULTS.has(p.fault.kind))
      .map((p) => p.id)
      .sort();
    expect(lenient).toHaveLength(3);
    expect(passedDoingNothing('faithful').filter((id) => !id.startsWith('noop_'))).toEqual(lenient);
  });
});
