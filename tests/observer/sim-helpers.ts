import { KubeConfig } from '@kubernetes/client-node';
import { getApp, SimCluster, SimServer } from '../../aiopslab-harness/sim/index.js';
import { injectFault, injectNoise } from '../../aiopslab-harness/sim/faults/index.js';
import { createApiReader } from '../../src/observer/api-reader.js';
import type { ClusterReader } from '../../src/observer/cluster-reader.js';
import { PrometheusReader } from '../../src/observer/prometheus-reader.js';

export interface Scenario {
  app: string;
  fault?: string;
  target?: string;
  noise?: string;
  seed?: number;
  params?: Record<string, string>;
}

/** Deploys the app, lets it run, injects the fault (or noise), lets symptoms appear. */
export function prepareCluster(s: Scenario): { cluster: SimCluster; namespace: string } {
  const app = getApp(s.app);
  if (!app) throw new Error(`no app ${s.app}`);
  const cluster = new SimCluster({ seed: s.seed ?? 7 });
  cluster.deployApp(app);
  cluster.settle();
  cluster.advance(5 * 60_000);
  if (s.fault)
    injectFault(cluster, app.defaultNamespace, {
      kind: s.fault,
      target: s.target ?? '',
      params: s.params ?? {},
    });
  if (s.noise) injectNoise(cluster, app.defaultNamespace, s.noise);
  cluster.advance(3 * 60_000);
  return { cluster, namespace: app.defaultNamespace };
}

/** A KubeConfig for the observer's token, trusting the server's own CA. */
export function observerKubeConfig(server: SimServer): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sim', server: server.url, caData: Buffer.from(server.caPem).toString('base64') }],
    users: [{ name: 'observer', token: server.tokens.observer }],
    contexts: [{ name: 'observer', cluster: 'sim', user: 'observer' }],
    currentContext: 'observer',
  });
  return kc;
}

export function apiReader(server: SimServer): ClusterReader {
  const reader = createApiReader({ kubeConfig: observerKubeConfig(server) });
  if (!reader.ok) throw new Error(reader.error.message);
  return reader.value;
}

export async function startScenario(
  s: Scenario,
): Promise<{ server: SimServer; cluster: SimCluster; namespace: string }> {
  const { cluster, namespace } = prepareCluster(s);
  const server = await SimServer.start({ cluster });
  return { server, cluster, namespace };
}

/** The simulator serves the Prometheus API next to the Kubernetes API, with the same observer token. */
export function metricsOf(server: SimServer): PrometheusReader {
  return new PrometheusReader({ url: server.url, token: server.tokens.observer, caPem: server.caPem });
}
