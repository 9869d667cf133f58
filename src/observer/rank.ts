import type { Severity } from '../core/evidence.js';
import type { Finding } from './analyzers/finding.js';

const SEVERITY_RANK: Record<Severity, number> = { critical: 3, error: 2, warning: 1, info: 0 };
/** Rank bonus per level of depth in the blame chain: the deepest failing component comes first. */
const DEPTH_BONUS = 8;
const MAX_DEPTH = 5;

export interface RankedFinding extends Finding {
  rank: number;
  depth: number;
}

/** Components are named within their namespace; the graph keys them as `namespace/name`. */
function keyOf(namespace: string | undefined, component: string): string {
  return `${namespace ?? ''}/${component}`;
}

function splitKey(key: string): { namespace?: string; name: string } {
  const at = key.indexOf('/');
  const namespace = key.slice(0, at);
  return { name: key.slice(at + 1), ...(namespace ? { namespace } : {}) };
}

/** caller → callees, from error findings whose text names another component (in the same namespace). */
function blameGraph(findings: readonly Finding[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const f of findings) {
    if (!f.component || !f.blames || SEVERITY_RANK[f.severity] < SEVERITY_RANK.error) continue;
    const caller = keyOf(f.subject.namespace, f.component);
    const callees = graph.get(caller) ?? new Set<string>();
    for (const b of f.blames) if (b !== f.component) callees.add(keyOf(f.subject.namespace, b));
    graph.set(caller, callees);
  }
  return graph;
}

/** Longest chain of failing callers that ends at each component (bounded, so cycles terminate). */
export function depths(graph: ReadonlyMap<string, ReadonlySet<string>>): Map<string, number> {
  const depth = new Map<string, number>();
  for (let round = 0; round < MAX_DEPTH; round++) {
    let changed = false;
    for (const [caller, callees] of graph) {
      const next = (depth.get(caller) ?? 0) + 1;
      for (const callee of callees) {
        if ((depth.get(callee) ?? 0) < Math.min(next, MAX_DEPTH)) {
          depth.set(callee, Math.min(next, MAX_DEPTH));
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return depth;
}

/** A component that failing callers name: evidence in its own right, even when it shows nothing itself. */
function callerFindings(graph: ReadonlyMap<string, ReadonlySet<string>>): Finding[] {
  const callers = new Map<string, string[]>();
  for (const [caller, callees] of graph)
    for (const c of callees) callers.set(c, [...(callers.get(c) ?? []), splitKey(caller).name]);
  return [...callers].map(([key, from]) => {
    const callee = splitKey(key);
    return {
      source: 'logs' as const,
      subject: { kind: 'Service', ...callee },
      component: callee.name,
      signal: 'CallerErrors',
      severity: 'error' as const,
      score: 52,
      summary:
        `${from.length} failing caller(s) point at ${callee.name} (error logs or error rates): ${[...new Set(from)].sort().join(', ')}`.slice(
          0,
          500,
        ),
    };
  });
}

/**
 * Orders findings so the root cause comes first: the signal's base weight (a misrouted Service or an
 * unschedulable pod outranks the errors it causes), plus a bonus for how deep the component sits in the
 * chain of failing callers, then severity, then a stable name order.
 */
export function rankFindings(findings: readonly Finding[]): RankedFinding[] {
  const graph = blameGraph(findings);
  const all = [...findings, ...callerFindings(graph)];
  const depth = depths(graph);
  return all
    .map((f) => {
      const d = f.component ? (depth.get(keyOf(f.subject.namespace, f.component)) ?? 0) : 0;
      const rank = SEVERITY_RANK[f.severity] >= SEVERITY_RANK.error ? f.score + DEPTH_BONUS * d : f.score;
      return { ...f, depth: d, rank };
    })
    .sort(
      (a, b) =>
        b.rank - a.rank ||
        SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
        `${a.subject.kind}/${a.subject.name}/${a.signal}`.localeCompare(
          `${b.subject.kind}/${b.subject.name}/${b.signal}`,
        ),
    );
}
