/**
 * The faithful Ollama server itself: each contract it enforces, exercised with ollama-js (the client aoi
 * uses), including the request shape the old backend sent (format and tools together).
 */
import { Ollama } from 'ollama';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIAGNOSIS_JSON_SCHEMA, TOOLS } from '../../src/reasoner/ollama-backend.js';
import { DEFAULT_NUM_CTX, startFaithfulOllama, TEST_MODEL, toolCalls } from './faithful-ollama.js';
import type { FaithfulOllama } from './faithful-ollama.js';

let ollama: FaithfulOllama;
let client: Ollama;
beforeEach(async () => {
  ollama = await startFaithfulOllama({
    'test-model': TEST_MODEL,
    'plain-model': { capabilities: ['completion'], arch: 'llama', contextLength: 8192 },
    thinker: { capabilities: ['completion', 'tools', 'thinking'], arch: 'qwen3', contextLength: 40960 },
  });
  client = new Ollama({ host: ollama.host });
});
afterEach(async () => {
  await ollama.close();
});

const SYSTEM = 'You are aoi, a site reliability engineer diagnosing a Kubernetes incident from evidence.';
const longUser = () =>
  Array.from(
    { length: 400 },
    (_, i) => `{"id":"ev-${i}","summary":"pod web-${i} restarted ${i} times"}`,
  ).join('\n');

async function failure(promise: Promise<unknown>): Promise<{ status_code: number; error: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect((error as Error).name).toBe('ResponseError');
  return error as { status_code: number; error: string };
}

describe('faithful Ollama', () => {
  it('answers /api/show with capabilities and <arch>.context_length, and 404s an unpulled model', async () => {
    const show = (await client.show({ model: 'thinker' })) as unknown as {
      capabilities: string[];
      model_info: Record<string, unknown>;
    };
    expect(show.capabilities).toEqual(['completion', 'tools', 'thinking']);
    expect(show.model_info['general.architecture']).toBe('qwen3');
    expect(show.model_info['qwen3.context_length']).toBe(40960);
    const error = await failure(client.show({ model: 'x' }));
    expect(error).toMatchObject({ status_code: 404, error: 'model "x" not found, try pulling it first' });
  });

  it('never returns tool calls when format is set: the old request shape cannot investigate', async () => {
    ollama.reply(toolCalls({ name: 'get_events', arguments: { namespace: 'shop' } }));
    const old = await client.chat({
      model: 'test-model',
      messages: [{ role: 'user', content: 'what is wrong?' }],
      format: DIAGNOSIS_JSON_SCHEMA,
      tools: TOOLS,
      stream: false,
    });
    expect(old.message.tool_calls).toBeUndefined();
    expect(JSON.parse(old.message.content)).toEqual({
      detected: false,
      faultyComponents: [],
      hypotheses: [],
      proposals: [],
    });
    expect(ollama.seen[0]?.suppressedToolCalls).toBe(1);
    ollama.reply(toolCalls({ name: 'get_events', arguments: { namespace: 'shop' } }));
    const split = await client.chat({
      model: 'test-model',
      messages: [{ role: 'user', content: 'what is wrong?' }],
      tools: TOOLS,
      stream: false,
    });
    expect(split.message.tool_calls?.[0]?.function).toEqual({
      name: 'get_events',
      arguments: { namespace: 'shop' },
    });
  });

  it(`cuts a prompt past num_ctx (default ${DEFAULT_NUM_CTX}) from the front, losing the system prompt`, async () => {
    ollama.reply({ content: 'ok' }, { content: 'ok' });
    const messages = [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: longUser() },
    ];
    const cut = await client.chat({ model: 'test-model', messages, stream: false });
    const first = ollama.seen[0]!;
    expect(first.kept.truncatedTokens).toBeGreaterThan(0);
    expect(cut.prompt_eval_count).toBe(first.kept.tokens);
    expect(cut.prompt_eval_count).toBeLessThan(DEFAULT_NUM_CTX);
    expect(first.kept.text).not.toContain(SYSTEM);
    const whole = await client.chat({
      model: 'test-model',
      messages,
      stream: false,
      options: { num_ctx: 16384 },
    });
    expect(ollama.seen[1]!.kept.text).toContain(SYSTEM);
    expect(whole.prompt_eval_count).toBeGreaterThan(DEFAULT_NUM_CTX);
  });

  it('drops whole old messages but keeps system messages and the last one (server/prompt.go)', async () => {
    ollama.reply({ content: 'ok' });
    await client.chat({
      model: 'test-model',
      stream: false,
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: longUser() },
        { role: 'assistant', content: 'looking' },
        { role: 'user', content: 'answer now' },
      ],
    });
    const kept = ollama.seen[0]!.kept;
    expect(kept.droppedMessages).toBe(1);
    expect(kept.truncatedTokens).toBe(0);
    expect(kept.text).toContain(SYSTEM);
    expect(kept.text).not.toContain('ev-399');
  });

  it('streams NDJSON when stream is true, statistics on the last object', async () => {
    ollama.reply({ content: 'the pods crash because the config map is wrong' });
    const res = await fetch(`${ollama.host}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'why?' }] }),
    });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.slice(0, -1).every((l) => l.done === false)).toBe(true);
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'stop' });
    expect(lines.at(-1)!.eval_count).toBeGreaterThan(5);
  });

  it('refuses tools and think on models without those capabilities (server/routes.go)', async () => {
    const tools = await failure(
      client.chat({ model: 'plain-model', messages: [{ role: 'user', content: 'x' }], tools: TOOLS }),
    );
    expect(tools).toMatchObject({
      status_code: 400,
      error: 'registry.ollama.ai/library/plain-model does not support tools',
    });
    const think = await failure(
      client.chat({ model: 'plain-model', messages: [{ role: 'user', content: 'x' }], think: true }),
    );
    expect(think).toMatchObject({ status_code: 400, error: '"plain-model" does not support thinking' });
  });

  it('returns thinking apart from content, and none with think false', async () => {
    ollama.reply(
      { content: '{"a":1}', thinking: 'let me see' },
      { content: '{"a":1}', thinking: 'let me see' },
    );
    const on = await client.chat({
      model: 'thinker',
      messages: [{ role: 'user', content: 'x' }],
      stream: false,
    });
    expect(on.message).toMatchObject({ content: '{"a":1}', thinking: 'let me see' });
    const off = await client.chat({
      model: 'thinker',
      messages: [{ role: 'user', content: 'x' }],
      stream: false,
      think: false,
    });
    expect(off.message.thinking).toBeUndefined();
  });

  it('cuts an answer at num_predict with done_reason "length"', async () => {
    ollama.reply({ content: 'word '.repeat(200) });
    const res = await client.chat({
      model: 'test-model',
      messages: [{ role: 'user', content: 'x' }],
      stream: false,
      options: { num_predict: 20 },
    });
    expect(res.done_reason).toBe('length');
    expect(res.eval_count).toBe(20);
  });
});
