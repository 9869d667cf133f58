import type { ReferenceSolverName } from './names.js';
import { nothingSolver } from './nothing.js';
import { oracleSolver } from './oracle.js';
import type { SolverFactory } from './types.js';

/** The harness's reference solvers; the agent itself is `aoiSolver(options)` (./aoi.ts). */
export const SOLVERS: Readonly<Record<ReferenceSolverName, SolverFactory>> = {
  oracle: oracleSolver,
  nothing: nothingSolver,
};
export { aoiSolver } from './aoi.js';
