/**
 * A contract-faithful Ollama server for tests. A test scripts what the *model* would say (content, thinking,
 * tool calls); the server enforces what the real server does around it, each behaviour citing its source
 * (github.com/ollama/ollama at fb30760: docs/api.md, server/routes.go, server/prompt.go, llm/llama_server.go,
 * api/types.go) or issue. The pure parts live in ./ollama-contract.ts.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ContractMessage, KeptPrompt } from './ollama-contract.js';
import { cutAt, keptPrompt, minimalInstance, tokensOf } from './ollama-contract.js';

export interface ModelCard {
  /** /api/show `capabilities` (docs/api.md "Show Model Information"): completion, tools, thinking, … */
  capabilities: string[];
  /** `model_info["general.architecture"]`; the context length sits under `<arch>.context_length`. */
  arch: string;
  contextLength: number;
}

export interface ToolCallIntent {
  name: string;
  arguments: Record<string, unknown>;
}

/** What the scripted model "says" on one turn, before the server's contract is applied. */
export type ModelTurn =
  | { content: string; thinking?: string; toolCalls?: ToolCallIntent[] }
  | { toolCalls: ToolCallIntent[]; content?: string; thinking?: string }
  /** An HTTP failure of the server itself. */
  | { status: number; error: string }
  | { status: number; text: string }
  /** A failure after the stream began (e.g. the runner died): server/routes.go sends `{"error": …}` in-stream. */
  | { streamError: string }
  | { hang: true };

export interface ChatBody {
  model: string;
  messages: ContractMessage[];
  format?: unknown;
  tools?: unknown[];
  think?: boolean | string;
  stream?: boolean;
  keep_alive?: string | number;
  options?: { num_ctx?: number; num_predict?: number; num_keep?: number; [key: string]: unknown };
}

/** One /api/chat request as the server saw it, with the prompt the model actually got. */
export interface SeenChat {
  body: ChatBody;
  kept: KeptPrompt;
  numCtx: number;
  /** Tool calls the scripted model wanted but the contract suppressed (format set). */
  suppressedToolCalls: number;
}

export type ModelScript = (seen: SeenChat, index: number) => ModelTurn;

export interface FaithfulOllama {
  host: string;
  models: Record<string, ModelCard>;
  requests: { method: string; path: string; body: unknown }[];
  seen: SeenChat[];
  /** Queue scripted turns (used in order); `script` answers once the queue is empty. */
  reply(...turns: ModelTurn[]): void;
  script(fn: ModelScript): void;
  chats(): ChatBody[];
  close(): Promise<void>;
}

/** llm/llama_server.go and docs/faq.mdx: the server's window when a request sets no num_ctx. */
export const DEFAULT_NUM_CTX = 2048;

export const TEST_MODEL: ModelCard = {
  capabilities: ['completion', 'tools'],
  arch: 'qwen2',
  contextLength: 32768,
};

export function content(value: unknown, thinking?: string): ModelTurn {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return thinking === undefined ? { content: text } : { content: text, thinking };
}

