/**
 * `aoi agent --stdio`: one JSON object a line each way. Requests mirror AIOpsLab's agent contract
 * (`init_context(problem_desc, instructions, apis)` then `get_action(input)`); every reply to a request is one
 * line, either the next action (exactly one API call in a fenced block) or an error.
 */
import { z } from 'zod';

export const InitRequest = z.object({
  type: z.literal('init'),
  /** AIOpsLab's task description; it names the task and the namespace. */
  problem: z.string().min(1),
  instructions: z.string().default(''),
  /** API name → docstring, as the orchestrator hands them over; kept for logs only. */
  apis: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown()), z.string()]).optional(),
});
export type InitRequest = z.infer<typeof InitRequest>;

export const StepRequest = z.object({
  type: z.literal('step'),
  /** The orchestrator's last output (what `get_action` received). */
  output: z.string(),
});
export type StepRequest = z.infer<typeof StepRequest>;

export const AgentRequest = z.discriminatedUnion('type', [InitRequest, StepRequest]);
export type AgentRequest = z.infer<typeof AgentRequest>;

export const ActionReply = z.object({
  type: z.literal('action'),
  /** Three backticks, newline, one API call, newline, three backticks. */
  action: z.string(),
});
export type ActionReply = z.infer<typeof ActionReply>;

export const ErrorCode = z.enum(['bad-json', 'bad-request', 'no-session', 'internal']);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorReply = z.object({
  type: z.literal('error'),
  code: ErrorCode,
  message: z.string(),
});
export type ErrorReply = z.infer<typeof ErrorReply>;

export const AgentReply = z.discriminatedUnion('type', [ActionReply, ErrorReply]);
export type AgentReply = z.infer<typeof AgentReply>;
