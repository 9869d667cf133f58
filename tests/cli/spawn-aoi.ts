/** The real `aoi` binary as a child process, for tests of what a user sees: output, exit codes, no stacks. */
import { join } from 'node:path';
import { execa } from 'execa';
import { BUILT_AOI_BIN } from '../built-aoi.js';

/** The build tests/global-setup.ts makes before any test runs. */
export const AOI_BIN = BUILT_AOI_BIN;

/**
 * Runs `aoi ARGS` in a clean environment: HOME and the state dir under `home`, PATH kept (kubectl), and
 * Ollama at port 9 (discard), which refuses connections, as on CI. Never rejects on an exit code.
 */
export function spawnAoi(
  args: readonly string[],
  home: string,
  options: { env?: Record<string, string>; timeoutMs?: number; input?: string } = {},
) {
  return execa(process.execPath, [AOI_BIN, ...args], {
    reject: false,
    timeout: options.timeoutMs ?? 60_000,
    ...(options.input === undefined ? {} : { input: options.input }),
    env: {
      AOI_STATE_DIR: join(home, 'state'),
      HOME: home,
      PATH: process.env.PATH ?? '',
      OLLAMA_HOST: 'http://127.0.0.1:9',
      ...options.env,
    },
    extendEnv: false,
  });
}
