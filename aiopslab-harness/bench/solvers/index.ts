import type { SolverName } from './names.js';
import { nothingSolver } from './nothing.js';
import { oracleSolver } from './oracle.js';
import type { SolverFactory } from './types.js';

/** The harness's reference solvers; the aoi agent joins them as a solver once `aoi diagnose` exists. */
export const SOLVERS: Readonly<Record<SolverName, SolverFactory>> = {
  oracle: oracleSolver,
  nothing: nothingSolver,
};
