/**
 * The Ollama backend against the faithful server: the request shapes a real server honours (tools while
 * investigating, format for the answer, never both), a num_ctx that keeps the whole prompt, thinking models,
 * finish reasons, the rules prior, and the failure modes a user meets.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Evidence } from '../../src/core/evidence.js';
import { AoiError } from '../../src/core/errors.js';
import { OllamaReasoner } from '../../src/reasoner/ollama-backend.js';
import type { OllamaReasonerOptions } from '../../src/reasoner/ollama-backend.js';
import type { EvidenceTools, ToolRequest } from '../../src/reasoner/reasoner.js';
import { closedPort, content, startFaithfulOllama, TEST_MODEL, toolCalls } from './faithful-ollama.js';
import type { ChatBody, FaithfulOllama } from './faithful-ollama.js';
import { diagnosis, ev, EVIDENCE } from './fixtures.js';

let ollama: FaithfulOllama;
beforeEach(async () => {
  ollama = await startFaithfulOllama({
    'test-model': TEST_MODEL,
    'plain-model': { capabilities: ['completion'], arch: 'llama', contextLength: 8192 },
    'small-model': { capabilities: ['completion', 'tools'], arch: 'gemma3', contextLength: 4096 },
    thinker: { capabilities: ['completion', 'tools', 'thinking'], arch: 'qwen3', contextLength: 40960 },
  });
});
afterEach(async () => {
  await ollama.close();
});

function reasoner(extra: Partial<OllamaReasonerOptions> = {}): OllamaReasoner {
  return new OllamaReasoner({ host: ollama.host, model: 'test-model', timeoutMs: 5_000, ...extra });
}

async function failure(promise: Promise<unknown>): Promise<AoiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AoiError);
  return error as AoiError;
}

function recordingTools(results: Evidence[][] = []): EvidenceTools & { calls: ToolRequest[] } {
  const calls: ToolRequest[] = [];
  return {
    calls,
    fetchMore: (request) => {
      calls.push(request);
      return Promise.resolve(results.shift() ?? []);
    },
  };
}

/** Which of format / tools each request carried. */
const shape = (c: ChatBody) => [c.tools ? 'tools' : '', c.format ? 'format' : ''].filter(Boolean).join('+');

function expectNeverBoth(): void {
  for (const chat of ollama.chats()) expect(shape(chat)).not.toBe('tools+format');
}

/** Evidence whose prompt is far past the server's default window of 2048 tokens. */
const BIG: Evidence[] = [
  ...EVIDENCE,
  ...Array.from({ length: 60 }, (_, i) =>
    ev(10 + i, `worker-${i}-5c4b9d7f6-abcde`, 'LogErrors', 'warning', {
      source: 'logs',
      excerpt: `worker ${i}: request to cache timed out after 5000 ms; retrying with backoff (attempt ${i % 7})`,
    }),
  ),
];

