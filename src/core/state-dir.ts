import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$AOI_STATE_DIR`, else `$XDG_STATE_HOME/aoi`, else `~/.local/state/aoi`. */
export function resolveStateDir(env: NodeJS.ProcessEnv): string {
  if (env.AOI_STATE_DIR) return env.AOI_STATE_DIR;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'aoi');
  return join(env.HOME || homedir(), '.local', 'state', 'aoi');
}

export interface StatePaths {
  trajectories: string;
  audit: string;
  guidance: string;
}

export function statePaths(stateDir: string): StatePaths {
  return {
    trajectories: join(stateDir, 'trajectories'),
    audit: join(stateDir, 'audit.jsonl'),
    guidance: join(stateDir, 'guidance'),
  };
}

/**
 * Where `--sim` runs and bench runs keep their audit logs (and `aoi sim start` its kubeconfig): a subtree of
 * its own, so writes to a throw-away simulated cluster never mix with the real clusters' audit log.
 */
export function simStateDir(stateDir: string): string {
  return join(stateDir, 'sim');
}
