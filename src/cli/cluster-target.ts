/**
 * What a command talks to: a real cluster through a kubeconfig (the observer's context for reads, the
 * executor's for writes), or the embedded simulator with an AIOpsLab problem injected, reached the same way
 * over HTTPS through a kubeconfig written for it. Heavy modules load only when a target is built.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AoiError } from '../core/errors.js';
import type { ExecutorClients } from '../executor/actions/types.js';
import type { MetricsSource } from '../observer/analyzers/telemetry.js';
import type { TraceSource } from '../observer/analyzers/traces.js';
import type { ClusterReader } from '../observer/cluster-reader.js';
import type { ObserveOptions } from '../observer/observe.js';
import type { TelemetryAuth } from '../observer/telemetry-credentials.js';
import type { TelemetryAuthOptions } from './telemetry-auth.js';

export interface ClusterTarget {
  reader: ClusterReader;
  metrics?: MetricsSource;
  traces?: TraceSource;
  /** Built on first use, so a read-only run never loads the executor's credential. */
  executorClients(): Promise<ExecutorClients>;
  /** What telemetry discovery found, for one line on stderr. */
  notice?: string;
  /** The namespace the target implies (a simulated problem's, or the kubeconfig context's), if any. */
  namespace?: string;
  /** Where the telemetry URLs came from, for the observation's coverage. */
  telemetryVia?: ObserveOptions['telemetryVia'];
  /** A label for trajectories: the kubeconfig context or `sim:<problem>`. */
  cluster: string;
  problemId?: string;
  close(): Promise<void>;
}

export interface KubeTargetOptions {
  kubeconfig?: string;
  context?: string;
  /** The executor's context; defaults to the observer's (a single-credential kubeconfig). */
  executorContext?: string;
  prometheusUrl?: string;
  jaegerUrl?: string;
  /** The namespace to be observed: telemetry Services in it are preferred. */
  namespace?: string;
  /** Who gets which token (telemetry-auth.ts); absent: the kube token to the API server only. */
  auth?: TelemetryAuthOptions;
}

export interface TelemetrySources {
  metrics?: MetricsSource;
  traces?: TraceSource;
  /** What discovery found, for one line on stderr; absent when both URLs were given. */
  notice?: string;
  via: NonNullable<ObserveOptions['telemetryVia']>;
}

/**
 * Prometheus and Jaeger readers for a kubeconfig target: the URLs given, else Services found in the cluster
 * and reached through the API server's service proxy. The observer's (read-only) token and CA go to the API
 * server's origin only, never the executor's; another URL gets its own token file's token, or the kube
 * token when opted in, or none, and no token over plain http (telemetry-credentials.ts). Discovery never
 * fails; what it cannot find is simply not read.
 */
export async function telemetryFor(
  reader: ClusterReader,
  target: { kubeconfig?: string; context?: string },
  options: { prometheusUrl?: string; jaegerUrl?: string; namespace?: string; auth?: TelemetryAuthOptions },
): Promise<TelemetrySources> {
  const [
    { kubeApiServer, kubeCredentials },
    { PrometheusReader },
    { JaegerReader },
    { discoverTelemetry },
    { credentialsFor },
  ] = await Promise.all([
    import('../observer/api-reader.js'),
    import('../observer/prometheus-reader.js'),
    import('../observer/jaeger-reader.js'),
    import('../observer/discover-telemetry.js'),
    import('../observer/telemetry-credentials.js'),
  ]);
  const { observationError } = await import('../incident/observation-error.js');
  const credentials = kubeCredentials(target);
  if (!credentials.ok) throw observationError(credentials.error);
  let urls: { prometheusUrl?: string; jaegerUrl?: string } = options;
  let notice: string | undefined;
  // The API server's origin decides who gets the kubeconfig's token (telemetry-credentials.ts).
  const apiServer = kubeApiServer(target);
  if (options.prometheusUrl === undefined || options.jaegerUrl === undefined) {
    if (!apiServer.ok) throw observationError(apiServer.error);
    const found = await discoverTelemetry(reader, {
      apiServer: apiServer.value,
      ...(options.prometheusUrl === undefined ? {} : { prometheusUrl: options.prometheusUrl }),
      ...(options.jaegerUrl === undefined ? {} : { jaegerUrl: options.jaegerUrl }),
      ...(options.namespace === undefined ? {} : { namespaces: [options.namespace] }),
    });
    urls = found;
    notice = found.summary;
  }
  const context = {
    ...(apiServer.ok ? { apiServer: apiServer.value } : {}),
    ...(credentials.value.token === undefined ? {} : { kubeToken: credentials.value.token }),
    ...(credentials.value.caPem === undefined ? {} : { kubeCaPem: credentials.value.caPem }),
    allowInsecureLoopback: options.auth?.allowInsecureLoopback === true,
  };
  const readerCredentials = (what: string, url: string, auth: TelemetryAuth | undefined) => {
    const decided = credentialsFor(what, url, context, auth);
    if (!decided.ok) throw new AoiError('usage', decided.error.message);
    const { note: _note, ...rest } = decided.value;
    return rest;
  };
  return {
    ...(urls.prometheusUrl === undefined
      ? {}
      : {
          metrics: new PrometheusReader({
            url: urls.prometheusUrl,
            ...readerCredentials('Prometheus', urls.prometheusUrl, options.auth?.prometheus),
          }),
        }),
    ...(urls.jaegerUrl === undefined
      ? {}
      : {
          traces: new JaegerReader({
            url: urls.jaegerUrl,
            ...readerCredentials('Jaeger', urls.jaegerUrl, options.auth?.jaeger),
          }),
        }),
    ...(notice === undefined ? {} : { notice }),
    via: {
      ...(urls.prometheusUrl === undefined
        ? {}
        : { metrics: options.prometheusUrl === undefined ? 'discovered' : 'flag' }),
      ...(urls.jaegerUrl === undefined
        ? {}
        : { traces: options.jaegerUrl === undefined ? 'discovered' : 'flag' }),
    },
  };
}

