import { readFile, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { z } from 'zod';
import type { TaskType } from '../../src/core/aiopslab.js';
import { AoiError } from '../../src/core/errors.js';
import { shippedProblemsDir } from '../../src/core/package-root.js';
import { parseYamlDocument } from '../../src/core/yaml-file.js';
import { formatIssuePath } from '../../src/core/zod-issues.js';
import { ProblemFile } from './problem.js';
import type { Problem } from './problem.js';

/** The shipped catalog: `aiopslab-harness/problems/` under the package root (the same from src and dist). */
export const DEFAULT_PROBLEMS_DIR = shippedProblemsDir();

/** A path as the user would write it: relative to the working directory when it lies below it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

async function catalogFiles(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new AoiError('not-found', `${shown(path)}: no such file or directory`, { cause: error });
    throw new AoiError('io', `cannot read ${shown(path)}: ${(error as Error).message}`, { cause: error });
  }
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path)).filter((name) => /\.ya?ml$/.test(name)).sort();
  return names.map((name) => join(path, name));
}

/** `[3] (id misconfig-foo)`, or `[3]` when the entry has no usable id. */
function entryLabel(raw: unknown[], index: number): string {
  const entry = raw[index];
  const id =
    typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)['id'] : undefined;
  return typeof id === 'string' ? `[${index}] (id ${id})` : `[${index}]`;
}

function describeIssue(file: string, raw: unknown[], issue: z.core.$ZodIssue): string {
  const [head, ...rest] = issue.path;
  if (typeof head !== 'number') {
    const path = formatIssuePath(issue.path);
    return path === '' ? `${file}: ${issue.message}` : `${file}: ${path}: ${issue.message}`;
  }
  const field = formatIssuePath(rest);
  return `${file}: ${entryLabel(raw, head)}: ${field === '' ? '' : `${field}: `}${issue.message}`;
}

/** Parses one catalog file; every failure is an AoiError('config') naming the file, entry and field. */
export function parseProblemFile(text: string, file: string): Problem[] {
  const raw = parseYamlDocument(text, z.array(z.unknown(), { error: 'a problem file is a YAML list' }), file);
  const parsed = ProblemFile.safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => describeIssue(file, raw, issue));
  throw new AoiError('config', lines.join('\n'), { cause: parsed.error });
}

/**
 * Loads problems from files and directories of `*.yaml` (the shipped catalog by default). Ids must be
 * unique across everything loaded.
 */
export async function loadProblems(paths: string[] = [DEFAULT_PROBLEMS_DIR]): Promise<Problem[]> {
  const out: Problem[] = [];
  const where = new Map<string, string>();
  for (const path of paths) {
    for (const file of await catalogFiles(path)) {
      const name = shown(file);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new AoiError('io', `cannot read ${name}: ${(error as Error).message}`, { cause: error });
      }
      const problems = parseProblemFile(text, name);
      problems.forEach((problem, index) => {
        const label = `${name}: [${index}] (id ${problem.id})`;
        const earlier = where.get(problem.id);
        if (earlier !== undefined)
          throw new AoiError('config', `${label}: id: duplicate id ${problem.id} (first in ${earlier})`);
        where.set(problem.id, `${name} [${index}]`);
        out.push(problem);
      });
    }
  }
  return out;
}

export interface ProblemFilter {
  /** Matched against the problem id. */
  filter?: RegExp;
  task?: TaskType;
}

export function filterProblems(
  problems: readonly Problem[],
  { filter, task }: ProblemFilter = {},
): Problem[] {
  return problems.filter(
    (p) => (task === undefined || p.task === task) && (filter === undefined || p.id.search(filter) !== -1),
  );
}
