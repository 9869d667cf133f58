/**
 * The Ollama backend: investigate, then answer. Investigation turns offer the read-only tools and no `format`;
 * the final turn asks for the Diagnosis schema in `format` and offers no tools, because a schema in `format`
 * constrains sampling so a tool call can never be emitted (ollama/ollama#11185, #8095, #11037, #13750;
 * ollama-python#546). Every request carries a num_ctx that holds its prompt and answer, so the server never
 * cuts the prompt from the front.
 */
import { Ollama } from 'ollama';
import type { Message } from 'ollama';
import { z } from 'zod';
import { Diagnosis } from '../core/diagnosis.js';
import { AoiError } from '../core/errors.js';
import type { Evidence } from '../core/evidence.js';
import { verifyDiagnosis } from './citations.js';
import type { CountTokens, TokenBudget } from './context-window.js';
import { chooseNumCtx, estimatePrompt, loadTokenBudget, MIN_NUM_CTX } from './context-window.js';
import { guardedFetch, toAoiError } from './ollama-client.js';
import type { CallContext } from './ollama-client.js';
import type { ModelFacts } from './ollama-model.js';
import { modelFacts } from './ollama-model.js';
import { runToolCall, TOOLS } from './ollama-tools.js';
import { chatTurn } from './ollama-turn.js';
import type { TurnResult } from './ollama-turn.js';
import {
  ANSWER_PROMPT,
  buildMessages,
  citationRefinePrompt,
  INVESTIGATE_PROMPT,
  message,
  parseFailurePrompt,
  toolMessage,
} from './prompt.js';
import type { EvidenceTools, Reasoner, ReasonerInput, ReasonerResult, ReasonerStep } from './reasoner.js';
import { groundProposals, markUntrusted } from './untrusted.js';

export { TOOLS } from './ollama-tools.js';

/** What the model must answer: Diagnosis itself (an object, so its proposal union sits inside a field). */
export const DiagnosisForModel = Diagnosis;
export const DIAGNOSIS_JSON_SCHEMA = z.toJSONSchema(DiagnosisForModel, { io: 'input' });

/** Tokens reserved in the first window for tool results (each is a few hundred tokens of evidence). */
const INVESTIGATION_ROOM = 2048;

/** The live status line's facts. */
export interface OllamaProgress {
  /** `done` once the model has answered or failed: the status line is cleared. */
  phase: 'investigate' | 'answer' | 'done';
  step: number;
  maxSteps: number;
  tokensPerSecond: number;
}

export interface OllamaReasonerOptions {
  host: string;
  model: string;
  timeoutMs: number;
  maxSteps?: number;
  /** Sent as num_ctx on every request instead of the sized window (flag --num-ctx, config ollama.numCtx). */
  numCtx?: number;
  /** Invalid-reply retries before giving up. */
  maxParseRetries?: number;
  tools?: EvidenceTools;
  /** How long the server keeps the model loaded after each request (Ollama's `keep_alive`). */
  keepAlive?: string;
  /** `think` for thinking-capable models while investigating (default true). */
  think?: boolean;
  /** Tokens allowed for one answer (num_predict); default 1024, 4096 for thinking models. */
  answerTokens?: number;
  /** The rules backend's diagnosis, given to the model as a hypothesis to confirm or refute. */
  rulesPrior?: (input: ReasonerInput) => Diagnosis | undefined;
  onProgress?: (progress: OllamaProgress) => void;
}

