/**
 * Step budget spent on irrelevant reads: tool calls a model made during a run whose results no cited
 * evidence came from (nothing new, or new evidence the diagnosis never cited). Runs with the same evidence
 * signature that keep wasting calls on the same tool become a `check` hint: read the root candidate's own
 * evidence first. Built from the trajectory alone (tool steps name the evidence ids they returned).
 */
import { z } from 'zod';
import type { GuidanceHint } from '../core/guidance.js';
import type { FailureCase, FailureCluster } from './mine.js';
import type { LoadedRun } from './store.js';

const ToolStep = z.object({ kind: z.literal('tool'), summary: z.string() });
const ReasonOutput = z.object({ steps: z.array(z.unknown()).optional() });
const RESULT = /^([a-z_]+): (\d+) new evidence(?: \(([^)]*)\))?$/;

export interface ToolRead {
  tool: string;
  evidence: string[];
  cited: boolean;
}

/** The tool calls of a run's reason step, each with whether any evidence it returned was cited. */
export function toolReads(run: LoadedRun): ToolRead[] {
  const reason = run.steps.find((s) => s.phase === 'reason');
  const parsed = ReasonOutput.safeParse(reason?.output);
  if (!parsed.success || !run.diagnosis) return [];
  const cited = new Set([
    ...run.diagnosis.hypotheses.flatMap((h) => h.evidence),
    ...run.diagnosis.proposals.flatMap((p) => p.evidence),
  ]);
  const reads: ToolRead[] = [];
  for (const step of parsed.data.steps ?? []) {
    const tool = ToolStep.safeParse(step);
    const m = tool.success ? RESULT.exec(tool.data.summary) : null;
    if (!m) continue;
    const evidence = (m[3] ?? '').split(', ').filter((id) => id !== '');
    reads.push({ tool: m[1]!, evidence, cited: evidence.some((id) => cited.has(id)) });
  }
  return reads;
}

const signature = (run: LoadedRun) => [...run.summary.signals].slice(0, 3).sort();

/** One cluster per evidence signature whose runs wasted at least `minWasted` calls, most of their calls. */
export function mineIrrelevantReads(runs: readonly LoadedRun[], minWasted = 2): FailureCluster[] {
  const groups = new Map<
    string,
    { signals: string[]; runs: LoadedRun[]; wasted: Map<string, number>; calls: number }
  >();
  for (const run of runs) {
    const signals = signature(run);
    const reads = toolReads(run);
    if (signals.length === 0 || reads.length === 0) continue;
    const key = signals.join('+');
    const g = groups.get(key) ?? { signals, runs: [], wasted: new Map<string, number>(), calls: 0 };
    g.runs.push(run);
    for (const read of reads) {
      g.calls += 1;
      if (!read.cited) g.wasted.set(read.tool, (g.wasted.get(read.tool) ?? 0) + 1);
    }
    groups.set(key, g);
  }
  const clusters: FailureCluster[] = [];
  for (const [key, g] of groups) {
    const wasted = [...g.wasted.values()].reduce((a, b) => a + b, 0);
    if (wasted < minWasted || wasted * 2 < g.calls) continue;
    const tools = [...g.wasted]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([tool, n]) => `${tool} ×${n}`)
      .join(', ');
    const hint: GuidanceHint = {
      kind: 'check',
      text:
        `With ${g.signals.join(' + ')}, ${wasted} of ${g.calls} tool calls found nothing the diagnosis used (${tools}): ` +
        "read the root candidate's own evidence before calling tools.",
    };
    const cases: FailureCase[] = g.runs.map((run) => ({
      run,
      kind: 'irrelevant-reads',
      signals: g.signals,
      text: '',
      concluded: `${tools} read nothing that was cited`,
    }));
    clusters.push({
      key: `irrelevant-reads|${key}`,
      kind: 'irrelevant-reads',
      signals: g.signals,
      cases,
      hint,
    });
  }
  return clusters;
}
