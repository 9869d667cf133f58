/**
 * Sizing `options.num_ctx` per request. Ollama cuts a prompt longer than num_ctx from the front and says so only
 * in its own log, so the system prompt would go first: aoi counts the prompt itself (gpt-tokenizer, with a
 * margin for the model's own tokenizer and chat template) and asks for a window that holds prompt and answer,
 * never more than the model has.
 */
import type { Message, Tool } from 'ollama';

export type CountTokens = (text: string) => number;

/** The tokenizer loads only when a model is actually asked (it is large; `aoi --help` should not pay for it). */
export async function loadTokenBudget() {
  const { countTokens, fitToBudget } = await import('../observer/token-budget.js');
  return { countTokens, fitToBudget };
}
export type TokenBudget = Awaited<ReturnType<typeof loadTokenBudget>>;

/** Template tokens per message (role markers, separators). */
const PER_MESSAGE = 8;
/** cl100k_base vs Llama/Qwen/Gemma tokenizers: they count up to ~10% more on logs and JSON. */
const MARGIN = 1.15;
/** Windows grow in these steps and never shrink within an incident: a changed num_ctx reloads the model. */
const STEP = 1024;
/** The smallest window worth asking for (Ollama's historical default). */
export const MIN_NUM_CTX = 2048;

/** Estimated prompt tokens of `messages` (plus the tool definitions the template renders into it). */
export function estimatePrompt(
  count: CountTokens,
  messages: readonly Message[],
  tools?: readonly Tool[],
): number {
  let raw = 0;
  for (const m of messages) {
    raw += PER_MESSAGE + count(m.content);
    if (m.thinking) raw += count(m.thinking);
    if (m.tool_calls?.length) raw += count(JSON.stringify(m.tool_calls));
  }
  if (tools?.length) raw += count(JSON.stringify(tools));
  return Math.ceil(raw * MARGIN) + 16;
}

export interface WindowChoice {
  numCtx: number;
  /** False when prompt + answer exceed the window even at its largest. */
  fits: boolean;
}

/**
 * The num_ctx for a request: prompt + answer rounded up to a step, at least the previous request's (so the
 * model is not reloaded), at most `window` (the model's length or the user's override). An override is sent
 * as it is.
 */
export function chooseNumCtx(options: {
  promptTokens: number;
  answerTokens: number;
  window: number;
  previous?: number;
  override?: number;
}): WindowChoice {
  const need = options.promptTokens + options.answerTokens;
  if (options.override !== undefined) return { numCtx: options.override, fits: need <= options.override };
  const wanted = Math.max(MIN_NUM_CTX, Math.ceil(need / STEP) * STEP, options.previous ?? 0);
  const numCtx = Math.min(wanted, options.window);
  return { numCtx, fits: need <= numCtx };
}