export function toolCalls(...calls: ToolCallIntent[]): ModelTurn {
  return { toolCalls: calls };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/** server/routes.go handleScheduleError (os.ErrNotExist) and ShowHandler: an unpulled model is a 404. */
function notFound(model: string): { error: string } {
  return { error: `model "${model}" not found, try pulling it first` };
}

const NS_PER_TOKEN = 20_000_000;

function splitText(text: string, pieces: number): string[] {
  if (text === '') return [];
  const size = Math.max(1, Math.ceil(text.length / pieces));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

interface Generated {
  content: string;
  thinking: string;
  toolCalls: { function: { name: string; arguments: Record<string, unknown> } }[];
  doneReason: 'stop' | 'length';
  evalCount: number;
}

/** Applies the server's contract to what the scripted model said. */
function generate(
  turn: Exclude<ModelTurn, { status: number } | { hang: true } | { streamError: string }>,
  body: ChatBody,
  card: ModelCard,
) {
  let wanted = turn.toolCalls ?? [];
  let text = turn.content ?? '';
  let suppressed = 0;
  // #11185 and friends: a JSON schema in `format` grammar-constrains sampling, so no tool call can be emitted.
  if (body.format !== undefined && wanted.length > 0) {
    suppressed = wanted.length;
    wanted = [];
    text =
      typeof body.format === 'object' && body.format !== null
        ? JSON.stringify(minimalInstance(body.format))
        : '{}';
  }
  // server/routes.go ChatHandler: a thinking-capable model thinks when `think` is unset; `think: false` turns
  // it off; the thinking text comes back in message.thinking, apart from content (docs/api.md).
  const thinks = card.capabilities.includes('thinking') && body.think !== false;
  const raw = { thinking: thinks ? (turn.thinking ?? '') : '', content: text };
  const cut = cutAt(raw, body.options?.num_predict);
  const calls = cut.cut ? [] : wanted.map((c) => ({ function: { name: c.name, arguments: c.arguments } }));
  const generated: Generated = {
    content: cut.content,
    thinking: cut.thinking,
    toolCalls: calls,
    doneReason: cut.cut ? 'length' : 'stop',
    evalCount:
      tokensOf(cut.thinking).length +
      tokensOf(cut.content).length +
      (calls.length ? tokensOf(JSON.stringify(calls)).length : 0),
  };
  return { generated, suppressed };
}

export async function startFaithfulOllama(
  models: Record<string, ModelCard> = { 'test-model': TEST_MODEL },
): Promise<FaithfulOllama> {
  const queue: ModelTurn[] = [];
  let scripted: ModelScript | undefined;
  let close = (): Promise<void> => Promise.resolve();
  const ollama: FaithfulOllama = {
    host: '',
    models,
    requests: [],
    seen: [],
    reply: (...turns) => queue.push(...turns),
    script: (fn) => {
      scripted = fn;
    },
    chats: () => ollama.seen.map((s) => s.body),
    close: () => close(),
  };

  const show = (res: ServerResponse, model: string): void => {
    const card = ollama.models[model];
    if (!card) return sendJson(res, 404, notFound(model));
    // docs/api.md "Show Model Information": model_info carries general.architecture and
    // <arch>.context_length; capabilities lists what the model can do.
    sendJson(res, 200, {
      modelfile: '',
      details: { family: card.arch, format: 'gguf', parameter_size: '14.8B', quantization_level: 'Q4_K_M' },
      model_info: { 'general.architecture': card.arch, [`${card.arch}.context_length`]: card.contextLength },
      capabilities: card.capabilities,
    });
  };

  const chat = (res: ServerResponse, body: ChatBody): void => {
    const card = ollama.models[body.model];
    if (!card) return sendJson(res, 404, notFound(body.model));
    const full = `registry.ollama.ai/library/${body.model}`;
    // server/routes.go scheduleRunner → Model.CheckCapabilities: tools on a model without them is a 400.
    if ((body.tools?.length ?? 0) > 0 && !card.capabilities.includes('tools'))
      return sendJson(res, 400, { error: `${full} does not support tools` });
    // server/routes.go ChatHandler: think on a model without the thinking capability is a 400.
    if ((body.think === true || typeof body.think === 'string') && !card.capabilities.includes('thinking'))
      return sendJson(res, 400, { error: `"${body.model}" does not support thinking` });
    const numCtx = body.options?.num_ctx ?? DEFAULT_NUM_CTX;
    const kept = keptPrompt(body.messages, body.tools ?? [], numCtx, body.options?.num_keep);
    const seen: SeenChat = { body, kept, numCtx, suppressedToolCalls: 0 };
    ollama.seen.push(seen);
    const turn = queue.shift() ?? scripted?.(seen, ollama.seen.length - 1);
    if (!turn) return sendJson(res, 500, { error: 'faithful ollama: the scripted model has nothing to say' });
    if ('hang' in turn) return;
    if ('text' in turn) {
      res.writeHead(turn.status, { 'content-type': 'text/plain' });
      res.end(turn.text);
      return;
    }
    if ('error' in turn) return sendJson(res, turn.status, { error: turn.error });
    if ('streamError' in turn) {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(
        `${JSON.stringify({ model: body.model, message: { role: 'assistant', content: 'The' }, done: false })}\n`,
      );
      res.end(`${JSON.stringify({ error: turn.streamError })}\n`);
      return;
    }
    const { generated, suppressed } = generate(turn, body, card);
    seen.suppressedToolCalls = suppressed;
    const stats = {
      done: true,
      done_reason: generated.doneReason,
      total_duration: (kept.tokens + generated.evalCount) * NS_PER_TOKEN,
      load_duration: 0,
      prompt_eval_count: kept.tokens,
      prompt_eval_duration: kept.tokens * NS_PER_TOKEN,
      eval_count: generated.evalCount,
      eval_duration: generated.evalCount * NS_PER_TOKEN,
    };
    const head = { model: body.model, created_at: new Date().toISOString() };
    // docs/api.md "Streaming responses": a stream of JSON objects unless `stream` is false; the last has
    // done: true and the statistics (ollama-js reads it as NDJSON).
    if (body.stream !== false) {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      const line = (value: unknown) => res.write(`${JSON.stringify(value)}\n`);
      for (const piece of splitText(generated.thinking, 3))
        line({ ...head, message: { role: 'assistant', content: '', thinking: piece }, done: false });
      for (const piece of splitText(generated.content, 3))
        line({ ...head, message: { role: 'assistant', content: piece }, done: false });
      if (generated.toolCalls.length > 0)
        line({
          ...head,
          message: { role: 'assistant', content: '', tool_calls: generated.toolCalls },
          done: false,
        });
      line({ ...head, message: { role: 'assistant', content: '' }, ...stats });
      res.end();
      return;
    }
    sendJson(res, 200, {
      ...head,
      message: {
        role: 'assistant',
        content: generated.content,
        ...(generated.thinking ? { thinking: generated.thinking } : {}),
        ...(generated.toolCalls.length ? { tool_calls: generated.toolCalls } : {}),
      },
      ...stats,
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const path = req.url ?? '/';
    ollama.requests.push({ method: req.method ?? 'GET', path, body });
    const model = (body as { model?: string } | undefined)?.model ?? '';
    if (path === '/api/version') return sendJson(res, 200, { version: '0.13.0' });
    if (path === '/api/tags')
      return sendJson(res, 200, {
        models: Object.keys(ollama.models).map((name) => ({ name, model: name })),
      });
    if (path === '/api/show') return show(res, model);
    if (path === '/api/chat') return chat(res, body as ChatBody);
    sendJson(res, 404, { error: 'not found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => sendJson(res, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  ollama.host = `http://127.0.0.1:${port}`;
  close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return ollama;
}

/** A port that was just in use and is now closed: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
