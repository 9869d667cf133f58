/**
 * Log lines, event messages and alert texts are written by whoever runs in the cluster, so the model sees them
 * as data, never as instructions. This module finds evidence whose text reads like an instruction to the
 * model (marked in the trajectory), and drops proposals that such text alone could have talked the model into.
 */
import { componentTargetOf } from '../core/action-target.js';
import type { Diagnosis } from '../core/diagnosis.js';
import type { Evidence } from '../core/evidence.js';
import { namesComponent } from './citations.js';
import type { RejectedClaim, UntrustedInput } from './reasoner.js';

export type UntrustedMark = UntrustedInput;

const INSTRUCTION_LIKE: readonly RegExp[] = [
  /\b(ignore|disregard|forget|override)\b.{0,40}\b(previous|prior|above|earlier|all|your)\b.{0,30}\b(instructions?|prompts?|rules?|guidelines)\b/i,
  /\byou are now\b/i,
  /\b(new|updated) instructions?\s*:/i,
  /\bsystem prompt\b/i,
  /\b(scale|delete|drain|cordon)\b.{0,30}\b(everything|all (deployments|namespaces|pods|workloads))\b/i,
];

/** True when text reads like an instruction addressed to the model (alert annotations are checked too). */
export function readsLikeInstruction(text: string): boolean {
  return INSTRUCTION_LIKE.some((re) => re.test(text));
}

/** Every summary or excerpt that reads like an instruction addressed to the model. */
export function markUntrusted(evidence: readonly Evidence[]): UntrustedMark[] {
  const marks: UntrustedMark[] = [];
  for (const ev of evidence) {
    for (const field of ['excerpt', 'summary'] as const) {
      const text = ev[field];
      if (text !== undefined && INSTRUCTION_LIKE.some((re) => re.test(text)))
        marks.push({
          evidence: ev.id,
          field,
          reason: 'instruction-like text in cluster data (untrusted input)',
        });
    }
  }
  return marks;
}

/**
 * A proposal must act on a component its cited evidence is about, and must cite something besides evidence
 * carrying instruction-like text: otherwise one hostile log line could steer a write.
 */
export function groundProposals(
  d: Diagnosis,
  pool: readonly Evidence[],
  marks: readonly UntrustedMark[],
): { diagnosis: Diagnosis; rejected: RejectedClaim[] } {
  const byId = new Map(pool.map((ev) => [ev.id, ev]));
  const flagged = new Set(marks.map((m) => m.evidence));
  const rejected: RejectedClaim[] = [];
  const proposals = d.proposals.filter((p) => {
    const label = `proposal: ${p.kind}${componentTargetOf(p) ? ` ${componentTargetOf(p)}` : ''}`;
    if (p.evidence.every((id) => flagged.has(id))) {
      rejected.push({
        claim: label,
        reason: 'cites only evidence whose text carries instructions (untrusted)',
      });
      return false;
    }
    const name = componentTargetOf(p);
    const cited = p.evidence.flatMap((id) => byId.get(id) ?? []);
    if (name !== undefined && !cited.some((ev) => !flagged.has(ev.id) && namesComponent(ev, name))) {
      rejected.push({ claim: label, reason: `no cited (trusted) evidence is about ${name}` });
      return false;
    }
    return true;
  });
  return { diagnosis: { ...d, proposals }, rejected };
}
