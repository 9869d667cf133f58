/**
 * An alert or a scoped question names one component: its evidence and that of its call-graph neighbours
 * rank first, each group keeping the observer's own order, so a root cause among the alerted component's
 * dependencies still outranks the alerted component's symptoms. Nothing is dropped: the look stays
 * namespace-wide and the rest follows.
 */
import type { Finding } from './analyzers/finding.js';

/** The focus, the components it calls (transitively, through `blames`) and those that call it directly. */
export function neighbourhood(findings: readonly Finding[], focus: readonly string[]): Set<string> {
  const calls = new Map<string, Set<string>>();
  for (const f of findings) {
    if (!f.component || !f.blames) continue;
    const callees = calls.get(f.component) ?? new Set<string>();
    for (const b of f.blames) if (b !== f.component) callees.add(b);
    calls.set(f.component, callees);
  }
  const near = new Set(focus);
  const queue = [...focus];
  while (queue.length > 0) {
    for (const callee of calls.get(queue.shift()!) ?? []) {
      if (near.has(callee)) continue;
      near.add(callee);
      queue.push(callee);
    }
  }
  for (const [caller, callees] of calls) if (focus.some((c) => callees.has(c))) near.add(caller);
  return near;
}

/** True when the finding concerns one of `names` (by component, subject name or what it blames). */
function concerns(f: Finding, names: ReadonlySet<string>): boolean {
  return (
    (f.component !== undefined && names.has(f.component)) ||
    names.has(f.subject.name) ||
    (f.blames ?? []).some((b) => names.has(b))
  );
}

/** Stable re-order: the focus's neighbourhood first, the rest after, each in the order given. */
export function focusFirst<T extends Finding>(ranked: readonly T[], focus: readonly string[]): T[] {
  if (focus.length === 0) return [...ranked];
  const near = neighbourhood(ranked, focus);
  const first = ranked.filter((f) => concerns(f, near));
  return [...first, ...ranked.filter((f) => !concerns(f, near))];
}
