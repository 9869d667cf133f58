/** The document `aoi diagnose --output json` prints (docs/diagnose-output.md, docs/schema/diagnose-v2.schema.json). */
import { z } from 'zod';
import { ActionProposal } from './actions.js';
import { Hypothesis, RootCause } from './diagnosis.js';
import { Evidence } from './evidence.js';
import { ObservationCoverage } from './observation-report.js';
import { PolicyEffect } from './policy.js';
import { Trigger } from './trigger.js';

/** v2: `verdict` may be `incomplete` (so `detected: false` no longer means healthy) and `coverage` is added. */
export const DIAGNOSE_SCHEMA_ID = 'aoi.diagnose/v2';

const Count = z.int().min(0);

export const PolicyVerdict = z.object({
  effect: PolicyEffect,
  rule: z.string().nullable().describe('The rule id that decided, or null when no rule matched'),
  reason: z.string(),
});
export type PolicyVerdict = z.infer<typeof PolicyVerdict>;

export const ExecutionStatus = z.enum([
  'denied',
  'rejected',
  'notAsked',
  'aborted',
  'dryRunFailed',
  'dryRunOnly',
  'verified',
  'rolledBack',
  'rollbackFailed',
  'failed',
]);
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;

export const DiagnoseOutput = z
  .object({
    schema: z.literal(DIAGNOSE_SCHEMA_ID),
    id: z.string().min(1).describe('Run id; also the trajectory file name under <state dir>/trajectories/'),
    namespace: z.string().nullable().describe('The namespace diagnosed; null with -A'),
    reasoner: z.enum(['rules', 'ollama']).describe('The backend that actually ran'),
    verdict: z
      .enum(['incident', 'healthy', 'incomplete'])
      .describe(
        'incomplete: no incident in what was read, but some reads failed (coverage.gaps); never read as healthy',
      ),
    detected: z.boolean().describe('Same as verdict == "incident"'),
    rootCause: RootCause.nullable(),
    faultyComponents: z.array(z.string()).describe('Faulty workloads or services, most likely first'),
    hypotheses: z.array(Hypothesis),
    evidence: z.array(Evidence).describe('Every cited item and every item of warning severity or worse'),
    proposals: z.array(z.object({ action: ActionProposal, policy: PolicyVerdict })),
    actions: z
      .array(z.object({ action: ActionProposal, status: ExecutionStatus, message: z.string() }))
      .describe('With --apply: what the executor did with each proposal'),
    verification: z
      .object({
        resolved: z.boolean(),
        rounds: Count.describe('Observations made after the actions'),
        remaining: Count.describe('Severe evidence items left'),
        still: z.array(z.string()).max(5).describe('Up to five of the remaining items'),
        unread: z
          .array(z.string())
          .describe('What the last look could not read: a look that could not read is never clear'),
      })
      .nullable()
      .describe('With --apply and an applied action'),
    coverage: ObservationCoverage.describe(
      'What the first look read (kinds with counts, logs, Prometheus and Jaeger) and what it could not (gaps)',
    ),
    rejectedClaims: z
      .array(z.object({ claim: z.string(), reason: z.string() }))
      .describe('Claims the evidence verifier dropped'),
    stats: z.object({
      evidence: Count,
      dropped: Count.describe('Evidence items over the token budget'),
      durationMs: z.number().min(0),
      tokensIn: Count,
      tokensOut: Count,
    }),
    trajectory: z.string().nullable().describe('Path of the recorded trajectory; null with --no-record'),
    trigger: Trigger.nullable()
      .optional()
      .describe(
        'What started the run: an alert (--alert, aoi serve) or a KIND/NAME target; absent otherwise',
      ),
  })
  .meta({
    title: 'aoi diagnose --output json',
    description: 'Schema aoi.diagnose/v2; fields may be added within v2.',
  });
export type DiagnoseOutput = z.infer<typeof DiagnoseOutput>;