describe('OllamaReasoner: investigate, then answer', () => {
  it('investigates with tools and no format, answers with format and no tools', async () => {
    const logs = ev(1, 'user-service-7d9f8c6b5-abcde', 'PodLogs', 'error', {
      summary: 'mongodb auth failed',
    });
    const events = ev(2, 'user-service-7d9f8c6b5-abcde', 'Events', 'warning', { summary: 'BackOff' });
    const tools = recordingTools([[logs], [events]]);
    ollama.reply(
      toolCalls({
        name: 'get_pod_logs',
        arguments: { namespace: 'test-social', pod: 'user-service-7d9f8c6b5-abcde' },
      }),
      toolCalls({ name: 'get_events', arguments: { namespace: 'test-social' } }),
      content('user-service cannot authenticate to mongodb (ev-4).'),
      content(
        diagnosis({ hypotheses: [{ statement: 'auth fails', confidence: 0.7, evidence: ['ev-4', 'ev-1'] }] }),
      ),
    );
    const out = await reasoner({ tools }).diagnose({ evidence: EVIDENCE });
    expect(tools.calls.map((c) => c.tool)).toEqual(['get_pod_logs', 'get_events']);
    expect(ollama.chats().map(shape)).toEqual(['tools', 'tools', 'tools', 'format']);
    expectNeverBoth();
    expect(out.diagnosis.hypotheses[0]?.evidence).toEqual(['ev-4', 'ev-1']);
    expect(out.steps.map((s) => s.phase ?? s.kind)).toEqual([
      'investigate',
      'tool',
      'investigate',
      'tool',
      'investigate',
      'answer',
    ]);
    const answer = ollama.chats().at(-1)!;
    expect(answer.messages.map((m) => m.role)).toEqual([
      'system',
      'user',
      'user',
      'assistant',
      'tool',
      'assistant',
      'tool',
      'assistant',
      'user',
    ]);
    expect(answer.format).toMatchObject({ type: 'object', properties: { detected: { type: 'boolean' } } });
    expect(answer.options).toMatchObject({ temperature: 0 });
    expect(out.tokens.in).toBe(ollama.seen.reduce((n, s) => n + s.kept.tokens, 0));
    for (const s of ollama.seen) expect(s.suppressedToolCalls).toBe(0);
  });

  it('asks for the answer when the step budget runs out in a tool-call loop', async () => {
    const tools = recordingTools();
    ollama.script((seen) =>
      seen.body.format
        ? content(diagnosis())
        : toolCalls({ name: 'query_metrics', arguments: { promql: 'up' } }),
    );
    const out = await reasoner({ tools, maxSteps: 4 }).diagnose({ evidence: EVIDENCE });
    expect(out.diagnosis).toEqual(diagnosis());
    expect(ollama.chats().map(shape)).toEqual(['tools', 'tools', 'format']);
    expect(out.notes).toContain('step budget of 4 spent while investigating: asking for the answer');
  });

  it('runs no more tool calls than the step budget, however many one turn asks for', async () => {
    const tools = recordingTools();
    const many = Array.from({ length: 20 }, () => ({ name: 'query_metrics', arguments: { promql: 'up' } }));
    ollama.script((seen) => (seen.body.format ? content(diagnosis()) : toolCalls(...many)));
    await reasoner({ tools, maxSteps: 4 }).diagnose({ evidence: EVIDENCE });
    expect(tools.calls).toHaveLength(3);
    const answer = ollama.chats().at(-1)!;
    expect(
      answer.messages.filter((m) => m.content === 'error: the step budget is spent; not run'),
    ).toHaveLength(17);
  });

  it('skips investigation for a model without the tools capability, and says so', async () => {
    ollama.reply(content(diagnosis()));
    const out = await reasoner({ model: 'plain-model', tools: recordingTools() }).diagnose({
      evidence: EVIDENCE,
    });
    expect(out.diagnosis).toEqual(diagnosis());
    expect(ollama.chats().map(shape)).toEqual(['format']);
    expect(out.notes?.[0]).toMatch(/lacks the tools capability .*investigation skipped/);
  });

  it('sends the rules diagnosis as a hypothesis to test, and the keep_alive asked for', async () => {
    const prior = diagnosis({ faultyComponents: ['compose-post'] });
    ollama.reply(content(diagnosis()));
    await reasoner({ rulesPrior: () => prior, keepAlive: '45m' }).diagnose({ evidence: EVIDENCE });
    const [chat] = ollama.chats();
    expect(chat?.messages[1]?.content).toContain('Candidate diagnosis from a deterministic rules engine');
    expect(chat?.messages[1]?.content).toContain('"faultyComponents":["compose-post"]');
    expect(chat?.keep_alive).toBe('45m');
  });
});

describe('OllamaReasoner: context window', () => {
  it('sizes num_ctx so a prompt past 2048 tokens keeps its system prompt', async () => {
    ollama.reply(content(diagnosis()));
    const out = await reasoner().diagnose({ evidence: BIG });
    const [seen] = ollama.seen;
    expect(seen!.kept.truncatedTokens).toBe(0);
    expect(seen!.kept.tokens).toBeGreaterThan(2048);
    expect(seen!.kept.text).toContain('You are aoi, a site reliability engineer');
    const step = out.steps[0]!;
    expect(step.numCtx).toBe(seen!.body.options?.num_ctx);
    expect(step.numCtx!).toBeGreaterThanOrEqual(step.promptEstimate! + 1024);
    expect(step.promptEstimate!).toBeGreaterThanOrEqual(seen!.kept.tokens);
    expect(step.numCtx! % 1024).toBe(0);
  });

  it('shrinks the evidence to the model window, keeping error items, and says so', async () => {
    ollama.reply(content(diagnosis()));
    const out = await reasoner({ model: 'small-model' }).diagnose({ evidence: BIG });
    const [seen] = ollama.seen;
    expect(seen!.numCtx).toBeLessThanOrEqual(4096);
    expect(seen!.kept.truncatedTokens).toBe(0);
    expect(seen!.kept.text).toContain('You are aoi');
    expect(seen!.kept.text).toContain('"id":"ev-1"');
    expect(out.notes?.join('\n')).toMatch(
      /evidence shrunk to fit the model's window of 4096 tokens: 63 → \d+ item/,
    );
  });

  it('sends --num-ctx as given', async () => {
    ollama.reply(content(diagnosis()));
    await reasoner({ numCtx: 8192 }).diagnose({ evidence: EVIDENCE });
    expect(ollama.chats()[0]?.options?.num_ctx).toBe(8192);
  });
});

