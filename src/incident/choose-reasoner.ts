/**
 * Which backend reasons: `rules` and `ollama` as asked; `auto` tries Ollama (reachable and the model pulled)
 * and otherwise falls back to rules, saying why in one line. Asking for `ollama` explicitly never falls back:
 * its errors surface when it runs.
 */
import { OllamaReasoner } from '../reasoner/ollama-backend.js';
import type { EvidenceTools, Reasoner } from '../reasoner/reasoner.js';
import type { RulesOptions } from '../reasoner/rules-backend.js';
import { RulesReasoner } from '../reasoner/rules-backend.js';

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

export async function chooseReasoner(options: ChooseReasonerOptions): Promise<ChosenReasoner> {
  const ollama = () =>
    new OllamaReasoner({
      host: options.host,
      model: options.model,
      timeoutMs: options.timeoutMs,
      maxSteps: options.maxSteps,
      ...(options.tools === undefined ? {} : { tools: options.tools }),
    });
  const rules = () => new RulesReasoner(options.rules ?? {});
  if (options.choice === 'rules') return { reasoner: rules() };
  if (options.choice === 'ollama') return { reasoner: ollama() };
  const probe = await probeOllama(options.host, options.model, options.probeTimeoutMs ?? 1500);
  if (probe.ok)
    return { reasoner: ollama(), notice: `reasoner: ollama (${options.model} at ${options.host})` };
  return { reasoner: rules(), notice: `reasoner: rules (${probe.why})` };
}
