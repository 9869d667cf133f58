/**
 * What `aoi diagnose` and `aoi tui` set up alike before an incident run: the cluster they talk to (a
 * kubeconfig or the embedded simulator) and the reasoner, from flags over config.
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { AoiConfig } from '../core/config.js';
import { normalizeOllamaHost } from '../core/ollama-host.js';
import type { ChosenReasoner, ReasonerChoice } from '../incident/choose-reasoner.js';
import type { IncidentOptions } from '../incident/run-incident.js';
import type { ClusterTarget, KubeTargetOptions } from './cluster-target.js';
import type { TaskType } from '../core/aiopslab.js';
import type { CliIO } from './io.js';
import type { TelemetryAuthFlags } from './telemetry-auth.js';
import { addTelemetryAuthOptions } from './telemetry-auth.js';

export interface TargetFlags extends TelemetryAuthFlags {
  sim?: string;
  seed: number;
  kubeconfig?: string;
  context?: string;
  executorContext?: string;
  prometheusUrl?: string;
  jaegerUrl?: string;
  /** The namespace to be observed (diagnose and tui's -n): telemetry Services in it are preferred. */
  namespace?: string;
}

export interface ReasonerFlags {
  reasoner?: ReasonerChoice;
  model?: string;
  ollamaHost?: string;
  maxSteps?: number;
  numCtx?: number;
  keepAlive?: string;
  /** Commander's --no-rules-prior: false when given, else true (the config then decides). */
  rulesPrior?: boolean;
}

/** The Ollama settings the flags override in the config, for chooseReasoner. */
export function ollamaSettings(flags: ReasonerFlags, config: AoiConfig) {
  const numCtx = flags.numCtx ?? config.ollama.numCtx;
  return {
    host: flags.ollamaHost === undefined ? config.ollama.host : normalizeOllamaHost(flags.ollamaHost),
    model: flags.model ?? config.ollama.model,
    timeoutMs: config.ollama.timeoutMs,
    keepAlive: flags.keepAlive ?? config.ollama.keepAlive,
    rulesPrior: flags.rulesPrior === false ? false : config.reasoner.rulesPrior,
    ...(numCtx === undefined ? {} : { numCtx }),
  };
}

function kubeOptions(flags: TargetFlags, config: AoiConfig): KubeTargetOptions {
  const context = flags.context ?? config.observer.context;
  const executorContext = flags.executorContext ?? config.executor.context;
  const kubeconfig = flags.kubeconfig ?? config.observer.kubeconfig;
  return {
    ...(kubeconfig === undefined ? {} : { kubeconfig }),
    ...(context === undefined ? {} : { context }),
    ...(executorContext === undefined ? {} : { executorContext }),
    ...(flags.prometheusUrl === undefined ? {} : { prometheusUrl: flags.prometheusUrl }),
    ...(flags.jaegerUrl === undefined ? {} : { jaegerUrl: flags.jaegerUrl }),
    ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
  };
}

/** What `aoi diagnose` and `aoi tui` both take: where, which reasoner, and how one incident is run. */
export interface IncidentCliOptions extends TargetFlags, ReasonerFlags {
  allNamespaces?: boolean;
  /** False: diagnose only (verdicts shown, nothing executed). */
  apply?: boolean;
  policy?: string;
  stateDir?: string;
  maxEvidenceTokens: number;
  record: boolean;
  task?: TaskType;
  verifyTimeout: number;
}

/**
 * What diagnose and tui both hand `runIncident`: the target's readers, scope, token budget, verification and
 * recording. Each adds its own reasoner, actions and event handling.
 */
export function sharedIncidentOptions(
  target: ClusterTarget,
  options: IncidentCliOptions,
  namespace: string | undefined,
  trajectoriesDir: string,
): Omit<IncidentOptions, 'reasoner'> {
  return {
    reader: target.reader,
    ...(target.metrics === undefined ? {} : { metrics: target.metrics }),
    ...(target.traces === undefined ? {} : { traces: target.traces }),
    ...(target.telemetryVia === undefined ? {} : { telemetryVia: target.telemetryVia }),
    ...(namespace === undefined ? {} : { namespace }),
    ...(options.task === undefined ? {} : { task: options.task }),
    maxEvidenceTokens: options.maxEvidenceTokens,
    verify: { timeoutMs: options.verifyTimeout * 1000, pollMs: 2000 },
    ...(options.record
      ? {
          record: {
            dir: trajectoriesDir,
            cluster: target.cluster,
            ...(target.problemId === undefined ? {} : { problemId: target.problemId }),
          },
        }
      : {}),
  };
}

