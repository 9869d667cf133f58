/** The solvers' names, apart from their code so that the CLI can list them without loading it. */
export const SOLVER_NAMES = ['aoi', 'oracle', 'nothing'] as const;
export type SolverName = (typeof SOLVER_NAMES)[number];
/** The harness's reference solvers: they need no options. */
export type ReferenceSolverName = Exclude<SolverName, 'aoi'>;
