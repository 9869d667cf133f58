/** What started a diagnosis: an alert (quoted, its untrusted text redacted) or a kubectl-style target. */
import { z } from 'zod';

export const FocusKind = z.enum(['Deployment', 'StatefulSet', 'Pod', 'Service', 'Job']);
export type FocusKind = z.infer<typeof FocusKind>;

export const Focus = z.object({
  namespace: z.string().optional(),
  kind: FocusKind.optional(),
  name: z.string().optional(),
  container: z.string().optional(),
  severity: z.string().optional(),
  alertname: z.string().optional(),
});
export type Focus = z.infer<typeof Focus>;

export const AlertQuote = z.object({
  status: z.enum(['firing', 'resolved']),
  fingerprint: z.string(),
  groupKey: z.string(),
  startsAt: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  annotations: z
    .record(z.string(), z.string())
    .describe('Untrusted text: secrets redacted, bounded, quoted for people and never given to the reasoner'),
  untrusted: z
    .array(z.string())
    .describe('Annotations whose text reads like an instruction (never followed)'),
});
export type AlertQuote = z.infer<typeof AlertQuote>;

export const Trigger = z.object({
  focus: Focus.describe('The object the evidence ranking starts from'),
  components: z.array(z.string()).describe('Component names ranked first with their call-graph neighbours'),
  alert: AlertQuote.nullable().describe('The alert, when the run started from one'),
});
export type Trigger = z.infer<typeof Trigger>;
