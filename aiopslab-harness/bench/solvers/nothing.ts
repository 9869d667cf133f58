import type { SolverFactory } from './types.js';

/**
 * The do-nothing reference: says "No" to detection, names nothing, analyses nothing and changes nothing. It
 * must fail every problem except the no-fault detections (and, in faithful mode, AIOpsLab's lenient checks).
 */
export const nothingSolver: SolverFactory = (problem) => ({
  solve() {
    const answers = { detection: 'No', localization: [], analysis: {}, mitigation: undefined };
    return Promise.resolve({ answer: answers[problem.task], steps: 1, inTokens: 0, outTokens: 0 });
  },
});
