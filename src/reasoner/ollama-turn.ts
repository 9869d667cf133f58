/**
 * One /api/chat request, streamed so a live status can show tokens per second. The thinking text of a
 * thinking model comes back apart from the answer (message.thinking, docs/api.md); a template that leaves
 * `<think>…</think>` in the content gets it moved out here, so the parser only ever sees the answer.
 */
import type { ChatResponse, Message, Ollama, Tool, ToolCall } from 'ollama';

export interface TurnRequest {
  model: string;
  messages: Message[];
  tools?: Tool[];
  format?: object;
  think?: boolean;
  numCtx: number;
  numPredict: number;
  keepAlive?: string;
}

export interface TurnResult {
  content: string;
  thinking: string;
  toolCalls: ToolCall[];
  doneReason: string;
  promptEvalCount: number;
  evalCount: number;
  /** Generation speed as the server measured it (eval_count / eval_duration), 0 when unknown. */
  tokensPerSecond: number;
  durationMs: number;
}

/** Streamed pieces so far, for the live status. */
export type OnChunk = (pieces: number, elapsedMs: number) => void;

const THINK_BLOCK = /<think>([\s\S]*?)(?:<\/think>|$)/g;

export function splitThinking(content: string, thinking: string): { content: string; thinking: string } {
  const inline: string[] = [];
  const rest = content.replace(THINK_BLOCK, (_, text: string) => {
    inline.push(text.trim());
    return '';
  });
  return { content: rest.trim(), thinking: [thinking, ...inline].filter(Boolean).join('\n') };
}

export async function chatTurn(client: Ollama, req: TurnRequest, onChunk?: OnChunk): Promise<TurnResult> {
  const started = performance.now();
  const stream = await client.chat({
    model: req.model,
    messages: req.messages,
    stream: true,
    ...(req.tools ? { tools: req.tools } : {}),
    ...(req.format ? { format: req.format } : {}),
    ...(req.think === undefined ? {} : { think: req.think }),
    ...(req.keepAlive === undefined ? {} : { keep_alive: req.keepAlive }),
    options: { temperature: 0, num_ctx: req.numCtx, num_predict: req.numPredict },
  });
  let content = '';
  let thinking = '';
  const toolCalls: ToolCall[] = [];
  let pieces = 0;
  let last: ChatResponse | undefined;
  for await (const part of stream) {
    content += part.message.content;
    thinking += part.message.thinking ?? '';
    toolCalls.push(...(part.message.tool_calls ?? []));
    pieces++;
    onChunk?.(pieces, performance.now() - started);
    last = part;
  }
  const evalCount = last?.eval_count ?? 0;
  const evalNs = last?.eval_duration ?? 0;
  return {
    ...splitThinking(content, thinking),
    toolCalls,
    doneReason: last?.done_reason ?? 'unknown',
    promptEvalCount: last?.prompt_eval_count ?? 0,
    evalCount,
    tokensPerSecond: evalNs > 0 ? Math.round((evalCount / evalNs) * 1e9 * 10) / 10 : 0,
    durationMs: Math.round(performance.now() - started),
  };
}
