import type { SimCluster } from '../../aiopslab-harness/sim/cluster.js';
import type { VerifyClock } from '../../src/executor/verifier.js';

/**
 * The simulator's own time for code that waits (verifiers, score polls): each wait advances the cluster by
 * hand, so a rollout takes the same number of polls however busy the machine is, and no test races the wall
 * clock. The yield lets HTTP requests in flight finish between steps.
 */
export function drivenClock(cluster: SimCluster): VerifyClock {
  return {
    now: () => cluster.clock.now(),
    sleep: async (ms) => {
      cluster.advance(ms);
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
