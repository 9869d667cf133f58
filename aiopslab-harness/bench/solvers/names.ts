/** The reference solvers' names, apart from their code so that the CLI can list them without loading it. */
export const SOLVER_NAMES = ['oracle', 'nothing'] as const;
export type SolverName = (typeof SOLVER_NAMES)[number];
