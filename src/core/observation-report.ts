/** The document `aoi observe --output json` prints (docs/schema/observe.schema.json). */
import { z } from 'zod';
import { Evidence } from './evidence.js';

const Count = z.int().min(0);

export const ObservationGap = z.object({
  what: z
    .string()
    .describe('What could not be read: a resource kind, `logs of <pod>`, `metrics: …`, `traces: …`'),
  namespace: z.string().optional(),
  code: z.string().describe('Why, as a short code (forbidden, not-found, timeout, failed, …)'),
  message: z.string(),
});
export type ObservationGap = z.infer<typeof ObservationGap>;

export const TelemetryCoverage = z.object({
  via: z
    .enum(['flag', 'discovered', 'endpoint'])
    .nullable()
    .describe(
      "Where the URL came from: --prometheus-url/--jaeger-url ('flag'), a Service found in the cluster and read " +
        "through the API server's proxy ('discovered'), the target's own ('endpoint': the simulator, the bench); " +
        'null when none was found',
    ),
  found: z.boolean().describe('Whether the source was used at all'),
  gaps: Count.describe('Reads of it that failed (each also listed in gaps)'),
});
export type TelemetryCoverage = z.infer<typeof TelemetryCoverage>;

/** What one look read and what it could not: a look that read less than everything is never "healthy". */
export const ObservationCoverage = z.object({
  complete: z.boolean().describe('True when every read succeeded (no gaps)'),
  kinds: z
    .record(z.string(), Count.nullable())
    .describe('Objects read per resource kind (pods, deployments, …); null when the kind could not be read'),
  logs: z.object({
    read: Count,
    forbidden: Count.describe('Log reads the credential may not make (gaps)'),
    failed: Count.describe('Log reads that failed otherwise (a pod gone, a container not started)'),
  }),
  telemetry: z.object({ prometheus: TelemetryCoverage, jaeger: TelemetryCoverage }),
  gaps: z.array(ObservationGap).describe('Everything that could not be read'),
});
export type ObservationCoverage = z.infer<typeof ObservationCoverage>;

export const ObservationReport = z
  .object({
    namespace: z.string().optional().describe('Absent with -A (all namespaces)'),
    transport: z.enum(['api', 'kubectl']),
    evidence: z.array(Evidence).describe('Ranked, redacted evidence that fit the token budget'),
    dropped: Count.describe('Ranked evidence that did not fit the token budget'),
    gaps: z.array(ObservationGap).describe('What could not be read (the same as coverage.gaps)'),
    incident: z.boolean().describe('True when any kept evidence is error or critical'),
    coverage: ObservationCoverage,
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
