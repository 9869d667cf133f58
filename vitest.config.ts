import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import type { TestSpecification } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';

/**
 * Files that run for a minute or more. On a fresh clone vitest has no timings yet and orders files by size, so
 * these small files started last: in the session's baseline run the Python relay and the reference solvers
 * began at 265 s and 280 s of 354 s and left one worker busy for the final 80 s. Started first, they overlap
 * with everything else.
 */
const LONG_RUNNING = [
  'tests/agent/python-relay.test.ts',
  'tests/observer/real-prometheus.test.ts',
  'tests/cli/serve-alert-chain.test.ts',
  'tests/bench/agent-mitigations.test.ts',
  'tests/bench/reference-solvers.test.ts',
  'tests/cli/bench.test.ts',
  'tests/cli/diagnose.test.ts',
  'tests/tui/tmux.test.ts',
  'tests/cli/compromised-model.test.ts',
  'tests/evolver/done-when-labels.test.ts',
];

class LongRunningFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONG_RUNNING.indexOf(relative(import.meta.dirname, f.moduleId));
      return i === -1 ? LONG_RUNNING.length : i;
    };
    return sorted
      .map((file, order) => ({ file, order }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.order - b.order)
      .map(({ file }) => file);
  }
}

/**
 * Tests that start real child processes: the aoi binary (Node plus its module loading, from sources through
 * tsx), Python's orchestrator, tmux. A busy two-core machine stretches each start-up several-fold, so these get
 * a generous limit. Everything else runs in-process, on the simulator's clock driven by hand, and keeps the
 * default limit: an in-process test that needs more is a slow test to fix, not a limit to raise.
 */
const CHILD_PROCESS_TESTS = [
  'tests/cli/**/*.test.ts',
  'tests/agent/python-relay.test.ts',
  'tests/tui/tmux.test.ts',
  'tests/tui/live-ink.test.ts',
  'tests/evolver/bench-flags.test.ts',
  'tests/core/jsonl.test.ts',
];

export default defineConfig({
  test: {
    environment: 'node',
    // Three on two cores: many tests wait on child processes and HTTP, not the CPU.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    restoreMocks: true,
    unstubEnvs: true,
    sequence: { sequencer: LongRunningFirst },
    // The process tests spawn a transpiled build of aoi, made once here (tests/built-aoi.ts).
    globalSetup: ['tests/global-setup.ts'],
    // No `include` here: projects inherit this block, and include lists would be merged, not replaced.
    projects: [
      {
        extends: true,
        test: {
          name: 'processes',
          include: CHILD_PROCESS_TESTS,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'in-process',
          include: ['tests/**/*.test.{ts,tsx}'],
          exclude: CHILD_PROCESS_TESTS,
        },
      },
    ],
  },
});
