/**
 * What a real Ollama server does to a /api/chat request before and after the model runs, as pure functions,
 * for the faithful test server. Each function cites the Ollama source (github.com/ollama/ollama, read at
 * fb30760, 2026-08-21) or the issue it models. Tokens are counted with gpt-tokenizer's cl100k_base, the
 * stand-in for a model's own tokenizer that aoi itself uses.
 */
import { decode, encode } from 'gpt-tokenizer/encoding/cl100k_base';

const PLAIN = { disallowedSpecial: new Set<string>() };

export function tokensOf(text: string): number[] {
  return text === '' ? [] : encode(text, PLAIN);
}

export interface ContractMessage {
  role: string;
  content: string;
  thinking?: string;
  tool_name?: string;
  tool_calls?: unknown[];
}

/**
 * A ChatML-style rendering, as the qwen2.5 template does: the tool definitions go into the system block, so
 * tools cost prompt tokens (server/prompt.go renderPrompt passes `tools` to the template).
 */
export function renderPrompt(messages: readonly ContractMessage[], tools: readonly unknown[] = []): string {
  const parts: string[] = [];
  const toolBlock =
    tools.length > 0
      ? `\n\n# Tools\n<tools>\n${tools.map((t) => JSON.stringify(t)).join('\n')}\n</tools>`
      : '';
  let toolsPlaced = toolBlock === '';
  for (const m of messages) {
    let content = m.content;
    if (m.role === 'system' && !toolsPlaced) {
      content += toolBlock;
      toolsPlaced = true;
    }
    if (m.tool_calls?.length) content += `\n<tool_call>${JSON.stringify(m.tool_calls)}</tool_call>`;
    parts.push(`<|im_start|>${m.role}\n${content}<|im_end|>`);
  }
  if (!toolsPlaced) parts.unshift(`<|im_start|>system${toolBlock}<|im_end|>`);
  parts.push('<|im_start|>assistant\n');
  return parts.join('\n');
}

export interface KeptPrompt {
  /** The text the model actually sees. */
  text: string;
  /** prompt_eval_count: tokens kept. */
  tokens: number;
  /** Messages dropped whole by chatPrompt (never system messages, never the last one). */
  droppedMessages: number;
  /** Tokens cut from the front by the runner ("truncating input prompt"). */
  truncatedTokens: number;
}

/**
 * server/prompt.go chatPrompt: "truncates any messages that exceed the context window of the model, making
 * sure to always include 1) the latest message and 2) system messages": it drops messages from the front,
 * keeping the system messages it skipped, until the rendered prompt fits num_ctx.
 */
function fitMessages(
  messages: readonly ContractMessage[],
  tools: readonly unknown[],
  numCtx: number,
): { kept: ContractMessage[]; dropped: number } {
  const last = messages.length - 1;
  for (let i = 0; i <= last; i++) {
    const system = messages.slice(0, i).filter((m) => m.role === 'system');
    const kept = [...system, ...messages.slice(i)];
    if (tokensOf(renderPrompt(kept, tools)).length <= numCtx || i === last) {
      return { kept, dropped: i - system.length };
    }
  }
  return { kept: [], dropped: 0 };
}

/**
 * llm/llama_server.go: a prompt of more than num_ctx-1 tokens keeps its first num_keep tokens (default 4,
 * api/types.go DefaultOptions; +1 for a BOS token, not modelled) and the tail, discarding about half of the
 * rest, and logs only `slog.Warn("truncating input prompt", …)`: the client is never told. So a long
 * evidence message silently loses the system prompt at the front. The default num_ctx is 2048 in older
 * releases and 4096 in docs/faq.mdx today ("How can I specify the context window size?"), or
 * OLLAMA_CONTEXT_LENGTH; the faithful server defaults to the smaller.
 */
function truncateFront(tokens: number[], numCtx: number, numKeep: number): number[] {
  const fullPromptLimit = numCtx - 1;
  if (tokens.length <= fullPromptLimit) return tokens;
  const keep = Math.min(numKeep, fullPromptLimit);
  const limit = numCtx - Math.max(Math.floor((numCtx - keep) / 2), 1);
  const discard = tokens.length - limit;
  return [...tokens.slice(0, keep), ...tokens.slice(keep + discard)];
}

export function keptPrompt(
  messages: readonly ContractMessage[],
  tools: readonly unknown[],
  numCtx: number,
  numKeep = 4,
): KeptPrompt {
  const { kept, dropped } = fitMessages(messages, tools, numCtx);
  const all = tokensOf(renderPrompt(kept, tools));
  const cut = truncateFront(all, numCtx, numKeep);
  return {
    text: cut === all ? renderPrompt(kept, tools) : decode(cut),
    tokens: cut.length,
    droppedMessages: dropped,
    truncatedTokens: all.length - cut.length,
  };
}

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  minItems?: number;
  minimum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  minLength?: number;
};

/**
 * With a JSON schema in `format`, sampling is constrained to the schema's grammar, so the model cannot emit a
 * tool call's control tokens and writes a schema-shaped answer instead of investigating (ollama/ollama#11185
 * "format json will not work with tools"; also #8095, #11037, #13750 and ollama/ollama-python#546). The
 * faithful server stands in for that answer with the smallest instance of the schema.
 */
export function minimalInstance(schema: JsonSchema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const variant = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (variant) return minimalInstance(variant);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) out[key] = minimalInstance(schema.properties?.[key] ?? {});
      return out;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => minimalInstance(schema.items ?? {}));
    case 'boolean':
      return false;
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'string':
      return 'x'.repeat(schema.minLength ?? 0);
    case undefined:
    default:
      return null;
  }
}

/**
 * `num_predict` caps the generated tokens (docs/modelfile.mdx); a cut answer ends with done_reason "length"
 * (server/routes.go reports the runner's DoneReason). Thinking tokens count against the same cap.
 */
export function cutAt(
  parts: { thinking: string; content: string },
  numPredict: number | undefined,
): { thinking: string; content: string; cut: boolean } {
  if (numPredict === undefined || numPredict < 0) return { ...parts, cut: false };
  const thinking = tokensOf(parts.thinking);
  const content = tokensOf(parts.content);
  if (thinking.length + content.length <= numPredict) return { ...parts, cut: false };
  const keepThinking = thinking.slice(0, numPredict);
  const keepContent = content.slice(0, Math.max(0, numPredict - keepThinking.length));
  return { thinking: decode(keepThinking), content: decode(keepContent), cut: true };
}
