import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

/** Which of our folders each folder may import, from DESIGN.md's layout table. */
const ALLOWED: Record<string, string[]> = {
  'src/core': [],
  'src/observer': ['src/core'],
  'src/reasoner': ['src/core', 'src/observer', 'src/evolver'],
  'src/executor': ['src/core', 'src/observer'],
  'src/evolver': ['src/core'],
  'src/incident': ['src/core', 'src/observer', 'src/reasoner', 'src/executor', 'src/evolver'],
  'src/agent': ['src/core', 'src/observer', 'src/reasoner', 'src/executor', 'src/incident'],
  // On call (issue 19): alerts, chat notifications, the Alertmanager receiver and the MCP server. The
  // receiver and the MCP server get their diagnoses from the CLI as functions, so they know no cluster.
  'src/alert': ['src/core', 'src/observer', 'src/reasoner'],
  'src/notify': ['src/core', 'src/alert'],
  'src/serve': ['src/core', 'src/alert', 'src/notify'],
  'src/mcp': ['src/core', 'src/alert'],
  'src/cli': [
    'src/alert',
    'src/notify',
    'src/serve',
    'src/mcp',
    'src/agent',
    'src/core',
    'src/observer',
    'src/reasoner',
    'src/executor',
    'src/evolver',
    'src/incident',
    'src/tui',
    'aiopslab-harness/sim',
    'aiopslab-harness/bench',
  ],
  // The ink TUI: DESIGN.md files it under the CLI ("everything above"), minus the harness, which only
  // src/cli may import.
  'src/tui': ['src/core', 'src/observer', 'src/reasoner', 'src/executor', 'src/evolver', 'src/incident'],
  'aiopslab-harness/sim': ['src/core'],
  'aiopslab-harness/bench': ['src/core', 'src/incident', 'aiopslab-harness/sim'],
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(entry)) out.push(path);
  }
  return out;
}

function folderOf(file: string): string | undefined {
  const rel = relative(ROOT, file);
  return Object.keys(ALLOWED).find((folder) => rel === folder || rel.startsWith(`${folder}/`));
}

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g),
  ].map((m) => m[1] ?? m[2]!);
  return specifiers.map((s) => {
    const target = resolve(dirname(file), s);
    return target.replace(/\.js$/, '.ts').replace(/\.jsx$/, '.tsx');
  });
}

const files = Object.keys(ALLOWED)
  .map((folder) => join(ROOT, folder))
  .filter((dir) => {
    try {
      return statSync(dir).isDirectory();
    } catch {
      return false;
    }
  })
  .flatMap(sourceFiles);

describe('architecture', () => {
  it('keeps every folder to the imports DESIGN.md allows', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = folderOf(file)!;
      for (const target of relativeImports(file)) {
        const to = folderOf(target);
        if (!to || to === from) continue;
        if (!ALLOWED[from]!.includes(to))
          violations.push(`${relative(ROOT, file)} imports ${relative(ROOT, target)}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('has no import cycles between files', () => {
    const graph = new Map(
      files.map((f) => [f.replace(/\.tsx$/, '.tsx'), relativeImports(f).filter((t) => files.includes(t))]),
    );
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(node)), node].map((f) => relative(ROOT, f)).join(' -> '));
        return;
      }
      state.set(node, 'visiting');
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, 'done');
    };
    for (const node of graph.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });

  it('finds the files it checks', () => {
    expect(files.length).toBeGreaterThan(10);
  });
});
