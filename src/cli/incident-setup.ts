/**
 * What `aoi diagnose` and `aoi tui` set up alike before an incident run: the cluster they talk to (a
 * kubeconfig or the embedded simulator) and the reasoner, from flags over config.
 */
import type { AoiConfig } from '../core/config.js';
import { normalizeOllamaHost } from '../core/config.js';
import type { ChosenReasoner, ReasonerChoice } from '../incident/choose-reasoner.js';
import type { ClusterTarget, KubeTargetOptions } from './cluster-target.js';
import type { CliIO } from './io.js';

export interface TargetFlags {
  sim?: string;
  seed: number;
  kubeconfig?: string;
  context?: string;
  executorContext?: string;
  prometheusUrl?: string;
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
  };
}

/** The simulated problem's cluster with --sim, else the kubeconfig's. */
export async function openTarget(flags: TargetFlags, config: AoiConfig, io: CliIO): Promise<ClusterTarget> {
  const { simTarget, kubeTarget } = await import('./cluster-target.js');
  return flags.sim !== undefined
    ? simTarget(flags.sim, flags.seed, io.env)
    : kubeTarget(kubeOptions(flags, config), io.env);
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
