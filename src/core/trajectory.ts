import { z } from 'zod';
import { FaultType, SystemLevel } from './aiopslab.js';

export const Phase = z.enum(['observe', 'reason', 'act', 'verify']);
export type Phase = z.infer<typeof Phase>;

/** Used as a file name, so no slashes or leading dots. */
export const TrajectoryId = z
  .string()
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, ".", "_" or "-"');
export type TrajectoryId = z.infer<typeof TrajectoryId>;

export const TrajectoryHeader = z.object({
  type: z.literal('header'),
  id: TrajectoryId,
  startedAt: z.iso.datetime(),
  problemId: z.string().optional(),
  target: z.object({
    cluster: z.string().optional(),
    namespace: z.string().optional(),
  }),
  version: z.literal(1),
});
export type TrajectoryHeader = z.infer<typeof TrajectoryHeader>;

export const TrajectoryStep = z.object({
  type: z.literal('step'),
  phase: Phase,
  agent: z.string().min(1),
  at: z.iso.datetime(),
  durationMs: z.number().min(0),
  input: z.unknown(),
  output: z.unknown(),
  tokens: z.object({ in: z.int().min(0), out: z.int().min(0) }).optional(),
});
export type TrajectoryStep = z.infer<typeof TrajectoryStep>;

/** `incomplete`: no incident found, but the look could not read everything; never counted as resolved. */
export const TrajectoryStatus = z.enum(['resolved', 'unresolved', 'incomplete', 'failed', 'aborted']);
export type TrajectoryStatus = z.infer<typeof TrajectoryStatus>;

export const TrajectoryOutcome = z.object({
  type: z.literal('outcome'),
  status: TrajectoryStatus,
  at: z.iso.datetime(),
  score: z.number().optional(),
  summary: z.string().optional(),
});
export type TrajectoryOutcome = z.infer<typeof TrajectoryOutcome>;

export const LabelVerdict = z.enum(['right', 'wrong', 'partial']);
export type LabelVerdict = z.infer<typeof LabelVerdict>;

/** What a person found out later (the postmortem): appended after the outcome, never replacing a line. */
export const TrajectoryLabel = z.object({
  type: z.literal('label'),
  at: z.iso.datetime(),
  by: z.string().min(1).max(128),
  verdict: LabelVerdict,
  rootCause: z.string().min(1).max(253).optional().describe('The component that really was at fault'),
  systemLevel: SystemLevel.optional(),
  faultType: FaultType.optional(),
  fix: z.string().max(2000).optional().describe('What fixed it (secrets redacted)'),
  note: z.string().max(2000).optional(),
});
export type TrajectoryLabel = z.infer<typeof TrajectoryLabel>;

export const TrajectoryLine = z.discriminatedUnion('type', [
  TrajectoryHeader,
  TrajectoryStep,
  TrajectoryOutcome,
  TrajectoryLabel,
]);
export type TrajectoryLine = z.infer<typeof TrajectoryLine>;
