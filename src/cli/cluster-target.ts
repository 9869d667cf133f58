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
import type { ClusterReader } from '../observer/cluster-reader.js';

export interface ClusterTarget {
  reader: ClusterReader;
  metrics?: MetricsSource;
  /** Built on first use, so a read-only run never loads the executor's credential. */
  executorClients(): Promise<ExecutorClients>;
  /** The namespace the target implies (a simulated problem's), if any. */
  namespace?: string;
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
}

export async function kubeTarget(options: KubeTargetOptions, env: NodeJS.ProcessEnv): Promise<ClusterTarget> {
  const [{ createApiReader, kubeCredentials }, { PrometheusReader }, k8s] = await Promise.all([
    import('../observer/api-reader.js'),
    import('../observer/prometheus-reader.js'),
    import('@kubernetes/client-node'),
  ]);
  const target = {
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
    ...(options.context === undefined ? {} : { context: options.context }),
  };
  const made = createApiReader(target);
  if (!made.ok)
    throw new AoiError('config', made.error.message, { hint: 'Pass --kubeconfig PATH and --context NAME.' });
  let metrics: MetricsSource | undefined;
  if (options.prometheusUrl !== undefined) {
    const credentials = kubeCredentials(target);
    if (!credentials.ok) throw new AoiError('config', credentials.error.message);
    metrics = new PrometheusReader({ url: options.prometheusUrl, ...credentials.value });
  }
  const kubeconfigPath = options.kubeconfig ?? env.KUBECONFIG?.split(':')[0];
  return {
    reader: made.value,
    ...(metrics === undefined ? {} : { metrics }),
    cluster: options.context ?? 'current-context',
    executorClients: () => {
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
      return Promise.resolve({
        core: kc.makeApiClient(k8s.CoreV1Api),
        apps: kc.makeApiClient(k8s.AppsV1Api),
        ...(kubeconfigPath === undefined
          ? {}
          : {
              kubectl: {
                kubeconfig: kubeconfigPath,
                context,
                env: { PATH: env.PATH ?? '/usr/bin:/bin', HOME: env.HOME ?? tmpdir() },
              },
            }),
      });
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
      },
      { ...env, HOME: dir },
    );
    return {
      ...target,
      namespace: prepared.namespace,
      cluster: `sim:${problemId}`,
      problemId,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
