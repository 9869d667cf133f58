import { defineConfig } from 'vitest/config';

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
