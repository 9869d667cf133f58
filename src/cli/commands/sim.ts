import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { AoiError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/atomic-file.js';
import { resolveStateDir } from '../../core/state-dir.js';
import type * as SimIndex from '../../../aiopslab-harness/sim/index.js';
import type { CliIO } from '../io.js';

interface SimStartOptions {
  app?: string;
  problem?: string;
  port: number;
  host: string;
  kubeconfig?: string;
  seed: number;
  speed: number;
  metrics?: string;
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535)
    throw new InvalidArgumentError('must be a whole number from 0 to 65535 (0 picks a free port).');
  return n;
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number.');
  return n;
}

function parseSeed(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number.');
  return Number(value);
}

type SimModule = typeof SimIndex;

interface PreparedCluster {
  cluster: InstanceType<SimModule['SimCluster']>;
  namespace: string;
  banner: string;
}

/** Simulated minutes a healthy cluster has run before it is served: more than the observer's 7-minute baseline. */
const HEALTHY_HISTORY_MS = 10 * 60_000;

function healthyCluster(
  options: SimStartOptions,
  sim: Pick<SimModule, 'SimCluster' | 'getApp' | 'appNames'>,
): PreparedCluster {
  const name = options.app ?? 'hotel-reservation';
  const app = sim.getApp(name);
  if (!app)
    throw new AoiError('usage', `unknown app "${name}"`, {
      hint: `Known apps: ${sim.appNames().join(', ')}.`,
    });
  const cluster = new sim.SimCluster({ seed: options.seed });
  cluster.deployApp(app);
  cluster.settle();
  // As if the app had been running a while: a Prometheus with no history has no baseline, and every first
  // `aoi observe` would rightly say INCOMPLETE.
  cluster.advance(HEALTHY_HISTORY_MS);
  return {
    cluster,
    namespace: app.defaultNamespace,
    banner: `aoi sim: ${app.name} running in namespace ${app.defaultNamespace}`,
  };
}

/** The problem's app with its fault (and noise) injected, as `aoi bench` prepares it. */
export async function findProblemCluster(id: string, seed: number): Promise<PreparedCluster> {
  const [{ loadProblems, DEFAULT_PROBLEMS_DIR }, { prepareCluster }] = await Promise.all([
    import('../../../aiopslab-harness/bench/load-problems.js'),
    import('../../../aiopslab-harness/bench/environment.js'),
  ]);
  // The AIOpsLab catalog, and the on-call one beside it (aiopslab-harness/problems/oncall) where shipped.
  const oncall = join(DEFAULT_PROBLEMS_DIR, 'oncall');
  const problems = await loadProblems(existsSync(oncall) ? [DEFAULT_PROBLEMS_DIR, oncall] : undefined);
  const problem = problems.find((p) => p.id === id);
  if (!problem) {
    const near = problems
      .filter((p) => p.id.includes(id.replace(/-\d+$/, '').split('-')[0] ?? id))
      .slice(0, 5);
    throw new AoiError('not-found', `unknown problem "${id}"`, {
      hint:
        near.length > 0
          ? `Did you mean: ${near.map((p) => p.id).join(', ')}? (\`aoi sim problems\` lists them all)`
          : `${problems.length} problems are in the catalog; \`aoi sim problems\` lists them.`,
    });
  }
  return {
    cluster: prepareCluster(problem, seed),
    namespace: problem.namespace,
    banner: `aoi sim: ${problem.app} running in namespace ${problem.namespace}, problem ${problem.id} injected`,
  };
}

/**
 * `--metrics istio,linkerd`: the request-metric dialects to serve instead of the app's own (`default` keeps
 * those and adds the rest). kube-state-metrics and cAdvisor series are always served.
 */
function metricDialects(
  text: string,
  app: Parameters<SimModule['defaultDialects']>[0],
  sim: Pick<SimModule, 'REQUEST_DIALECTS' | 'defaultDialects'>,
): SimIndex.RequestDialect[] {
  const known: readonly string[] = sim.REQUEST_DIALECTS;
  const out = new Set<SimIndex.RequestDialect>();
  for (const word of text
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean)) {
    if (word === 'default') for (const d of sim.defaultDialects(app)) out.add(d);
    else if (known.includes(word)) out.add(word as SimIndex.RequestDialect);
    else
      throw new AoiError('usage', `unknown metric dialect "${word}"`, {
        hint: `Use a comma-separated list of: default, ${known.join(', ')} (e.g. --metrics istio or --metrics default,linkerd).`,
      });
  }
  return [...out];
}

