import { Ollama } from 'ollama';
import type { ChatResponse, Message, Tool, ToolCall } from 'ollama';
import { z } from 'zod';
import { Diagnosis } from '../core/diagnosis.js';
import { AoiError } from '../core/errors.js';
import type { Evidence } from '../core/evidence.js';
import { verifyDiagnosis } from './citations.js';
import { guardedFetch, toAoiError } from './ollama-client.js';
import type { CallContext } from './ollama-client.js';
import {
  buildMessages,
  citationRefinePrompt,
  evidenceLine,
  message,
  parseFailurePrompt,
  toolMessage,
} from './prompt.js';
import { parseToolCall, TOOL_DESCRIPTIONS, TOOL_NAMES, ToolParams } from './reasoner.js';
import type { EvidenceTools, Reasoner, ReasonerInput, ReasonerResult, ReasonerStep } from './reasoner.js';

/** What the model must answer: Diagnosis itself (an object, so its proposal union sits inside a field). */
export const DiagnosisForModel = Diagnosis;
export const DIAGNOSIS_JSON_SCHEMA = z.toJSONSchema(DiagnosisForModel, { io: 'input' });

export const TOOLS: Tool[] = TOOL_NAMES.map((name) => ({
  type: 'function',
  function: {
    name,
    description: TOOL_DESCRIPTIONS[name],
    parameters: z.toJSONSchema(ToolParams[name], { io: 'input' }) as NonNullable<
      Tool['function']['parameters']
    >,
  },
}));

export interface OllamaReasonerOptions {
  host: string;
  model: string;
  timeoutMs: number;
  maxSteps?: number;
  numCtx?: number;
  /** Invalid-reply retries before giving up; each also counts as a step. */
  maxParseRetries?: number;
  tools?: EvidenceTools;
}

function evidenceNumber(id: string): number {
  return Number(/^ev-(\d+)$/.exec(id)?.[1] ?? 0);
}

/** Tool evidence gets ids continuing the incident's sequence, whatever the provider chose. */
function renumber(fresh: readonly Evidence[], pool: readonly Evidence[]): Evidence[] {
  let next = Math.max(0, ...pool.map((ev) => evidenceNumber(ev.id))) + 1;
  return fresh.map((ev) => ({ ...ev, id: `ev-${next++}` }));
}

function parseReply(content: string): { ok: true; diagnosis: Diagnosis } | { ok: false; error: string } {
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
      await client.show({ model });
      return await this.#loop(client, input);
    } catch (error) {
      throw toAoiError(error, ctx);
    }
  }

  async #loop(client: Ollama, input: ReasonerInput): Promise<ReasonerResult> {
    const { model, tools } = this.#options;
    const maxSteps = this.#options.maxSteps ?? 8;
    const maxParseRetries = this.#options.maxParseRetries ?? 2;
    const pool = [...input.evidence];
    const messages = buildMessages(input);
    const steps: ReasonerStep[] = [];
    const tokens = { in: 0, out: 0 };
    let parseFailures = 0;
    let refinedCitations = false;
    let lastError = '';

    const checkBudget = (): void => {
      if (steps.length < maxSteps) return;
      throw new AoiError(
        'model-unavailable',
        `model ${model} gave no final diagnosis within ${maxSteps} steps`,
        {
          hint: `${lastError ? `last problem: ${lastError}. ` : ''}Raise reasoner.maxSteps or use --reasoner rules.`,
        },
      );
    };

    for (;;) {
      checkBudget();
      const started = Date.now();
      const res: ChatResponse = await client.chat({
        model,
        messages,
        stream: false,
        format: DIAGNOSIS_JSON_SCHEMA,
        ...(tools ? { tools: TOOLS } : {}),
        options: { temperature: 0, ...(this.#options.numCtx ? { num_ctx: this.#options.numCtx } : {}) },
      });
      const used = { in: res.prompt_eval_count ?? 0, out: res.eval_count ?? 0 };
      tokens.in += used.in;
      tokens.out += used.out;
      const calls = res.message.tool_calls ?? [];
      const step: ReasonerStep = {
        kind: 'model',
        durationMs: Date.now() - started,
        tokens: used,
        summary: '',
      };
      steps.push(step);

      if (calls.length > 0) {
        step.summary = `tool calls: ${calls.map((c) => c.function.name).join(', ')}`;
        messages.push({ ...message('assistant', res.message.content), tool_calls: calls });
        for (const call of calls) {
          checkBudget();
          messages.push(await this.#runTool(call, pool, steps));
        }
        continue;
      }

      const reply = parseReply(res.message.content);
      if (!reply.ok) {
        lastError = reply.error;
        step.summary = `invalid reply: ${reply.error.slice(0, 200)}`;
        if (++parseFailures > maxParseRetries) {
          throw new AoiError(
            'model-unavailable',
            `model ${model} gave no valid diagnosis after ${parseFailures} attempts: ${reply.error}`,
            { hint: 'Try another model or use --reasoner rules.' },
          );
        }
        messages.push(
          message('assistant', res.message.content),
          message('user', parseFailurePrompt(reply.error)),
        );
        continue;
      }

      const verified = verifyDiagnosis(reply.diagnosis, pool);
      step.summary = `diagnosis: detected=${verified.diagnosis.detected}, ${verified.rejected.length} claim(s) rejected`;
      if (verified.rejected.length > 0 && !refinedCitations && steps.length < maxSteps) {
        refinedCitations = true;
        const ids = pool.map((ev) => ev.id);
        messages.push(
          message('assistant', res.message.content),
          message('user', citationRefinePrompt(verified.rejected, ids)),
        );
        continue;
      }
      return { diagnosis: verified.diagnosis, steps, tokens, rejected: verified.rejected };
    }
  }

  async #runTool(call: ToolCall, pool: Evidence[], steps: ReasonerStep[]): Promise<Message> {
    const name = call.function.name;
    const started = Date.now();
    const record = (summary: string): void => {
      steps.push({ kind: 'tool', durationMs: Date.now() - started, tokens: { in: 0, out: 0 }, summary });
    };
    const tools = this.#options.tools;
    const parsed = parseToolCall(name, call.function.arguments);
    if (!parsed.ok || !tools) {
      const error = parsed.ok ? 'no tools are available' : parsed.error;
      record(`${name}: rejected: ${error.slice(0, 200)}`);
      return toolMessage(name, `error: ${error}`);
    }
    let fresh: Evidence[];
    try {
      fresh = renumber(await tools.fetchMore(parsed.request), pool);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      record(`${name}: failed: ${reason.slice(0, 200)}`);
      return toolMessage(name, `error: the tool failed: ${reason}`);
    }
    pool.push(...fresh);
    record(
      `${name}: ${fresh.length} new evidence${fresh.length ? ` (${fresh.map((ev) => ev.id).join(', ')})` : ''}`,
    );
    return toolMessage(name, fresh.length > 0 ? fresh.map(evidenceLine).join('\n') : '(no new evidence)');
  }
}
