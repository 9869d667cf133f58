import type { Evidence } from '../core/evidence.js';

/**
 * Whether evidence shows an incident: any error or critical item, or warnings about one component from two
 * independent sources (a 6% error ratio alone is noise; the same component also logging errors, or its flag
 * turned on, is not). Gaps say nothing about the cluster and never count.
 */
export function showsIncident(evidence: readonly Evidence[]): boolean {
  const sourcesByComponent = new Map<string, Set<string>>();
  for (const e of evidence) {
    if (e.signal === 'gap') continue;
    if (e.severity === 'error' || e.severity === 'critical') return true;
    if (e.severity !== 'warning') continue;
    const key = e.component ?? `${e.subject.kind}/${e.subject.namespace ?? ''}/${e.subject.name}`;
    const sources = sourcesByComponent.get(key) ?? new Set<string>();
    sources.add(e.source);
    sourcesByComponent.set(key, sources);
    if (sources.size >= 2) return true;
  }
  return false;
}
