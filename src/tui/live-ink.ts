/**
 * ink 6.8 has no render option for live frames: it imports `is-in-ci`, which reads CI and
 * CONTINUOUS_INTEGRATION once, when it is first evaluated, and from then on ink draws only the final frame
 * and ignores resizes. `aoi tui` on a TTY is interactive whatever a developer's shell exports, so ink is
 * loaded with those two variables hidden; they are put back right after.
 */
import type * as InkModule from 'ink';

type Ink = typeof InkModule;

/** The variables is-in-ci reads (set and not "0"/"false" means CI). */
export const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

/** Whether ink, loaded now with this environment, would draw live frames. */
export function inkDrawsLive(env: NodeJS.ProcessEnv): boolean {
  return CI_VARIABLES.every((key) => !(key in env) || env[key] === '0' || env[key] === 'false');
}

/**
 * Loads ink so that it draws live frames when `stdout` is a TTY. Must run before anything else imports ink in
 * this process (ESM caches the module): run-tui imports the screen only after this.
 */
export async function loadInk(stdout: { isTTY?: boolean }): Promise<Ink> {
  const env = process.env;
  if (stdout.isTTY !== true || inkDrawsLive(env)) return import('ink');
  const saved = CI_VARIABLES.filter((key) => key in env).map((key) => [key, env[key]] as const);
  for (const [key] of saved) delete env[key];
  try {
    return await import('ink');
  } finally {
    for (const [key, value] of saved) env[key] = value;
  }
}
