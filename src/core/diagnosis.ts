import { z } from 'zod';
import { ActionProposal } from './actions.js';
import { FaultType, SystemLevel } from './aiopslab.js';
import { EvidenceId } from './evidence.js';

export const Hypothesis = z.object({
  statement: z.string().min(1).describe('One falsifiable claim about what is wrong'),
  confidence: z.number().min(0).max(1).describe('Probability the statement is true, 0 to 1'),
  evidence: z.array(EvidenceId).min(1).describe('Ids of the evidence supporting the statement'),
});
export type Hypothesis = z.infer<typeof Hypothesis>;

export const RootCause = z.object({
  systemLevel: SystemLevel.describe('Layer where the fault lives'),
  faultType: FaultType.describe('Kind of fault'),
  summary: z.string().min(1).describe('One or two sentences naming the faulty component and the cause'),
});
export type RootCause = z.infer<typeof RootCause>;

export const Diagnosis = z.object({
  detected: z.boolean().describe('True if there is an anomaly or fault'),
  faultyComponents: z
    .array(z.string().min(1))
    .describe('Names of the faulty services or workloads, most likely first; empty if none'),
  rootCause: RootCause.optional().describe('Root cause, when it can be determined'),
  hypotheses: z.array(Hypothesis).describe('Candidate explanations, most likely first'),
  proposals: z.array(ActionProposal).describe('Actions that would mitigate the fault, in order'),
});
export type Diagnosis = z.infer<typeof Diagnosis>;
