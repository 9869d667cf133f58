import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Evidence } from '../../src/core/evidence.js';
import { AoiError } from '../../src/core/errors.js';
import { OllamaReasoner } from '../../src/reasoner/ollama-backend.js';
import type { OllamaReasonerOptions } from '../../src/reasoner/ollama-backend.js';
import type { EvidenceTools, ToolRequest } from '../../src/reasoner/reasoner.js';
import { chatReply, closedPort, startFakeOllama, toolCallReply } from './fake-ollama.js';
import type { FakeOllama } from './fake-ollama.js';
import { diagnosis, ev, EVIDENCE } from './fixtures.js';

let fake: FakeOllama;
beforeEach(async () => {
  fake = await startFakeOllama();
});
afterEach(async () => {
  await fake.close();
});

function reasoner(extra: Partial<OllamaReasonerOptions> = {}): OllamaReasoner {
  return new OllamaReasoner({ host: fake.host, model: 'test-model', timeoutMs: 5_000, ...extra });
}

async function failure(promise: Promise<unknown>): Promise<AoiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AoiError);
  return error as AoiError;
}

function recordingTools(results: Evidence[][]): EvidenceTools & { calls: ToolRequest[] } {
  const calls: ToolRequest[] = [];
  return {
    calls,
    fetchMore: (request) => {
      calls.push(request);
      return Promise.resolve(results.shift() ?? []);
    },
  };
}