/** The simulated problem's cluster with --sim, else the kubeconfig's. */
export async function openTarget(flags: TargetFlags, config: AoiConfig, io: CliIO): Promise<ClusterTarget> {
  const [{ simTarget, kubeTarget }, { telemetryAuth }] = await Promise.all([
    import('./cluster-target.js'),
    import('./telemetry-auth.js'),
  ]);
  if (flags.sim !== undefined) return simTarget(flags.sim, flags.seed, io.env);
  const auth = await telemetryAuth(flags, config);
  const target = await kubeTarget({ ...kubeOptions(flags, config), auth }, io.env);
  if (target.notice !== undefined) io.stderr.write(`aoi: ${target.notice}\n`);
  return target;
}

/**
 * The reasoner the flags and config ask for, with the observer's read-only tools for Ollama. With `io`, the
 * model's live status goes to a terminal's stderr and a fallback to rules is said there.
 */
export async function reasonerFor(
  flags: ReasonerFlags,
  config: AoiConfig,
  target: ClusterTarget,
  io?: CliIO,
): Promise<ChosenReasoner> {
  const [{ chooseReasoner }, { observerTools }, { progressLine }] = await Promise.all([
    import('../incident/choose-reasoner.js'),
    import('../incident/observer-tools.js'),
    import('./progress-line.js'),
  ]);
  const onProgress = io ? progressLine(io.stderr) : undefined;
  return chooseReasoner({
    choice: flags.reasoner ?? config.reasoner.backend,
    ...ollamaSettings(flags, config),
    maxSteps: flags.maxSteps ?? config.reasoner.maxSteps,
    tools: observerTools(target.reader, target.metrics),
    ...(onProgress ? { onProgress } : {}),
    ...(io ? { onNotice: (line: string) => io.stderr.write(`aoi: ${line}\n`) } : {}),
  });
}

export function parseWhole(min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min)
      throw new InvalidArgumentError(`must be a whole number of at least ${min}.`);
    return Number(value);
  };
}

/** Ollama's keep_alive: a Go duration (30m, 1h, 90s), 0 to unload at once, -1 to keep loaded. */
export function parseKeepAlive(value: string): string {
  if (!/^(-1|0|\d+(\.\d+)?(ms|s|m|h))$/.test(value))
    throw new InvalidArgumentError('must be a duration such as 30m, 1h or 90s, or 0 or -1.');
  return value;
}

/**
 * --sim/--seed or --kubeconfig/--context/--executor-context, --prometheus-url and --jaeger-url, and who gets
 * which token (telemetry-auth.ts).
 */
export function addTargetOptions(command: Command): Command {
  const withTarget = command
    .option('--sim <problem>', 'run on the embedded simulated cluster with this AIOpsLab problem injected')
    .option('--seed <n>', 'random seed of the simulated cluster', parseWhole(0), 42)
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', "the observer's (read-only) kubeconfig context")
    .option('--executor-context <name>', "the executor's kubeconfig context (default: --context)")
    .option('--prometheus-url <url>', 'Prometheus API for error rates, latency and saturation')
    .option(
      '--jaeger-url <url>',
      'Jaeger query API to sample traces from (call errors, latency, error origins)',
    );
  return addTelemetryAuthOptions(withTarget);
}

/** --reasoner, --model, --ollama-host, --num-ctx, --keep-alive and --no-rules-prior. */
export function addReasonerOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--reasoner <backend>', 'reasoning backend (default: auto)').choices([
        'auto',
        'rules',
        'ollama',
      ]),
    )
    .option('--model <name>', 'Ollama model (default: qwen2.5:14b-instruct)')
    .option('--ollama-host <url>', 'Ollama server (default: $OLLAMA_HOST or http://127.0.0.1:11434)')
    .option(
      '--num-ctx <tokens>',
      "Ollama context window for every request (default: sized to the prompt, up to the model's length)",
      parseWhole(256),
    )
    .option(
      '--keep-alive <duration>',
      'how long Ollama keeps the model loaded between requests, e.g. 30m, 1h, -1 (default: 30m)',
      parseKeepAlive,
    )
    .option('--no-rules-prior', "do not give the model the rules backend's diagnosis as a hypothesis");
}
