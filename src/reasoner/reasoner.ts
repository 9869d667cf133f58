import { z } from 'zod';

import type { Evidence } from '../core/evidence.js';

export * from '../core/reasoner-contract.js';

const Name = z.string().min(1).max(253);

/** Parameters of the read-only tools the model may call; the observer serves them. */
export const ToolParams = {
  get_pod_logs: z.strictObject({
    namespace: Name.describe('Namespace of the pod'),
    pod: Name.describe('Pod name'),
    previous: z.boolean().optional().describe('Logs of the previous (crashed) container instead'),
  }),
  get_events: z.strictObject({
    namespace: Name.describe('Namespace to read events from'),
    object: Name.optional().describe('Only events about the object with this name'),
  }),
  describe: z.strictObject({
    kind: z.string().min(1).max(64).describe('Kind, e.g. Pod, Deployment, Service'),
    namespace: Name,
    name: Name,
  }),
  query_metrics: z.strictObject({
    promql: z.string().min(1).max(1000).describe('A PromQL instant query'),
  }),
} as const;

export type ToolName = keyof typeof ToolParams;
export const TOOL_NAMES = Object.keys(ToolParams) as ToolName[];

export const TOOL_DESCRIPTIONS: Record<ToolName, string> = {
  get_pod_logs: 'Read recent log lines of a pod (read-only).',
  get_events: 'Read Kubernetes events in a namespace, optionally about one object (read-only).',
  describe: 'Describe one Kubernetes object: spec, status and conditions (read-only).',
  query_metrics: 'Run a Prometheus instant query (read-only).',
};

export type ToolRequest = {
  [K in ToolName]: { tool: K; args: z.infer<(typeof ToolParams)[K]> };
}[ToolName];

/** Read-only tools the model may call; each call returns new evidence (ids are renumbered by the reasoner). */
export interface EvidenceTools {
  fetchMore(request: ToolRequest): Promise<Evidence[]>;
}

/** Validates a model's tool call; arguments arrive as an object. */
export function parseToolCall(
  name: string,
  args: unknown,
): { ok: true; request: ToolRequest } | { ok: false; error: string } {
  if (!(TOOL_NAMES as string[]).includes(name)) {
    return { ok: false, error: `unknown tool "${name}"; available: ${TOOL_NAMES.join(', ')}` };
  }
  const tool = name as ToolName;
  const parsed = ToolParams[tool].safeParse(args);
  if (!parsed.success)
    return { ok: false, error: `invalid arguments for ${tool}: ${z.prettifyError(parsed.error)}` };
  return { ok: true, request: { tool, args: parsed.data } as ToolRequest };
}