/** `aoi sim start`: the embedded simulated cluster, served until interrupted. */
export async function simStart(options: SimStartOptions, io: CliIO): Promise<number> {
  // Loaded here, not at start-up, so that --help and usage errors answer without loading the simulator.
  const {
    SimCluster,
    SimServer,
    appNames,
    getApp,
    renderKubeconfig,
    OBSERVER_CONTEXT,
    EXECUTOR_CONTEXT,
    NOBODY_CONTEXT,
  } = await import('../../../aiopslab-harness/sim/index.js');
  const sim = await import('../../../aiopslab-harness/sim/index.js');
  const prepared =
    options.problem === undefined
      ? healthyCluster(options, { SimCluster, getApp, appNames })
      : await findProblemCluster(options.problem, options.seed);
  const { cluster, namespace, banner } = prepared;
  if (options.metrics !== undefined)
    cluster.world.metricDialects = metricDialects(
      options.metrics,
      cluster.world.apps.get(namespace)?.app,
      sim,
    );
  // Prometheus and Jaeger as Services in `observe`, as AIOpsLab installs them, so `aoi observe` and
  // `aoi diagnose --kubeconfig` find them through the API server's service proxy as on a real cluster.
  cluster.deployTelemetryServices();
  let server: Awaited<ReturnType<typeof SimServer.start>>;
  try {
    server = await SimServer.start({
      cluster,
      port: options.port,
      host: options.host,
      realtime: true,
      speed: options.speed,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new AoiError('usage', `port ${options.port} on ${options.host} is already in use`, {
        hint: 'Pick another with --port, or leave it out to get a free one.',
        cause: error,
      });
    }
    throw new AoiError(
      'io',
      `cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const kubeconfigPath = options.kubeconfig ?? join(resolveStateDir(io.env), 'sim', 'kubeconfig');
  try {
    await mkdir(dirname(kubeconfigPath), { recursive: true });
    // The contexts carry the app's namespace, so `aoi diagnose` and kubectl look there without -n.
    const text = renderKubeconfig(server.url, server.tokens, server.caPem, { namespace });
    await writeFileAtomic(kubeconfigPath, text, { mode: 0o600 });
  } catch (error) {
    await server.close();
    throw new AoiError(
      'io',
      `cannot write the kubeconfig to ${kubeconfigPath}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  io.stdout.write(
    [
      banner,
      `  API server  ${server.url}`,
      `  prometheus  ${server.url}/api/v1/query`,
      `  jaeger      ${server.url}/api/traces`,
      '  in cluster  services observe/prometheus-server:80 and observe/jaeger-query:16686 (found by aoi observe)',
      `  kubeconfig  ${kubeconfigPath}`,
      `  contexts    ${OBSERVER_CONTEXT} (read-only, current), ${EXECUTOR_CONTEXT} (writes), ${NOBODY_CONTEXT} (may read nothing)`,
      `  try         kubectl --kubeconfig ${kubeconfigPath} get pods -n ${namespace}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  const signal = await io.untilInterrupted();
  await server.close();
  io.stderr.write(`aoi sim: stopped (${signal})\n`);
  return 0;
}

export function registerSim(program: Command, io: CliIO): void {
  const sim = program
    .command('sim')
    .description('Run the simulated Kubernetes cluster (AIOpsLab apps) locally');
  sim
    .command('start')
    .description('Serve a simulated cluster on 127.0.0.1 and write a kubeconfig for it')
    .addOption(
      new Option('--app <name>', 'application to deploy (default: hotel-reservation)').conflicts('problem'),
    )
    .option('--problem <id>', 'AIOpsLab problem to inject (its app and namespace come with it)')
    .option('--port <n>', 'port to listen on (0 picks a free one)', parsePort, 0)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--kubeconfig <path>', 'where to write the kubeconfig (default: <state dir>/sim/kubeconfig)')
    .option('--seed <n>', 'random seed for names and addresses', parseSeed, 42)
    .option('--speed <x>', 'simulated seconds per wall-clock second', parsePositive, 1)
    .option(
      '--metrics <dialects>',
      'request-metric dialects to serve: sim, otel, istio, linkerd, or default (the app’s own), comma-separated',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  aoi sim start\n  aoi sim start --port 8001 --kubeconfig ./sim.kubeconfig\n  aoi sim start --app astronomy-shop --metrics istio\n',
    )
    .action(async (options: SimStartOptions) => {
      process.exitCode = await simStart(options, io);
    });
}
