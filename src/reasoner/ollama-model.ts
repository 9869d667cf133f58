/**
 * What `/api/show` says about a model that changes how aoi talks to it: its capabilities (`tools`,
 * `thinking`) and its context length, `model_info["<general.architecture>.context_length"]` (docs/api.md,
 * "Show Model Information").
 */
import { z } from 'zod';

export const ShowResponse = z.looseObject({
  capabilities: z.array(z.string()).optional(),
  model_info: z.record(z.string(), z.unknown()).optional(),
});
export type ShowResponse = z.infer<typeof ShowResponse>;

export interface ModelFacts {
  /** Undefined when the server predates the field. */
  capabilities?: string[];
  contextLength?: number;
  tools: boolean;
  thinking: boolean;
}

export function modelFacts(show: unknown): ModelFacts {
  const parsed = ShowResponse.safeParse(show);
  const body = parsed.success ? parsed.data : {};
  const info = body.model_info ?? {};
  const arch = info['general.architecture'];
  const length = typeof arch === 'string' ? info[`${arch}.context_length`] : undefined;
  const caps = body.capabilities;
  return {
    ...(caps === undefined ? {} : { capabilities: caps }),
    ...(typeof length === 'number' && Number.isInteger(length) && length > 0
      ? { contextLength: length }
      : {}),
    // A server too old to list capabilities gets the tools; its errors still surface.
    tools: caps === undefined || caps.includes('tools'),
    thinking: caps?.includes('thinking') ?? false,
  };
}
