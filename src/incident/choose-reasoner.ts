/**
 * Which backend reasons: `rules` and `ollama` as asked; `auto` tries Ollama (reachable and the model pulled)
 * and otherwise falls back to rules, saying why in one line. Under `auto` a model that gives no valid answer
 * within its budget also falls back to the rules diagnosis, and says so. Asking for `ollama` explicitly never
 * falls back: its errors surface when it runs.
 */
import { AoiError } from '../core/errors.js';
import type { OllamaProgress, OllamaReasoner } from '../reasoner/ollama-backend.js';
import type { EvidenceTools, Reasoner, ReasonerInput, ReasonerResult } from '../reasoner/reasoner.js';
import type { RulesOptions } from '../reasoner/rules-backend.js';
import { diagnoseByRules, RulesReasoner } from '../reasoner/rules-backend.js';

export type ReasonerChoice = 'auto' | 'rules' | 'ollama';

export interface ChooseReasonerOptions {
  choice: ReasonerChoice;
  host: string;
  model: string;
  timeoutMs: number;
  maxSteps: number;
  tools?: EvidenceTools;
  /** Options of the rules backend (e.g. analyzer families switched off). */
  rules?: RulesOptions;
  /** How long `auto` waits for Ollama to answer before choosing rules. */
  probeTimeoutMs?: number;
  /** num_ctx sent instead of the sized window (--num-ctx, ollama.numCtx). */
  numCtx?: number;
  keepAlive?: string;
  /** False: the model does not get the rules diagnosis as a hypothesis (--no-rules-prior). */
  rulesPrior?: boolean;
  onProgress?: (progress: OllamaProgress) => void;
  /** Told when `auto` falls back to rules after the model failed. */
  onNotice?: (line: string) => void;
}

export interface ChosenReasoner {
  reasoner: Reasoner;
  /** One line for stderr saying which backend runs and why; absent when the user chose it. */
  notice?: string;
}

type Probe = { ok: true } | { ok: false; why: string };

/** Ollama's `/api/tags` lists the pulled models; a tag-less name means `:latest`. */
export async function probeOllama(host: string, model: string, timeoutMs: number): Promise<Probe> {
  let body: unknown;
  try {
    const res = await fetch(new URL('/api/tags', host), { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return { ok: false, why: `Ollama at ${host} answered HTTP ${res.status}` };
    body = await res.json();
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'is not reachable';
    return { ok: false, why: `Ollama at ${host} ${reason}` };
  }
  const wanted = model.includes(':') ? model : `${model}:latest`;
  const models = (body as { models?: { name?: string; model?: string }[] }).models ?? [];
  const present = models.some((m) => m.name === wanted || m.model === wanted || m.name === model);
  return present
    ? { ok: true }
    : { ok: false, why: `model ${model} is not pulled on ${host} (ollama pull ${model})` };
}

/**
 * `auto` with a reachable model: the model's diagnosis, or the rules diagnosis when the model gave no valid
 * answer within its budget (`model-unavailable`). The name tells which backend produced the last result.
 */
class FallbackReasoner implements Reasoner {
  name: 'ollama' | 'rules' = 'ollama';
  constructor(
    readonly model: OllamaReasoner,
    readonly rules: RulesReasoner,
    readonly onNotice: (line: string) => void,
  ) {}

  async diagnose(input: ReasonerInput, options: { signal?: AbortSignal } = {}): Promise<ReasonerResult> {
    this.name = 'ollama';
    try {
      return await this.model.diagnose(input, options);
    } catch (error) {
      if (!(error instanceof AoiError) || error.code !== 'model-unavailable' || options.signal?.aborted)
        throw error;
      const line = `reasoner: ollama gave no valid answer (${error.message}); using the rules diagnosis`;
      this.onNotice(line);
      this.name = 'rules';
      const result = await this.rules.diagnose(input);
      return { ...result, backend: 'rules', notes: [...(result.notes ?? []), line] };
    }
  }
}

export async function chooseReasoner(options: ChooseReasonerOptions): Promise<ChosenReasoner> {
  const rules = () => new RulesReasoner(options.rules ?? {});
  // The Ollama client and its prompt machinery load only when the model may be asked.
  const ollama = async () => {
    const { OllamaReasoner } = await import('../reasoner/ollama-backend.js');
    return new OllamaReasoner({
      host: options.host,
      model: options.model,
      timeoutMs: options.timeoutMs,
      maxSteps: options.maxSteps,
      ...(options.tools === undefined ? {} : { tools: options.tools }),
      ...(options.numCtx === undefined ? {} : { numCtx: options.numCtx }),
      ...(options.keepAlive === undefined ? {} : { keepAlive: options.keepAlive }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.rulesPrior === false
        ? {}
        : { rulesPrior: (input: ReasonerInput) => diagnoseByRules(input, options.rules ?? {}) }),
    });
  };
  if (options.choice === 'rules') return { reasoner: rules() };
  if (options.choice === 'ollama') return { reasoner: await ollama() };
  const probe = await probeOllama(options.host, options.model, options.probeTimeoutMs ?? 1500);
  if (probe.ok)
    return {
      reasoner: new FallbackReasoner(await ollama(), rules(), options.onNotice ?? (() => undefined)),
      notice: `reasoner: ollama (${options.model} at ${options.host})`,
    };
  return { reasoner: rules(), notice: `reasoner: rules (${probe.why})` };
}
