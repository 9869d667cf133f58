import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SimCluster } from '../../aiopslab-harness/sim/cluster.js';
import { EXECUTOR_CONTEXT, renderKubeconfig } from '../../aiopslab-harness/sim/kubeconfig.js';
import { getApp } from '../../aiopslab-harness/sim/apps/index.js';
import { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import type { ExecutorClients } from '../../src/executor/actions/types.js';
import type { Policy } from '../../src/core/policy.js';

export const NS = 'test-hotel-reservation';

/** A settled hotel-reservation cluster behind the real HTTPS simulator, its clock running 20× wall time. */
export async function startSim(seed: number): Promise<SimServer> {
  const cluster = new SimCluster({ seed });
  cluster.deployApp(getApp('hotel-reservation')!);
  if (!cluster.settle()) throw new Error('the cluster did not settle');
  cluster.advance(60_000);
  return SimServer.start({ cluster, realtime: true, speed: 20 });
}

/** API clients for one of the server's tokens, verifying its certificate. */
export function clientsFor(server: SimServer, role: 'executor' | 'observer'): ExecutorClients {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sim', server: server.url, caData: Buffer.from(server.caPem).toString('base64') }],
    users: [{ name: `sim-${role}`, token: server.tokens[role] }],
    contexts: [{ name: 'x', cluster: 'sim', user: `sim-${role}` }],
    currentContext: 'x',
  });
  return { core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api) };
}

/** The executor's API clients plus a kubeconfig in `dir` for its kubectl action, with a clean environment. */
export async function clientsWithKubectl(server: SimServer, dir: string): Promise<ExecutorClients> {
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, renderKubeconfig(server.url, server.tokens, server.caPem), { mode: 0o600 });
  return {
    ...clientsFor(server, 'executor'),
    kubectl: {
      kubeconfig,
      context: EXECUTOR_CONTEXT,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, KUBECACHEDIR: join(dir, 'cache') },
      timeoutMs: 20_000,
      cwd: dir,
    },
  };
}

/** Writes (dry runs included) made after the request-log position `since`. */
export function writesSince(server: SimServer, since: number) {
  return server.requestLog.filter(
    (e) => e.seq > since && !['get', 'list', 'watch', 'discovery'].includes(e.verb),
  );
}

/**
 * A shipped policy with its content constraints widened, for tests of the executor's own paths (dry run,
 * verification, rollback) that need a change the constraints now refuse before the dry run: an image from
 * an unknown registry, a large scale-down, a kubectl patch, any value of a test ConfigMap. The constraints
 * themselves are tested in tests/executor/constraints.test.ts and tests/cli/compromised-model.test.ts.
 */
export function widened(policy: Policy): Policy {
  const c = policy.constraints ?? {};
  const anyPath = [1, 2, 3, 4].map((n) => Array.from({ length: n }, () => '*'));
  return {
    ...policy,
    constraints: {
      ...c,
      images: { ...c.images, registries: [...(c.images?.registries ?? []), 'example.invalid'] },
      scale: { ...c.scale, maxScaleDownFraction: 1 },
      kubectlWrites: 'allow',
      configValues: [
        ...(c.configValues ?? []),
        { namespaces: ['*'], configMaps: ['dry-*', 'test-*'], keys: ['*'], paths: anyPath },
      ],
    },
  };
}
