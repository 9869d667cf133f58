import type { ActionProposal } from '../core/actions.js';
import type { Diagnosis, Hypothesis } from '../core/diagnosis.js';
import type { Evidence } from '../core/evidence.js';
import type { RejectedClaim } from './reasoner.js';

export interface VerifiedDiagnosis {
  diagnosis: Diagnosis;
  rejected: RejectedClaim[];
}

function unknownIds(cited: readonly string[], known: ReadonlyMap<string, Evidence>): string[] {
  return cited.filter((id) => !known.has(id));
}

function citationProblem(cited: readonly string[], known: ReadonlyMap<string, Evidence>): string | undefined {
  if (cited.length === 0) return 'cites no evidence';
  const missing = unknownIds(cited, known);
  return missing.length > 0 ? `cites evidence that does not exist: ${missing.join(', ')}` : undefined;
}

function proposalLabel(p: ActionProposal): string {
  return p.kind === 'kubectl' ? `kubectl ${p.argv.join(' ')}` : `${p.kind} ${p.namespace}/${p.name}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Pod names derived from a workload name: Deployment, StatefulSet, DaemonSet/Job. */
function podOf(workload: string, pod: string): boolean {
  const w = escapeRegExp(workload);
  return new RegExp(`^${w}-(?:[a-z0-9]{5,10}-[a-z0-9]{5}|[a-z0-9]{5}|\\d+)$`).test(pod);
}

/** A component is backed by evidence about it: its subject (or one of its pods), or a mention in the text. */
export function namesComponent(ev: Evidence, component: string): boolean {
  const c = component.toLowerCase();
  const name = ev.subject.name.toLowerCase();
  if (ev.component?.toLowerCase() === c || ev.blames?.some((b) => b.toLowerCase() === c)) return true;
  if (name === c || podOf(c, name)) return true;
  const mention = new RegExp(`(^|[^a-z0-9-])${escapeRegExp(c)}($|[^a-z0-9-])`, 'i');
  return mention.test(ev.summary) || (ev.excerpt !== undefined && mention.test(ev.excerpt));
}

/**
 * Keeps only claims backed by evidence that exists. Pure: the model's diagnosis in, the surviving
 * diagnosis and the reasons for each dropped claim out.
 */
export function verifyDiagnosis(d: Diagnosis, evidence: readonly Evidence[]): VerifiedDiagnosis {
  const known = new Map(evidence.map((ev) => [ev.id, ev]));
  const rejected: RejectedClaim[] = [];

  const hypotheses: Hypothesis[] = [];
  for (const h of d.hypotheses) {
    const problem = citationProblem(h.evidence, known);
    if (problem) rejected.push({ claim: `hypothesis: ${h.statement}`, reason: problem });
    else hypotheses.push(h);
  }

  const proposals: ActionProposal[] = [];
  for (const p of d.proposals) {
    const problem = citationProblem(p.evidence, known);
    if (problem) rejected.push({ claim: `proposal: ${proposalLabel(p)}`, reason: problem });
    else proposals.push(p);
  }

  const cited = new Set([...hypotheses, ...proposals].flatMap((c) => c.evidence));
  const citedEvidence = [...cited].flatMap((id) => known.get(id) ?? []);
  const faultyComponents = d.faultyComponents.filter((component) => {
    if (citedEvidence.some((ev) => namesComponent(ev, component))) return true;
    rejected.push({ claim: `faulty component: ${component}`, reason: 'no cited evidence is about it' });
    return false;
  });

  const out: Diagnosis = { ...d, faultyComponents, hypotheses, proposals };
  if (d.rootCause && hypotheses.length === 0) {
    delete out.rootCause;
    rejected.push({
      claim: `root cause: ${d.rootCause.summary}`,
      reason: 'no surviving hypothesis supports it',
    });
  }
  if (d.detected && hypotheses.length === 0) {
    const severe = evidence.some((ev) => ev.severity === 'error' || ev.severity === 'critical');
    if (!severe) {
      out.detected = false;
      rejected.push({
        claim: 'detected: true',
        reason: 'no surviving hypothesis and no error or critical evidence',
      });
    }
  }
  return { diagnosis: out, rejected };
}
