/**
 * An incident target given as an API server URL, its CA and the two agents' bearer tokens (how the bench
 * hands a solver its cluster). Builds the observer's reader, metrics and trace sources from the observer token and
 * the executor's clients from the executor token; the two never share a client.
 */
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { AoiError } from '../core/errors.js';
import type { ExecutorClients } from '../executor/actions/types.js';
import type { MetricsSource } from '../observer/analyzers/telemetry.js';
import type { TraceSource } from '../observer/analyzers/traces.js';
import { createApiReader } from '../observer/api-reader.js';
import type { ClusterReader } from '../observer/cluster-reader.js';
import { JaegerReader } from '../observer/jaeger-reader.js';
import { PrometheusReader } from '../observer/prometheus-reader.js';
import { credentialsFor } from '../observer/telemetry-credentials.js';

export interface ApiEndpoint {
  url: string;
  caPem: string;
  observerToken: string;
  executorToken: string;
  /** The Prometheus API; defaults to the API server's URL (the simulator serves both). */
  prometheusUrl?: string;
  /** The Jaeger query API; defaults to the API server's URL (the simulator serves both). */
  jaegerUrl?: string;
}

function kubeConfigFor(endpoint: ApiEndpoint, user: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'target', server: endpoint.url, caData: Buffer.from(endpoint.caPem).toString('base64') },
    ],
    users: [{ name: user, token }],
    contexts: [{ name: user, cluster: 'target', user }],
    currentContext: user,
  });
  return kc;
}

export function observerOf(endpoint: ApiEndpoint): {
  reader: ClusterReader;
  metrics: MetricsSource;
  traces: TraceSource;
} {
  const reader = createApiReader({
    kubeConfig: kubeConfigFor(endpoint, 'aoi-observer', endpoint.observerToken),
  });
  if (!reader.ok) throw new AoiError('config', reader.error.message);
  // The observer token goes to the API server (and so the simulator's own telemetry) only.
  const context = { apiServer: endpoint.url, kubeToken: endpoint.observerToken, kubeCaPem: endpoint.caPem };
  const readerOf = (what: string, url: string) => {
    const decided = credentialsFor(what, url, context);
    if (!decided.ok) throw new AoiError('config', decided.error.message);
    return { url, ...decided.value };
  };
  const metrics = new PrometheusReader(readerOf('Prometheus', endpoint.prometheusUrl ?? endpoint.url));
  const traces = new JaegerReader(readerOf('Jaeger', endpoint.jaegerUrl ?? endpoint.url));
  return { reader: reader.value, metrics, traces };
}

export function executorOf(endpoint: ApiEndpoint): ExecutorClients {
  const kc = kubeConfigFor(endpoint, 'aoi-executor', endpoint.executorToken);
  return { core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api) };
}