describe('OllamaReasoner: thinking models and finish reasons', () => {
  it('sets think explicitly, keeps thinking out of the answer, and counts its tokens', async () => {
    ollama.reply(
      { content: 'It is the auth config.', thinking: 'The pod crashes; mongodb refuses auth; check events.' },
      { content: JSON.stringify(diagnosis()), thinking: 'should not appear: think is off here' },
    );
    const out = await reasoner({ model: 'thinker', tools: recordingTools() }).diagnose({
      evidence: EVIDENCE,
    });
    expect(out.diagnosis).toEqual(diagnosis());
    expect(ollama.chats().map((c) => c.think)).toEqual([true, false]);
    expect(out.steps[0]?.thinkingTokens).toBeGreaterThan(5);
    expect(out.steps[1]?.thinkingTokens).toBeUndefined();
  });

  it('moves a <think> block out of the content before parsing', async () => {
    ollama.reply(content(`<think>the answer is obvious</think>\n${JSON.stringify(diagnosis())}`));
    const out = await reasoner().diagnose({ evidence: EVIDENCE });
    expect(out.diagnosis).toEqual(diagnosis());
    expect(out.steps[0]?.thinkingTokens).toBeGreaterThan(0);
  });

  it('retries a cut answer once with a larger num_predict', async () => {
    const long = diagnosis({
      hypotheses: [
        {
          statement: `user-service crashes ${'again and '.repeat(700)}`,
          confidence: 0.8,
          evidence: ['ev-1'],
        },
      ],
    });
    ollama.reply(content(long), content(long));
    const out = await reasoner().diagnose({ evidence: EVIDENCE });
    expect(out.diagnosis.hypotheses).toHaveLength(1);
    expect(ollama.chats().map((c) => c.options?.num_predict)).toEqual([1024, 4096]);
    expect(out.steps[0]).toMatchObject({ doneReason: 'length' });
  });

  it('fails clearly when the answer is cut twice', async () => {
    const huge = diagnosis({
      hypotheses: [{ statement: 'x '.repeat(5000), confidence: 0.8, evidence: ['ev-1'] }],
    });
    ollama.reply(content(huge), content(huge));
    const error = await failure(reasoner().diagnose({ evidence: EVIDENCE }));
    expect(error.message).toBe(
      'model test-model\'s answer was cut twice at num_predict (done_reason "length", 4096 tokens)',
    );
  });

  it('treats empty content with no tool calls as a parse failure, not a healthy answer', async () => {
    ollama.reply(content(''), content(''), content(''));
    const error = await failure(reasoner().diagnose({ evidence: EVIDENCE }));
    expect(error.message).toBe(
      'model test-model gave no valid diagnosis after 3 attempts: the reply was empty',
    );
  });
});

