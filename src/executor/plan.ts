import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ActionProposal } from '../core/actions.js';
import { AoiError } from '../core/errors.js';
import { parseWithPositions } from './load-policy.js';

/** A plan file (YAML or JSON): the actions `aoi act` runs, in order, stopping at the first that fails. */
export const Plan = z.strictObject({
  version: z.literal(1),
  actions: z.array(ActionProposal).min(1).max(100),
});
export type Plan = z.infer<typeof Plan>;

/** Parse and validate plan text; every error names file:line:col and the field. */
export function parsePlan(text: string, file: string): Plan {
  return parseWithPositions(text, Plan, file);
}

export async function loadPlan(path: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new AoiError(
      missing ? 'not-found' : 'io',
      `${path}: ${missing ? 'no such plan file' : 'unreadable'}`,
      {
        cause: error,
      },
    );
  }
  return parsePlan(text, path);
}
