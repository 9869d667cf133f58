import { z } from 'zod';

export const EvidenceId = z
  .string()
  .regex(/^ev-\d+$/)
  .describe('Evidence id, "ev-N", stable within one incident');
export type EvidenceId = z.infer<typeof EvidenceId>;

export const Severity = z.enum(['info', 'warning', 'error', 'critical']);
export type Severity = z.infer<typeof Severity>;

export const EvidenceSource = z.enum(['kubernetes', 'events', 'logs', 'metrics', 'traces']);
export type EvidenceSource = z.infer<typeof EvidenceSource>;

export const Subject = z.object({
  kind: z.string().min(1),
  namespace: z.string().min(1).optional(),
  name: z.string().min(1),
});
export type Subject = z.infer<typeof Subject>;

/** Machine-readable facts behind a finding (ports, revisions, object names), for rules and actions. */
export const EvidenceAttributes = z.record(
  z.string().min(1).max(64),
  z.union([z.string().max(500), z.number(), z.boolean()]),
);
export type EvidenceAttributes = z.infer<typeof EvidenceAttributes>;

export const Evidence = z.object({
  id: EvidenceId,
  source: EvidenceSource,
  subject: Subject,
  signal: z
    .string()
    .min(1)
    .max(64)
    .describe('Short machine code, e.g. CrashLoopBackOff or TargetPortMismatch'),
  severity: Severity,
  summary: z.string().max(500),
  excerpt: z.string().max(2000).optional().describe('Bounded, redacted raw text backing the summary'),
  observedAt: z.iso.datetime(),
  component: z
    .string()
    .min(1)
    .max(253)
    .optional()
    .describe('The workload or service the finding is about (a pod maps to its owner)'),
  blames: z
    .array(z.string().min(1).max(253))
    .max(20)
    .optional()
    .describe('Other components this finding says it failed to reach (its callees)'),
  attributes: EvidenceAttributes.optional(),
});
export type Evidence = z.infer<typeof Evidence>;
