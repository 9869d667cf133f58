import { stringify } from 'yaml';
import type { Tokens } from './server/auth.js';

export const OBSERVER_CONTEXT = 'aoi-observer';
export const EXECUTOR_CONTEXT = 'aoi-executor';
/** A token that authenticates but may read nothing (no RoleBinding); never the current context. */
export const NOBODY_CONTEXT = 'aoi-nobody';

export interface KubeconfigOptions {
  clusterName?: string;
  /** Every context's namespace, as `kubectl config set-context --namespace` sets it. */
  namespace?: string;
}

/**
 * A kubeconfig for the simulated cluster with one user and context per agent (and `aoi-nobody` when its
 * token is given). The current context is the observer's, so a tool pointed at it by mistake can only read.
 */
export function renderKubeconfig(
  server: string,
  tokens: Pick<Tokens, 'observer' | 'executor'> & Partial<Pick<Tokens, 'nobody'>>,
  caPem: string,
  options: KubeconfigOptions = {},
): string {
  const clusterName = options.clusterName ?? 'aoi-sim';
  const users: [string, string, string | undefined][] = [
    [OBSERVER_CONTEXT, `${clusterName}-observer`, tokens.observer],
    [EXECUTOR_CONTEXT, `${clusterName}-executor`, tokens.executor],
    [NOBODY_CONTEXT, `${clusterName}-nobody`, tokens.nobody],
  ];
  const present = users.filter((u): u is [string, string, string] => u[2] !== undefined);
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
    users: present.map(([, user, token]) => ({ name: user, user: { token } })),
    contexts: present.map(([context, user]) => ({
      name: context,
      context: {
        cluster: clusterName,
        user,
        ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
      },
    })),
    'current-context': OBSERVER_CONTEXT,
  });
}
