/**
 * The JSON Schema files published under docs/schema/, generated from the zod records (`npm run schema`);
 * tests/cli/schema-docs.test.ts fails when a committed file differs from what its record generates.
 */
import { z } from 'zod';
import { DiagnoseOutput } from '../core/diagnose-output.js';
import { ObservationReport } from '../core/observation-report.js';

export const SCHEMA_DOCS: readonly { file: string; schema: z.ZodType }[] = [
  { file: 'docs/schema/diagnose-v2.schema.json', schema: DiagnoseOutput },
  { file: 'docs/schema/observe.schema.json', schema: ObservationReport },
];

/** Fields may be added within a version, so a published schema must not reject unknown properties. */
export function toPublishedJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    override: (ctx) => {
      if (ctx.jsonSchema.additionalProperties === false) delete ctx.jsonSchema.additionalProperties;
    },
  });
}
