import type { TrajectoryStatus } from '../../../src/core/trajectory.js';
import type { Problem } from '../problem.js';
import type { ProblemBrief } from '../environment.js';

/** How a solver reaches the simulated cluster: the API server and the two agents' credentials. */
export interface SolverEnv {
  brief: ProblemBrief;
  apiServer: { url: string; caPem: string; observerToken: string; executorToken: string };
}

/** What a solver submits, with AIOpsLab's cost fields. Mitigation solvers act on the cluster and submit nothing. */
export interface SolverOutput {
  answer?: unknown;
  /**
   * The solver's final reply as an action string (```` ```\nsubmit(...)\n``` ````); when present it is scored
   * through AIOpsLab's parser and submit rule (../submit-rule.ts) instead of `answer`.
   */
  submitAction?: string;
  steps: number;
  inTokens: number;
  outTokens: number;
  /** The agent's recorded trajectory, so the evaluator's verdict can be appended to it. */
  trajectory?: { id: string; path: string; status: TrajectoryStatus };
}

export interface Solver {
  solve(env: SolverEnv): Promise<SolverOutput>;
}

/**
 * Builds a solver for one problem. Reference solvers may read the problem (the oracle does); an agent's
 * factory ignores it and sees only the brief.
 */
export type SolverFactory = (problem: Problem) => Solver;