export function parseReply(
  content: string,
): { ok: true; diagnosis: Diagnosis } | { ok: false; error: string } {
  const text = content
    .trim()
    .replace(/^```(?:json)?\s*/i, '')
    .replace(/\s*```$/, '');
  if (text === '') return { ok: false, error: 'the reply was empty' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const parsed = Diagnosis.safeParse(json);
  return parsed.success
    ? { ok: true, diagnosis: parsed.data }
    : { ok: false, error: z.prettifyError(parsed.error) };
}

/** Removes the oldest assistant tool-call message and its tool replies; false when there is none. */
function dropOldestToolExchange(messages: Message[]): boolean {
  const start = messages.findIndex((m) => m.role === 'assistant' && (m.tool_calls?.length ?? 0) > 0);
  if (start < 0) return false;
  let end = start + 1;
  while (messages[end]?.role === 'tool') end++;
  messages.splice(start, end - start);
  return true;
}

export class OllamaReasoner implements Reasoner {
  readonly name = 'ollama';
  readonly #options: OllamaReasonerOptions;

  constructor(options: OllamaReasonerOptions) {
    this.#options = options;
  }

  async diagnose(input: ReasonerInput, options: { signal?: AbortSignal } = {}): Promise<ReasonerResult> {
    const { host, model, timeoutMs } = this.#options;
    const ctx: CallContext = { host, model, timeoutMs, signal: options.signal };
    // One client per call, so the caller's signal cancels only this diagnosis.
    const client = new Ollama({ host, fetch: guardedFetch(timeoutMs, options.signal) });
    try {
      await client.version();
    } catch (error) {
      throw toAoiError(error, ctx, 'probe');
    }
    try {
      const facts = modelFacts(await client.show({ model }));
      return await new Session(client, this.#options, facts, await loadTokenBudget()).run(input);
    } catch (error) {
      throw toAoiError(error, ctx);
    } finally {
      this.#options.onProgress?.({ phase: 'done', step: 0, maxSteps: 0, tokensPerSecond: 0 });
    }
  }
}

/** One diagnosis: the messages, the steps and the window, from the first request to the answer. */
class Session {
  readonly steps: ReasonerStep[] = [];
  readonly notes: string[] = [];
  readonly tokens = { in: 0, out: 0 };
  readonly window: number;
  readonly answerTokens: number;
  readonly count: CountTokens;
  #previousCtx: number | undefined;

  constructor(
    readonly client: Ollama,
    readonly options: OllamaReasonerOptions,
    readonly facts: ModelFacts,
    readonly budget: TokenBudget,
  ) {
    this.count = budget.countTokens;
    this.window = options.numCtx ?? facts.contextLength ?? MIN_NUM_CTX;
    if (options.numCtx === undefined && facts.contextLength === undefined)
      this.notes.push(`context length unknown (no model_info in /api/show): assuming ${MIN_NUM_CTX}`);
    this.answerTokens = options.answerTokens ?? (facts.thinking ? 4096 : 1024);
  }

  get maxSteps(): number {
    return this.options.maxSteps ?? 8;
  }

  need(messages: readonly Message[], withTools: boolean, answer = this.answerTokens): number {
    return estimatePrompt(this.count, messages, withTools ? TOOLS : undefined) + answer;
  }

  /** The first messages, with the evidence shrunk by the observer's token budget when it cannot fit. */
  firstMessages(input: ReasonerInput, investigate: boolean): { messages: Message[]; investigate: boolean } {
    const prior = this.options.rulesPrior?.(input);
    const extras = prior ? { prior } : {};
    let messages = buildMessages(input, extras);
    if (this.need(messages, investigate) <= this.window) return { messages, investigate };
    const fixed = this.need(buildMessages({ ...input, evidence: [] }, extras), investigate);
    const fitted = this.budget.fitToBudget(
      input.evidence,
      Math.max(0, Math.floor((this.window - fixed) / 1.2)),
    );
    messages = buildMessages({ ...input, evidence: fitted.kept }, extras);
    const dropped = fitted.dropped.map((ev) => ev.id);
    this.notes.push(
      `evidence shrunk to fit the model's window of ${this.window} tokens: ${input.evidence.length} → ${fitted.kept.length} item(s)${dropped.length ? ` (dropped ${dropped.join(', ')})` : ''}; error and critical items kept`,
    );
    if (investigate && this.need(messages, true) > this.window) {
      this.notes.push('no room left for the tool definitions: investigation skipped');
      investigate = false;
    }
    const need = this.need(messages, false);
    if (need > this.window)
      throw new AoiError(
        'model-unavailable',
        `the evidence and answer need about ${need} tokens, more than the ${this.window} the model can take`,
        { hint: 'Lower --max-evidence-tokens, raise --num-ctx, or use a model with a longer context.' },
      );
    return { messages, investigate };
  }

  async send(
    phase: 'investigate' | 'answer',
    messages: Message[],
    withTools: boolean,
    think: boolean | undefined,
    numPredict: number,
  ): Promise<{ turn: TurnResult; step: ReasonerStep }> {
    const promptEstimate = estimatePrompt(this.count, messages, withTools ? TOOLS : undefined);
    const { numCtx } = chooseNumCtx({
      promptTokens: promptEstimate,
      // The first window has room for tool results to come, so it need not grow (reloading the model) mid-incident.
      answerTokens:
        numPredict + (phase === 'investigate' && this.#previousCtx === undefined ? INVESTIGATION_ROOM : 0),
      window: this.window,
      ...(this.#previousCtx === undefined ? {} : { previous: this.#previousCtx }),
      ...(this.options.numCtx === undefined ? {} : { override: this.options.numCtx }),
    });
    this.#previousCtx = numCtx;
    const stepNo = this.steps.length + 1;
    const progress = (tokensPerSecond: number) =>
      this.options.onProgress?.({ phase, step: stepNo, maxSteps: this.maxSteps, tokensPerSecond });
    progress(0);
    const turn = await chatTurn(
      this.client,
      {
        model: this.options.model,
        messages,
        ...(withTools ? { tools: TOOLS } : { format: DIAGNOSIS_JSON_SCHEMA }),
        ...(think === undefined ? {} : { think }),
        numCtx,
        numPredict,
        ...(this.options.keepAlive === undefined ? {} : { keepAlive: this.options.keepAlive }),
      },
      (pieces, ms) => progress(ms > 0 ? Math.round((pieces / ms) * 10_000) / 10 : 0),
    );
    progress(turn.tokensPerSecond);
    this.tokens.in += turn.promptEvalCount;
    this.tokens.out += turn.evalCount;
    const step: ReasonerStep = {
      kind: 'model',
      phase,
      durationMs: turn.durationMs,
      tokens: { in: turn.promptEvalCount, out: turn.evalCount },
      summary: '',
      numCtx,
      promptEstimate,
      ...(turn.thinking ? { thinkingTokens: this.count(turn.thinking) } : {}),
      doneReason: turn.doneReason,
      sent: [
        withTools ? 'tools' : 'format',
        ...(think === undefined ? [] : [`think:${think}`]),
        ...(this.options.keepAlive === undefined ? [] : ['keep_alive']),
        'num_ctx',
        'num_predict',
      ],
    };
    this.steps.push(step);
    return { turn, step };
  }

  async investigate(messages: Message[], pool: Evidence[]): Promise<void> {
    const think = this.facts.thinking ? (this.options.think ?? true) : undefined;
    messages.push(message('user', INVESTIGATE_PROMPT));
    while (this.steps.length < this.maxSteps) {
      if (this.need(messages, true) > this.window) {
        this.notes.push('context window full: investigation stopped, answering with what was gathered');
        return;
      }
      const { turn, step } = await this.send('investigate', messages, true, think, this.answerTokens);
      if (turn.toolCalls.length === 0) {
        step.summary = turn.content
          ? `findings: ${turn.content.slice(0, 200)}`
          : `no tool call and no findings (done_reason ${turn.doneReason})`;
        if (turn.content) messages.push(message('assistant', turn.content));
        return;
      }
      step.summary = `tool calls: ${turn.toolCalls.map((c) => c.function.name).join(', ')}`;
      messages.push({ ...message('assistant', turn.content), tool_calls: turn.toolCalls });
      for (const call of turn.toolCalls) {
        // Many calls in one turn still spend one step each; those past the budget are answered, not run.
        if (this.steps.length >= this.maxSteps) {
          messages.push(toolMessage(call.function.name, 'error: the step budget is spent; not run'));
          continue;
        }
        const ran = await runToolCall(call, this.options.tools, pool, this.steps);
        messages.push(ran.message);
      }
    }
    this.notes.push(`step budget of ${this.maxSteps} spent while investigating: asking for the answer`);
  }

  async answer(messages: Message[], pool: Evidence[], think: boolean | undefined): Promise<ReasonerResult> {
    const { model } = this.options;
    const maxParseRetries = this.options.maxParseRetries ?? 2;
    messages.push(message('user', ANSWER_PROMPT));
    let numPredict = this.answerTokens;
    let lengthRetried = false;
    let parseFailures = 0;
    let refined = false;
    for (;;) {
      while (this.need(messages, false, numPredict) > this.window) {
        if (!dropOldestToolExchange(messages))
          throw new AoiError('model-unavailable', `the answer does not fit model ${model}'s window`, {
            hint: 'Raise --num-ctx, or use a model with a longer context.',
          });
        this.notes.push('the oldest tool exchange was left out of the answer turn to fit the window');
      }
      const { turn, step } = await this.send('answer', messages, false, think, numPredict);
      if (turn.doneReason === 'length') {
        step.summary = `answer cut at ${numPredict} tokens (done_reason length)`;
        if (lengthRetried)
          throw new AoiError(
            'model-unavailable',
            `model ${model}'s answer was cut twice at num_predict (done_reason "length", ${numPredict} tokens)`,
            { hint: 'Raise --num-ctx, try a model that answers more briefly, or use --reasoner rules.' },
          );
        lengthRetried = true;
        numPredict *= 4;
        continue;
      }
      const reply = parseReply(turn.content);
      if (!reply.ok) {
        step.summary = `invalid reply: ${reply.error.slice(0, 200)}`;
        if (++parseFailures > maxParseRetries)
          throw new AoiError(
            'model-unavailable',
            `model ${model} gave no valid diagnosis after ${parseFailures} attempts: ${reply.error}`,
            { hint: 'Try another model or use --reasoner rules.' },
          );
        messages.push(message('assistant', turn.content), message('user', parseFailurePrompt(reply.error)));
        continue;
      }
      const marks = markUntrusted(pool);
      const verified = verifyDiagnosis(reply.diagnosis, pool);
      const grounded = groundProposals(verified.diagnosis, pool, marks);
      const rejected = [...verified.rejected, ...grounded.rejected];
      step.summary = `diagnosis: detected=${grounded.diagnosis.detected}, ${rejected.length} claim(s) rejected`;
      if (rejected.length > 0 && !refined) {
        refined = true;
        const ids = pool.map((ev) => ev.id);
        messages.push(
          message('assistant', turn.content),
          message('user', citationRefinePrompt(rejected, ids)),
        );
        continue;
      }
      return {
        diagnosis: grounded.diagnosis,
        steps: this.steps,
        tokens: this.tokens,
        rejected,
        ...(this.notes.length ? { notes: this.notes } : {}),
        ...(marks.length ? { untrusted: marks } : {}),
      };
    }
  }

  async run(input: ReasonerInput): Promise<ReasonerResult> {
    const pool = [...input.evidence];
    const tools = this.options.tools;
    if (tools && !this.facts.tools)
      this.notes.push(
        `model ${this.options.model} lacks the tools capability (/api/show): investigation skipped, answering from the evidence`,
      );
    const first = this.firstMessages(input, tools !== undefined && this.facts.tools);
    const messages = first.messages;
    if (first.investigate) await this.investigate(messages, pool);
    const investigated = this.steps.some((s) => s.phase === 'investigate');
    // The answer thinks only when nothing was investigated: the reasoning happened in the turns before.
    const think = this.facts.thinking ? !investigated && (this.options.think ?? true) : undefined;
    return this.answer(messages, pool, think);
  }
}
