/**
 * The deterministic backend: the same Diagnosis as the model's, from the evidence alone. It finds the failing
 * components, walks blame edges down to the deepest one that fails on its own (callers of a broken
 * dependency are victims), classifies the cause from that component's own evidence and proposes the fix.
 */
import type { Diagnosis, Hypothesis } from '../core/diagnosis.js';
import type { Evidence } from '../core/evidence.js';
import { verifyDiagnosis } from './citations.js';
import type { GuidanceHint } from '../core/guidance.js';
import type { RuleFamily } from './rules/classify.js';
import { classify } from './rules/classify.js';
import type { ComponentView, IncidentGraph } from './rules/graph.js';
import { buildGraph, roots, SEVERITY_RANK } from './rules/graph.js';
import { manualFix } from './rules/manual-fixes.js';
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

export interface RulesOptions {
  /** Analyzer families to switch off (weakens the agent on purpose, for evolver experiments). */
  disable?: readonly RuleFamily[];
}

const hasAll = (signals: readonly string[], evidence: readonly Evidence[]) =>
  signals.every((s) => evidence.some((ev) => ev.signal === s));

/** `preferCallee` / `preferCaller` hints move the root along one blame edge when the root's evidence matches. */
function applyEdgeHints(
  ranked: ComponentView[],
  graph: IncidentGraph,
  hints: readonly GuidanceHint[],
): { ranked: ComponentView[]; applied: GuidanceHint[] } {
  const [root] = ranked;
  if (!root) return { ranked, applied: [] };
  for (const hint of hints) {
    let moved: ComponentView | undefined;
    if (hint.kind === 'preferCallee' && hasAll(hint.signals, root.own)) {
      moved = [...root.callees]
        .map((name) => graph.components.get(name))
        .filter((c): c is ComponentView => c !== undefined)
        .sort((a, b) => b.blamedBy.length - a.blamedBy.length || a.name.localeCompare(b.name))[0];
    } else if (hint.kind === 'preferCaller') {
      moved = [...root.callers]
        .map((name) => graph.components.get(name))
        .filter((c): c is ComponentView => c !== undefined && hasAll(hint.signals, c.own))
        .sort((a, b) => b.strength - a.strength || a.name.localeCompare(b.name))[0];
    }
    if (moved) return { ranked: [moved, ...ranked.filter((c) => c !== moved)], applied: [hint] };
  }
  return { ranked, applied: [] };
}

/** The diagnosis and the guidance hints that changed it. */
export function diagnoseWithHints(
  input: ReasonerInput,
  options: RulesOptions = {},
): { diagnosis: Diagnosis; applied: GuidanceHint[] } {
  const hints = (input.guidance ?? []).flatMap((g) => g.hints ?? []);
  const graph = buildGraph(input.evidence);
  const followBlame = !(options.disable ?? []).includes('blame-walk');
  const edge = applyEdgeHints(roots(graph, { followBlame }), graph, hints);
  const [root, runnerUp] = edge.ranked;
  if (!root)
    return {
      diagnosis: { detected: false, faultyComponents: [], hypotheses: [], proposals: [] },
      applied: [],
    };
  const { verdict, hint } = classify(root.own, {
    hints,
    ...(options.disable === undefined ? {} : { disable: options.disable }),
  });
  const applied = hint ? [...edge.applied, hint] : edge.applied;
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
  const manual = manualFix(root);
  const summary =
    `${root.name}: ${verdict.label}` +
    (victims.length > 0 ? `; its callers ${victims.join(', ')} fail because of it` : '') +
    (manual === undefined ? '' : `. ${manual.text}`);
  return {
    diagnosis: {
      detected: true,
      faultyComponents: [root.name],
      rootCause: { systemLevel: verdict.systemLevel, faultType: verdict.faultType, summary },
      hypotheses,
      proposals: proposeRemedies(root, graph, input.namespace),
    },
    applied,
  };
}

export function diagnoseByRules(input: ReasonerInput, options: RulesOptions = {}): Diagnosis {
  return diagnoseWithHints(input, options).diagnosis;
}

export class RulesReasoner implements Reasoner {
  readonly name = 'rules';
  readonly #options: RulesOptions;

  constructor(options: RulesOptions = {}) {
    this.#options = options;
  }

  diagnose(input: ReasonerInput): Promise<ReasonerResult> {
    const started = performance.now();
    const { diagnosis: raw, applied } = diagnoseWithHints(input, this.#options);
    const used = applied.map((h) => h.kind).join(', ');
    // The rules cite what they read; the verifier still runs so both backends obey the same contract.
    const { diagnosis, rejected } = verifyDiagnosis(raw, input.evidence);
    // `check` hints change no rule: they are passed on as what a person should check, and recorded.
    const checks = (input.guidance ?? []).flatMap((g) =>
      (g.hints ?? []).flatMap((h) => (h.kind === 'check' ? [`guidance ${g.id}: check: ${h.text}`] : [])),
    );
    return Promise.resolve({
      ...(checks.length > 0 ? { notes: checks } : {}),
      diagnosis,
      steps: [
        {
          kind: 'model',
          durationMs: Math.round(performance.now() - started),
          tokens: { in: 0, out: 0 },
          summary:
            `rules over ${input.evidence.length} evidence item(s): ${diagnosis.faultyComponents.join(', ') || 'no fault'}` +
            (used ? `; guidance hints applied: ${used}` : ''),
        },
      ],
      tokens: { in: 0, out: 0 },
      rejected,
    });
  }
}
