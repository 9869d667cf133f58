import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { AoiError } from '../core/errors.js';
import { Policy } from '../core/policy.js';
import { shippedPath, shippedPoliciesDir } from '../core/package-root.js';
import { parseYamlDocument } from '../core/yaml-file.js';
import { formatIssuePath } from '../core/zod-issues.js';

/** A bare name ("standard") is a shipped policy; anything else is a path. */
export function policyPath(nameOrPath: string, policiesDir = shippedPoliciesDir()): string {
  return /^[a-z0-9][-a-z0-9]*$/.test(nameOrPath) ? join(policiesDir, `${nameOrPath}.yaml`) : nameOrPath;
}

/**
 * A rule's namespaces may start with `{problemNamespace}`: the namespace of the run the policy is loaded for
 * (a bench problem, `aoi diagnose --sim`, an AIOpsLab session). Filled in, the rule covers that namespace and
 * no other, so a benchmark policy allows writes in each problem's own namespace whatever it is called. Not
 * filled in (`aoi act`, `aoi rollback`, `aoi policy …`), the rule covers the rest of its list, or is dropped
 * when nothing is left: it never widens to every namespace.
 */
export const PROBLEM_NAMESPACE = '{problemNamespace}';

export interface PolicyVars {
  problemNamespace?: string | undefined;
}

/** Stands for a rule left with no namespace: valid in a glob list, never a namespace (a label cannot start with "-"). */
const NOWHERE = '-no-namespace-';

export async function loadPolicy(
  nameOrPath: string,
  policiesDir?: string,
  vars: PolicyVars = {},
): Promise<Policy> {
  const path = policyPath(nameOrPath, policiesDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new AoiError(
      missing ? 'not-found' : 'io',
      `${path}: ${missing ? 'no such policy file' : 'unreadable'}`,
      {
        cause: error,
        ...(missing ? { hint: 'Shipped policies: default, standard, bench.' } : {}),
      },
    );
  }
  return parsePolicy(text, path, vars);
}

function fillNamespaces(value: unknown, namespace: string | undefined): unknown {
  const rules = (value as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) return value;
  for (const rule of rules) {
    const match = (rule as { match?: { namespaces?: unknown } } | null)?.match;
    if (!match || !Array.isArray(match.namespaces) || match.namespaces[0] !== PROBLEM_NAMESPACE) continue;
    const rest = match.namespaces.slice(1);
    match.namespaces = namespace !== undefined ? [namespace] : rest.length > 0 ? rest : [NOWHERE];
  }
  return value;
}

/** Parse and validate policy text; every error names file:line:col and the field. */
export function parsePolicy(text: string, file: string, vars: PolicyVars = {}): Policy {
  const given = vars.problemNamespace;
  if (given !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(given))
    throw new AoiError('usage', `${JSON.stringify(given)} is not a namespace name to scope ${file} to`);
  try {
    const policy = parseWithPositions(text, Policy, file, (v) => fillNamespaces(v, given));
    return { ...policy, rules: policy.rules.filter((r) => !r.match.namespaces?.includes(NOWHERE)) };
  } catch (error) {
    if (!(error instanceof AoiError) || error.hint !== undefined) throw error;
    throw new AoiError(error.code, error.message, {
      cause: error.cause ?? error,
      hint: `Fix the lines above (fields: ${shippedPath('docs', 'policy-reference.md')}), then re-check with: aoi policy check ${file}`,
    });
  }
}

/** YAML (or JSON) text validated by a schema; every error names file:line:col and the field. */
export function parseWithPositions<S extends z.ZodType>(
  text: string,
  schema: S,
  file: string,
  /** Applied to the parsed value before validation; must keep its shape (positions come from the text). */
  fill: (value: unknown) => unknown = (v) => v,
): z.output<S> {
  // Syntax errors are reported (line-accurate) by the shared YAML reader.
  const value = fill(parseYamlDocument(text, z.unknown(), file));
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const lines = parsed.error.issues.map((issue) => {
    const where = positionOf(doc, lineCounter, issue.path);
    const field = formatIssuePath(issue.path);
    return `${file}:${where.line}:${where.col}: ${field === '' ? '' : `${field}: `}${issue.message}`;
  });
  throw new AoiError('config', lines.join('\n'), { cause: parsed.error });
}

/** The deepest node on the issue's path that exists (an unknown key points at its parent). */
function positionOf(
  doc: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
): { line: number; col: number } {
  const keys = path.filter((k): k is string | number => typeof k !== 'symbol');
  for (let n = keys.length; n >= 0; n--) {
    const node: unknown = doc.getIn(keys.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lineCounter.linePos(range[0]);
  }
  return { line: 1, col: 1 };
}
