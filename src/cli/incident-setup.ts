/**
 * What `aoi diagnose` and `aoi tui` set up alike before an incident run: the cluster they talk to (a
 * kubeconfig or the embedded simulator) and the reasoner, from flags over config.
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { AoiConfig } from '../core/config.js';
import { normalizeOllamaHost } from '../core/config.js';
import type { ChosenReasoner, ReasonerChoice } from '../incident/choose-reasoner.js';
import type { IncidentOptions } from '../incident/run-incident.js';
import type { ClusterTarget, KubeTargetOptions } from './cluster-target.js';
import type { TaskType } from '../core/aiopslab.js';
import type { CliIO } from './io.js';

export interface TargetFlags {
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
  const { simTarget, kubeTarget } = await import('./cluster-target.js');
  if (flags.sim !== undefined) return simTarget(flags.sim, flags.seed, io.env);
  const target = await kubeTarget(kubeOptions(flags, config), io.env);
  if (target.notice !== undefined) io.stderr.write(`aoi: ${target.notice}\n`);
  return target;
}

/** The reasoner the flags and config ask for, with the observer's read-only tools for Ollama. */
export async function reasonerFor(
  flags: ReasonerFlags,
  config: AoiConfig,
  target: ClusterTarget,
): Promise<ChosenReasoner> {
  const [{ chooseReasoner }, { observerTools }] = await Promise.all([
    import('../incident/choose-reasoner.js'),
    import('../incident/observer-tools.js'),
  ]);
  return chooseReasoner({
    choice: flags.reasoner ?? config.reasoner.backend,
    host: flags.ollamaHost === undefined ? config.ollama.host : normalizeOllamaHost(flags.ollamaHost),
    model: flags.model ?? config.ollama.model,
    timeoutMs: config.ollama.timeoutMs,
    maxSteps: flags.maxSteps ?? config.reasoner.maxSteps,
    tools: observerTools(target.reader, target.metrics),
  });
}

export function parseWhole(min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min)
      throw new InvalidArgumentError(`must be a whole number of at least ${min}.`);
    return Number(value);
  };
}

/** --sim/--seed or --kubeconfig/--context/--executor-context, and --prometheus-url and --jaeger-url. */
export function addTargetOptions(command: Command): Command {
  return command
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
}

/** --reasoner, --model and --ollama-host. */
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
    .option('--ollama-host <url>', 'Ollama server (default: $OLLAMA_HOST or http://127.0.0.1:11434)');
}
