import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import type { TestSpecification } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';

/**
 * Files that run for 15 s or more, longest first (their durations in the CI run of 2026-12-03 14:40, 447 s of
 * vitest on two cores). On a fresh clone vitest has no timings yet and orders files by size, so these small
 * files started last: in the session's baseline run the Python relay and the reference solvers began at 265 s
 * and 280 s of 354 s and left one worker busy for the final 80 s, and in that later run the CLI's process
 * tests (serve 33 s, schema-docs 24 s) were still running in the last minute. Started first, they overlap
 * with everything else.
 */
const LONG_RUNNING = [
  'tests/bench/agent-mitigations.test.ts', // 143 s
  'tests/agent/python-relay.test.ts', // 125 s
  'tests/observer/real-prometheus.test.ts', // 77 s
  'tests/bench/generate.test.ts', // 49 s
  'tests/cli/bench.test.ts', // 45 s
  'tests/cli/diagnose.test.ts', // 41 s
  'tests/cli/serve.test.ts', // 33 s
  'tests/cli/could-not-look.test.ts', // 28 s
  'tests/cli/serve-alert-chain.test.ts', // 26 s
  'tests/cli/schema-docs.test.ts', // 24 s
  'tests/bench/reference-solvers.test.ts', // 24 s
  'tests/cli/observe.test.ts', // 23 s
  'tests/cli/errors.test.ts', // 23 s
  'tests/cli/rollback.test.ts', // 22 s
  'tests/observer/observe-faults.test.ts', // 20 s
  'tests/tui/tmux.test.ts', // 19 s
  'tests/observer/telemetry-credentials.test.ts', // 17 s
  'tests/cli/diagnose-ollama.test.ts', // 16 s
  'tests/cli/compromised-model.test.ts', // 16 s
  'tests/cli/act.test.ts', // 15 s
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
