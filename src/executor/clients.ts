import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { AoiError } from '../core/errors.js';
import { loadKubeConfig } from '../observer/client-node-kubeconfig.js';
import type { ExecutorClients } from './actions/types.js';
import { clusterIdentity } from './cluster-identity.js';

export interface ExecutorTarget {
  kubeconfig?: string;
  /** The executor's context; the kubeconfig's current one when absent. */
  context?: string;
}

/** The executor's own clients (API and kubectl) for one kubeconfig context; a bad kubeconfig is a config error. */
export function executorClients(target: ExecutorTarget, env: NodeJS.ProcessEnv): ExecutorClients {
  const loaded = loadKubeConfig({
    ...(target.kubeconfig === undefined ? {} : { kubeconfig: target.kubeconfig }),
    ...(target.context === undefined ? {} : { context: target.context }),
  });
  if (!loaded.ok)
    throw new AoiError('config', loaded.error.message, {
      hint: "Pass --kubeconfig PATH and --context NAME (the executor's write context).",
    });
  const kc = loaded.value;
  const kubeconfig =
    target.kubeconfig ?? env.KUBECONFIG?.split(':')[0] ?? join(env.HOME ?? homedir(), '.kube', 'config');
  return {
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    target: clusterIdentity(kc),
    kubectl: {
      kubeconfig,
      context: kc.getCurrentContext(),
      env: { PATH: env.PATH ?? '/usr/bin:/bin', HOME: env.HOME ?? tmpdir() },
    },
  };
}