export async function kubeTarget(options: KubeTargetOptions, env: NodeJS.ProcessEnv): Promise<ClusterTarget> {
  const { createApiReader, kubeNamespace } = await import('../observer/api-reader.js');
  const target = {
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
    ...(options.context === undefined ? {} : { context: options.context }),
  };
  const { observationError } = await import('../incident/observation-error.js');
  const made = createApiReader(target);
  if (!made.ok) throw observationError(made.error);
  // Without -n, the context's namespace, as kubectl has it (the caller falls back to default).
  const contextNamespace = kubeNamespace(target);
  if (!contextNamespace.ok) throw observationError(contextNamespace.error);
  const namespace = options.namespace ?? contextNamespace.value;
  const { metrics, traces, notice, via } = await telemetryFor(made.value, target, {
    ...options,
    ...(namespace === undefined ? {} : { namespace }),
  });
  const kubeconfigPath = options.kubeconfig ?? env.KUBECONFIG?.split(':')[0];
  return {
    reader: made.value,
    ...(metrics === undefined ? {} : { metrics }),
    ...(traces === undefined ? {} : { traces }),
    ...(notice === undefined ? {} : { notice }),
    ...(contextNamespace.value === undefined ? {} : { namespace: contextNamespace.value }),
    telemetryVia: via,
    cluster: options.context ?? 'current-context',
    executorClients: async () => {
      // client-node (~800 modules) loads only when there is something to write.
      const [k8s, { clusterIdentity }] = await Promise.all([
        import('@kubernetes/client-node'),
        import('../executor/cluster-identity.js'),
      ]);
      const kc = new k8s.KubeConfig();
      try {
        if (options.kubeconfig === undefined) kc.loadFromDefault();
        else kc.loadFromFile(options.kubeconfig);
        const context = options.executorContext ?? options.context;
        if (context !== undefined) kc.setCurrentContext(context);
      } catch (error) {
        throw new AoiError('config', `cannot load the executor's kubeconfig: ${(error as Error).message}`);
      }
      const context = kc.getCurrentContext();
      return {
        core: kc.makeApiClient(k8s.CoreV1Api),
        apps: kc.makeApiClient(k8s.AppsV1Api),
        target: clusterIdentity(kc),
        ...(kubeconfigPath === undefined
          ? {}
          : {
              kubectl: {
                kubeconfig: kubeconfigPath,
                context,
                env: { PATH: env.PATH ?? '/usr/bin:/bin', HOME: env.HOME ?? tmpdir() },
              },
            }),
      };
    },
    close: () => Promise.resolve(),
  };
}

/** Simulated seconds per wall-clock second: a fix rolls out in seconds, as in `aoi bench`. */
const SIM_SPEED = 20;

/** The embedded simulator with `problemId` injected, served on a free local port for this run only. */
export async function simTarget(
  problemId: string,
  seed: number,
  env: NodeJS.ProcessEnv,
): Promise<ClusterTarget> {
  const [{ findProblemCluster }, sim] = await Promise.all([
    import('./commands/sim.js'),
    import('../../aiopslab-harness/sim/index.js'),
  ]);
  const prepared = await findProblemCluster(problemId, seed);
  const server = await sim.SimServer.start({ cluster: prepared.cluster, realtime: true, speed: SIM_SPEED });
  const dir = await mkdtemp(join(tmpdir(), 'aoi-sim-'));
  const closeAll = async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, sim.renderKubeconfig(server.url, server.tokens, server.caPem), {
      mode: 0o600,
    });
    const target = await kubeTarget(
      {
        kubeconfig,
        context: sim.OBSERVER_CONTEXT,
        executorContext: sim.EXECUTOR_CONTEXT,
        prometheusUrl: server.url,
        jaegerUrl: server.url,
      },
      { ...env, HOME: dir },
    );
    return {
      ...target,
      namespace: prepared.namespace,
      telemetryVia: { metrics: 'endpoint', traces: 'endpoint' },
      cluster: `sim:${problemId}`,
      problemId,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
