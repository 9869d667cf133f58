/**
 * The deterministic backend: the same Diagnosis as the model's, from the evidence alone. It finds the failing
 * components, walks blame edges down to the deepest one that fails on its own (callers of a broken
 * dependency are victims), classifies the cause from that component's own evidence and proposes the fix.
 */
import type { Diagnosis, Hypothesis } from '../core/diagnosis.js';
import type { Evidence } from '../core/evidence.js';
import { verifyDiagnosis } from './citations.js';
import { classify } from './rules/classify.js';
import type { ComponentView, IncidentGraph } from './rules/graph.js';
import { buildGraph, roots, SEVERITY_RANK } from './rules/graph.js';
import { proposeRemedies } from './rules/remedies.js';
import type { Reasoner, ReasonerInput, ReasonerResult } from './reasoner.js';

const MAX_CITED = 6;

function describeComponent(c: ComponentView): string {
  const strongest = [...c.own].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity])[0];
  return strongest ? strongest.summary : `${c.name} is named by failing callers`;
}

function cite(c: ComponentView, graph: IncidentGraph): string[] {
  const rank = (ev: Evidence) => graph.order.get(ev.id) ?? Number.MAX_SAFE_INTEGER;
  const own = [...c.own].sort((a, b) => rank(a) - rank(b));
  const blamed = [...c.blamedBy].sort((a, b) => rank(a) - rank(b));
  return [...new Set([...own.slice(0, 4), ...blamed.slice(0, 2)].map((ev) => ev.id))].slice(0, MAX_CITED);
}

function confidence(root: ComponentView, runnerUp: ComponentView | undefined): number {
  const base = Math.min(0.95, 0.5 + root.strength / 80);
  if (!runnerUp) return base;
  return runnerUp.strength === root.strength ? Math.min(base, 0.6) : base;
}

export function diagnoseByRules(input: ReasonerInput): Diagnosis {
  const graph = buildGraph(input.evidence);
  const ranked = roots(graph);
  const [root, runnerUp] = ranked;
  if (!root) return { detected: false, faultyComponents: [], hypotheses: [], proposals: [] };
  const { verdict } = classify(root.own);
  const hypotheses: Hypothesis[] = [
    {
      statement: `${root.name} is the root cause (${verdict.label}): ${describeComponent(root)}`,
      confidence: confidence(root, runnerUp),
      evidence: cite(root, graph),
    },
  ];
  if (runnerUp)
    hypotheses.push({
      statement: `${runnerUp.name} fails on its own too: ${describeComponent(runnerUp)}`,
      confidence: Math.min(0.4, confidence(runnerUp, undefined) / 2),
      evidence: cite(runnerUp, graph),
    });
  const victims = [...root.callers].sort();
  const summary =
    `${root.name}: ${verdict.label}` +
    (victims.length > 0 ? `; its callers ${victims.join(', ')} fail because of it` : '');
  return {
    detected: true,
    faultyComponents: [root.name],
    rootCause: { systemLevel: verdict.systemLevel, faultType: verdict.faultType, summary },
    hypotheses,
    proposals: proposeRemedies(root, graph, input.namespace),
  };
}

export class RulesReasoner implements Reasoner {
  readonly name = 'rules';

  diagnose(input: ReasonerInput): Promise<ReasonerResult> {
    const started = performance.now();
    const raw = diagnoseByRules(input);
    // The rules cite what they read; the verifier still runs so both backends obey the same contract.
    const { diagnosis, rejected } = verifyDiagnosis(raw, input.evidence);
    return Promise.resolve({
      diagnosis,
      steps: [
        {
          kind: 'model',
          durationMs: Math.round(performance.now() - started),
          tokens: { in: 0, out: 0 },
          summary: `rules over ${input.evidence.length} evidence item(s): ${diagnosis.faultyComponents.join(', ') || 'no fault'}`,
        },
      ],
      tokens: { in: 0, out: 0 },
      rejected,
    });
  }
}
