import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer to POST /api/chat: a JSON body (with a status), a raw text body, or no answer at all. */
export type FakeReply =
  { status?: number; body: unknown } | { status: number; text: string } | { hang: true };

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

export interface ChatBody {
  model: string;
  messages: { role: string; content: string; tool_name?: string; tool_calls?: unknown[] }[];
  format?: unknown;
  tools?: unknown[];
  options?: Record<string, unknown>;
}

export interface FakeOllama {
  host: string;
  requests: RecordedRequest[];
  /** Models /api/show and /api/chat know; others get Ollama's 404. */
  models: string[];
  reply(...replies: FakeReply[]): void;
  chats(): ChatBody[];
  close(): Promise<void>;
}

export function chatReply(content: unknown, tokens = { in: 100, out: 20 }): FakeReply {
  return {
    body: {
      model: 'test-model',
      created_at: new Date().toISOString(),
      message: {
        role: 'assistant',
        content: typeof content === 'string' ? content : JSON.stringify(content),
      },
      done: true,
      done_reason: 'stop',
      prompt_eval_count: tokens.in,
      eval_count: tokens.out,
    },
  };
}

export function toolCallReply(...calls: { name: string; arguments: Record<string, unknown> }[]): FakeReply {
  return {
    body: {
      model: 'test-model',
      created_at: new Date().toISOString(),
      message: {
        role: 'assistant',
        content: '',
        tool_calls: calls.map((c) => ({ function: { name: c.name, arguments: c.arguments } })),
      },
      done: true,
      done_reason: 'stop',
      prompt_eval_count: 50,
      eval_count: 10,
    },
  };
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

function notFound(model: string): { error: string } {
  return { error: `model "${model}" not found, try pulling it first` };
}

/** A local HTTP server speaking the part of Ollama's API the reasoner uses (non-stream JSON only). */
export async function startFakeOllama(): Promise<FakeOllama> {
  const queue: FakeReply[] = [];
  let close = (): Promise<void> => Promise.resolve();
  const fake: FakeOllama = {
    host: '',
    requests: [],
    models: ['test-model'],
    reply: (...replies) => queue.push(...replies),
    chats: () => fake.requests.filter((r) => r.path === '/api/chat').map((r) => r.body as ChatBody),
    close: () => close(),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const path = req.url ?? '/';
    fake.requests.push({ method: req.method ?? 'GET', path, body });
    const model = (body as { model?: string } | undefined)?.model ?? '';
    if (path === '/api/version') return sendJson(res, 200, { version: '0.12.0' });
    if (path === '/api/tags')
      return sendJson(res, 200, { models: fake.models.map((name) => ({ name, model: name })) });
    if (path === '/api/show') {
      return fake.models.includes(model)
        ? sendJson(res, 200, { modelfile: '', details: {} })
        : sendJson(res, 404, notFound(model));
    }
    if (path !== '/api/chat') return sendJson(res, 404, { error: 'not found' });
    if (!fake.models.includes(model)) return sendJson(res, 404, notFound(model));
    const next = queue.shift();
    if (!next) return sendJson(res, 500, { error: 'fake ollama: no scripted reply left' });
    if ('hang' in next) return;
    if ('text' in next) {
      res.writeHead(next.status, { 'content-type': 'text/plain' });
      res.end(next.text);
      return;
    }
    sendJson(res, next.status ?? 200, next.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => sendJson(res, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.host = `http://127.0.0.1:${port}`;
  close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

/** A port that was just in use and is now closed: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
