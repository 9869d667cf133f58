/** The document `aoi observe --output json` prints (docs/schema/observe.schema.json). */
import { z } from 'zod';
import { Evidence } from './evidence.js';

const Count = z.int().min(0);

export const ObservationGap = z.object({
  what: z.string().describe('The resource kind that could not be read'),
  namespace: z.string().optional(),
  code: z.string().describe('Why, as a short code (forbidden, not-found, timeout, failed, …)'),
  message: z.string(),
});
export type ObservationGap = z.infer<typeof ObservationGap>;

export const ObservationReport = z
  .object({
    namespace: z.string().optional().describe('Absent with -A (all namespaces)'),
    transport: z.enum(['api', 'kubectl']),
    evidence: z.array(Evidence).describe('Ranked, redacted evidence that fit the token budget'),
    dropped: Count.describe('Ranked evidence that did not fit the token budget'),
    gaps: z.array(ObservationGap).describe('What could not be read'),
    incident: z.boolean().describe('True when any kept evidence is error or critical'),
    stats: z.object({
      requests: Count,
      durationMs: z.number().min(0),
      objects: Count,
      logs: Count,
      tokens: Count,
    }),
  })
  .meta({
    title: 'aoi observe --output json',
    description: 'Fields may be added; none is removed without notice.',
  });
export type ObservationReport = z.infer<typeof ObservationReport>;