describe('OllamaReasoner', () => {
  it('accepts a valid cited diagnosis and sends format and temperature 0', async () => {
    fake.reply(chatReply(diagnosis(), { in: 120, out: 30 }));
    const out = await reasoner({ numCtx: 8192 }).diagnose({ evidence: EVIDENCE, task: 'analysis' });
    expect(out.diagnosis).toEqual(diagnosis());
    expect(out.rejected).toEqual([]);
    expect(out.tokens).toEqual({ in: 120, out: 30 });
    expect(out.steps).toHaveLength(1);
    expect(out.steps[0]).toMatchObject({ kind: 'model', tokens: { in: 120, out: 30 } });
    const [chat] = fake.chats();
    expect(chat?.options).toEqual({ temperature: 0, num_ctx: 8192 });
    expect(chat?.format).toMatchObject({ type: 'object', properties: { detected: { type: 'boolean' } } });
    expect(chat?.tools).toBeUndefined();
    expect(chat?.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(chat?.messages[1]?.content).toContain('"id":"ev-1"');
    expect(fake.requests.map((r) => r.path)).toEqual(['/api/version', '/api/show', '/api/chat']);
  });

  it('refines a reply citing evidence that does not exist, then accepts the fixed one', async () => {
    const bad = diagnosis({ hypotheses: [{ statement: 'invented', confidence: 0.9, evidence: ['ev-99'] }] });
    fake.reply(chatReply(bad), chatReply(diagnosis()));
    const out = await reasoner().diagnose({ evidence: EVIDENCE });
    expect(out.diagnosis).toEqual(diagnosis());
    expect(out.rejected).toEqual([]);
    expect(out.steps).toHaveLength(2);
    const refine = fake.chats()[1]?.messages.at(-1);
    expect(refine?.role).toBe('user');
    expect(refine?.content).toContain('ev-99');
    expect(refine?.content).toContain('Cite only these evidence ids: ev-1, ev-2, ev-3');
  });

  it('refines only once, then returns what survives verification', async () => {
    const bad = diagnosis({ hypotheses: [{ statement: 'invented', confidence: 0.9, evidence: ['ev-99'] }] });
    fake.reply(chatReply(bad), chatReply(bad));
    const out = await reasoner().diagnose({ evidence: EVIDENCE });
    expect(out.diagnosis.hypotheses).toEqual([]);
    expect(out.diagnosis.rootCause).toBeUndefined();
    expect(out.rejected.map((r) => r.claim)).toContain('hypothesis: invented');
    expect(fake.chats()).toHaveLength(2);
  });

  it('sends the parse error back after invalid JSON, then accepts valid JSON', async () => {
    fake.reply(chatReply('{"detected": tru'), chatReply(diagnosis()));
    const out = await reasoner().diagnose({ evidence: EVIDENCE });
    expect(out.diagnosis.detected).toBe(true);
    const retry = fake.chats()[1]?.messages.at(-1);
    expect(retry?.content).toMatch(/not valid: not JSON/);
  });

  it('fails clearly when the replies never match the schema', async () => {
    fake.reply(
      chatReply({ detected: 'yes' }),
      chatReply({ detected: 'yes' }),
      chatReply({ detected: 'yes' }),
    );
    const error = await failure(reasoner({ maxParseRetries: 2 }).diagnose({ evidence: EVIDENCE }));
    expect(error.code).toBe('model-unavailable');
    expect(error.message).toMatch(/gave no valid diagnosis after 3 attempts/);
  });

  it('runs a tool call with validated object arguments and sends one tool message', async () => {
    const logs = ev(1, 'user-service-7d9f8c6b5-abcde', 'LogErrors', 'error', {
      summary: 'mongodb auth failed',
    });
    const tools = recordingTools([[logs]]);
    const final = diagnosis({
      hypotheses: [{ statement: 'auth fails', confidence: 0.7, evidence: ['ev-4'] }],
    });
    fake.reply(
      toolCallReply({
        name: 'get_pod_logs',
        arguments: { namespace: 'test-social', pod: 'user-service-7d9f8c6b5-abcde', previous: true },
      }),
      chatReply(final),
    );
    const out = await reasoner({ tools }).diagnose({ evidence: EVIDENCE });
    expect(tools.calls).toEqual([
      {
        tool: 'get_pod_logs',
        args: { namespace: 'test-social', pod: 'user-service-7d9f8c6b5-abcde', previous: true },
      },
    ]);
    expect(out.diagnosis.hypotheses[0]?.evidence).toEqual(['ev-4']);
    expect(out.steps.map((s) => s.kind)).toEqual(['model', 'tool', 'model']);
    const sent = fake.chats()[1]!.messages;
    expect(sent.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(sent[2]?.tool_calls).toHaveLength(1);
    expect(sent[3]).toMatchObject({ role: 'tool', tool_name: 'get_pod_logs' });
    expect(sent[3]?.content).toContain('"id":"ev-4"');
    expect(fake.chats()[0]?.tools).toHaveLength(4);
  });

  it('answers an invalid tool argument with an error tool message', async () => {
    const tools = recordingTools([]);
    fake.reply(toolCallReply({ name: 'get_events', arguments: { namespace: 42 } }), chatReply(diagnosis()));
    const out = await reasoner({ tools }).diagnose({ evidence: EVIDENCE });
    expect(tools.calls).toEqual([]);
    expect(out.steps[1]).toMatchObject({ kind: 'tool' });
    const toolMessage = fake.chats()[1]?.messages.at(-1);
    expect(toolMessage).toMatchObject({ role: 'tool', tool_name: 'get_events' });
    expect(toolMessage?.content).toMatch(/^error: invalid arguments for get_events/);
  });

  it('stops with a clear error after too many steps', async () => {
    const tools = recordingTools([]);
    const call = toolCallReply({ name: 'query_metrics', arguments: { promql: 'up' } });
    fake.reply(call, call, call, call);
    const error = await failure(reasoner({ tools, maxSteps: 4 }).diagnose({ evidence: EVIDENCE }));
    expect(error.code).toBe('model-unavailable');
    expect(error.message).toBe('model test-model gave no final diagnosis within 4 steps');
    expect(fake.chats()).toHaveLength(2);
  });

  it('reports Ollama down with the hint', async () => {
    const port = await closedPort();
    const r = new OllamaReasoner({ host: `http://127.0.0.1:${port}`, model: 'test-model', timeoutMs: 2_000 });
    const error = await failure(r.diagnose({ evidence: EVIDENCE }));
    expect(error.code).toBe('model-unavailable');
    expect(error.message).toBe(`Ollama is not reachable at http://127.0.0.1:${port}`);
    expect(error.hint).toBe('Start it with `ollama serve`, set OLLAMA_HOST, or use --reasoner rules.');
  });

  it('names a missing model', async () => {
    const error = await failure(reasoner({ model: 'x' }).diagnose({ evidence: EVIDENCE }));
    expect(error.code).toBe('model-unavailable');
    expect(error.message).toBe('model x is not installed');
    expect(error.hint).toBe('ollama pull x');
  });

  it('maps a 404 from chat to the missing model too', async () => {
    fake.reply({ status: 404, body: { error: 'model "test-model" not found, try pulling it first' } });
    const error = await failure(reasoner().diagnose({ evidence: EVIDENCE }));
    expect(error.message).toBe('model test-model is not installed');
  });

  it('never sends a secret from evidence or guidance', async () => {
    const canary = 'CanaryS3cretValue0xDEADBEEF';
    const leaky = ev(4, 'auth-service', 'LogErrors', 'error', {
      excerpt: `connecting with password=${canary} to mongodb://admin:${canary}@db:27017`,
    });
    fake.reply(chatReply(diagnosis()));
    await reasoner().diagnose({
      evidence: [...EVIDENCE, leaky],
      guidance: [{ id: 'g-1', title: 'auth', body: `if the log shows token: ${canary} check the secret` }],
    });
    const sent = JSON.stringify(fake.requests);
    expect(sent).toContain('[REDACTED]');
    expect(sent).not.toContain(canary);
  });

  it('times out through the fetch wrapper', async () => {
    fake.reply({ hang: true });
    const started = Date.now();
    const error = await failure(reasoner({ timeoutMs: 200 }).diagnose({ evidence: EVIDENCE }));
    expect(error.code).toBe('model-unavailable');
    expect(error.message).toBe(`Ollama at ${fake.host} did not answer within 200 ms`);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('keeps stdout clean when Ollama answers an error as plain text', async () => {
    const log = vi.spyOn(console, 'log');
    fake.reply({ status: 500, text: 'upstream exploded' });
    const error = await failure(reasoner().diagnose({ evidence: EVIDENCE }));
    expect(error.message).toBe(`Ollama at ${fake.host} answered 500: upstream exploded`);
    expect(log).not.toHaveBeenCalled();
  });

  it('stops when the caller aborts', async () => {
    fake.reply({ hang: true });
    const controller = new AbortController();
    const pending = reasoner().diagnose({ evidence: EVIDENCE }, { signal: controller.signal });
    await vi.waitFor(() => expect(fake.chats()).toHaveLength(1));
    controller.abort();
    const error = await failure(pending);
    expect(error.message).toBe('reasoning was cancelled');
  });
});
