import { stringify } from 'yaml';
import type { Tokens } from './server/auth.js';

export const OBSERVER_CONTEXT = 'aoi-observer';
export const EXECUTOR_CONTEXT = 'aoi-executor';

/**
 * A kubeconfig for the simulated cluster with one user and context per agent. The current context is the
 * observer's, so a tool pointed at it by mistake can only read.
 */
export function renderKubeconfig(
  server: string,
  tokens: Pick<Tokens, 'observer' | 'executor'>,
  caPem: string,
  clusterName = 'aoi-sim',
): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      {
        name: clusterName,
        cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') },
      },
    ],
    users: [
      { name: `${clusterName}-observer`, user: { token: tokens.observer } },
      { name: `${clusterName}-executor`, user: { token: tokens.executor } },
    ],
    contexts: [
      { name: OBSERVER_CONTEXT, context: { cluster: clusterName, user: `${clusterName}-observer` } },
      { name: EXECUTOR_CONTEXT, context: { cluster: clusterName, user: `${clusterName}-executor` } },
    ],
    'current-context': OBSERVER_CONTEXT,
  });
}
