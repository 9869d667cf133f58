import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { SolverEnv } from './types.js';

/** API clients with the executor's credential, verifying the simulator's certificate. */
export function executorClients(env: SolverEnv): { core: CoreV1Api; apps: AppsV1Api } {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'sim',
        server: env.apiServer.url,
        caData: Buffer.from(env.apiServer.caPem).toString('base64'),
        skipTLSVerify: false,
      },
    ],
    users: [{ name: 'bench-executor', token: env.apiServer.executorToken }],
    contexts: [{ name: 'bench-executor', cluster: 'sim', user: 'bench-executor' }],
    currentContext: 'bench-executor',
  });
  return { core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api) };
}