describe('OllamaReasoner: replies that need correcting', () => {
  it('refines a reply citing evidence that does not exist, then accepts the fixed one', async () => {
    const bad = diagnosis({ hypotheses: [{ statement: 'invented', confidence: 0.9, evidence: ['ev-99'] }] });
    ollama.reply(content(bad), content(diagnosis()));
    const out = await reasoner().diagnose({ evidence: EVIDENCE });
    expect(out.diagnosis).toEqual(diagnosis());
    expect(out.rejected).toEqual([]);
    const refine = ollama.chats()[1]?.messages.at(-1);
    expect(refine?.content).toContain('ev-99');
    expect(refine?.content).toContain('Cite only these evidence ids: ev-1, ev-2, ev-3');
  });

  it('sends the parse error back after invalid JSON, then accepts valid JSON', async () => {
    ollama.reply(content('{"detected": tru'), content(diagnosis()));
    const out = await reasoner().diagnose({ evidence: EVIDENCE });
    expect(out.diagnosis.detected).toBe(true);
    expect(ollama.chats()[1]?.messages.at(-1)?.content).toMatch(/not valid: not JSON/);
  });

  it('answers an invalid tool argument with an error tool message', async () => {
    const tools = recordingTools();
    ollama.reply(
      toolCalls({ name: 'get_events', arguments: { namespace: 42 } }),
      content('nothing more to see'),
      content(diagnosis()),
    );
    await reasoner({ tools }).diagnose({ evidence: EVIDENCE });
    expect(tools.calls).toEqual([]);
    const toolMessage = ollama.chats()[1]?.messages.at(-1);
    expect(toolMessage).toMatchObject({ role: 'tool', tool_name: 'get_events' });
    expect(toolMessage?.content).toMatch(/^error: invalid arguments for get_events/);
  });

  it('never sends a secret from evidence or guidance', async () => {
    const canary = 'CanaryS3cretValue0xDEADBEEF';
    const leaky = ev(4, 'auth-service', 'LogErrors', 'error', {
      excerpt: `connecting with password=${canary} to mongodb://admin:${canary}@db:27017`,
    });
    ollama.reply(content(diagnosis()));
    await reasoner().diagnose({
      evidence: [...EVIDENCE, leaky],
      guidance: [{ id: 'g-1', title: 'auth', body: `if the log shows token: ${canary} check the secret` }],
    });
    const sent = JSON.stringify(ollama.requests);
    expect(sent).toContain('[REDACTED]');
    expect(sent).not.toContain(canary);
  });
});

describe('OllamaReasoner: server failures', () => {
  it('reports Ollama down with the hint', async () => {
    const port = await closedPort();
    const r = new OllamaReasoner({ host: `http://127.0.0.1:${port}`, model: 'test-model', timeoutMs: 2_000 });
    const error = await failure(r.diagnose({ evidence: EVIDENCE }));
    expect(error.message).toBe(`Ollama is not reachable at http://127.0.0.1:${port}`);
    expect(error.hint).toBe('Start it with `ollama serve`, set OLLAMA_HOST, or use --reasoner rules.');
  });

  it('names a missing model', async () => {
    const error = await failure(reasoner({ model: 'x' }).diagnose({ evidence: EVIDENCE }));
    expect(error.message).toBe('model x is not installed');
    expect(error.hint).toBe('ollama pull x');
  });

  it('times out through the fetch wrapper', async () => {
    ollama.reply({ hang: true });
    const error = await failure(reasoner({ timeoutMs: 300 }).diagnose({ evidence: EVIDENCE }));
    expect(error.message).toBe(`Ollama at ${ollama.host} did not answer within 300 ms`);
  });

  it('reports an error inside the stream (the runner died) as that, not as unreachable', async () => {
    const died =
      'model runner has unexpectedly stopped, this may be due to resource limitations or an internal error, check ollama server logs for details';
    ollama.reply({ streamError: died });
    const error = await failure(reasoner().diagnose({ evidence: EVIDENCE }));
    expect(error.message).toBe(`Ollama at ${ollama.host} failed while answering: ${died}`);
    expect(error.hint).toMatch(/ollama serve/);
  });

  it('keeps stdout clean when Ollama answers an error as plain text', async () => {
    const log = vi.spyOn(console, 'log');
    ollama.reply({ status: 500, text: 'upstream exploded' });
    const error = await failure(reasoner().diagnose({ evidence: EVIDENCE }));
    expect(error.message).toBe(`Ollama at ${ollama.host} answered 500: upstream exploded`);
    expect(log).not.toHaveBeenCalled();
  });

  it('stops when the caller aborts', async () => {
    ollama.reply({ hang: true });
    const controller = new AbortController();
    const pending = reasoner().diagnose({ evidence: EVIDENCE }, { signal: controller.signal });
    await vi.waitFor(() => expect(ollama.chats()).toHaveLength(1));
    controller.abort();
    const error = await failure(pending);
    expect(error.message).toBe('reasoning was cancelled');
  });
});
