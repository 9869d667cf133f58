/** The read-only tools as Ollama tool definitions, and running one call the model made. */
import type { Message, Tool, ToolCall } from 'ollama';
import { z } from 'zod';
import type { Evidence } from '../core/evidence.js';
import { evidenceLine, toolMessage } from './prompt.js';
import { parseToolCall, TOOL_DESCRIPTIONS, TOOL_NAMES, ToolParams } from './reasoner.js';
import type { EvidenceTools, ReasonerStep } from './reasoner.js';

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

function evidenceNumber(id: string): number {
  return Number(/^ev-(\d+)$/.exec(id)?.[1] ?? 0);
}

/** Tool evidence gets ids continuing the incident's sequence, whatever the provider chose. */
function renumber(fresh: readonly Evidence[], pool: readonly Evidence[]): Evidence[] {
  let next = Math.max(0, ...pool.map((ev) => evidenceNumber(ev.id))) + 1;
  return fresh.map((ev) => ({ ...ev, id: `ev-${next++}` }));
}

/**
 * Runs one tool call: validated arguments, new evidence added to `pool`, a step recorded, and the tool message
 * for the model (an error text for unknown tools or bad arguments, so the model can correct itself).
 */
export async function runToolCall(
  call: ToolCall,
  tools: EvidenceTools | undefined,
  pool: Evidence[],
  steps: ReasonerStep[],
): Promise<{ message: Message; fresh: Evidence[] }> {
  const name = call.function.name;
  const started = Date.now();
  const record = (summary: string): void => {
    steps.push({ kind: 'tool', durationMs: Date.now() - started, tokens: { in: 0, out: 0 }, summary });
  };
  const parsed = parseToolCall(name, call.function.arguments);
  if (!parsed.ok || !tools) {
    const error = parsed.ok ? 'no tools are available' : parsed.error;
    record(`${name}: rejected: ${error.slice(0, 200)}`);
    return { message: toolMessage(name, `error: ${error}`), fresh: [] };
  }
  let fresh: Evidence[];
  try {
    fresh = renumber(await tools.fetchMore(parsed.request), pool);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    record(`${name}: failed: ${reason.slice(0, 200)}`);
    return { message: toolMessage(name, `error: the tool failed: ${reason}`), fresh: [] };
  }
  pool.push(...fresh);
  record(
    `${name}: ${fresh.length} new evidence${fresh.length ? ` (${fresh.map((ev) => ev.id).join(', ')})` : ''}`,
  );
  const text = fresh.length > 0 ? fresh.map(evidenceLine).join('\n') : '(no new evidence)';
  return { message: toolMessage(name, text), fresh };
}
