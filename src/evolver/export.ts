/**
 * Training data from trajectories: one JSONL record per run with a reasoning step, the prompt the reasoner saw
 * (task and evidence), its answer, and the evaluator's reward. `sft` keeps the runs the evaluator accepted,
 * as chat messages; `grpo` keeps every scored run as prompt / response / reward.
 */
import { z } from 'zod';
import type { Evidence } from '../core/evidence.js';
import type { LoadedRun } from './store.js';

export const ExportFormat = z.enum(['sft', 'grpo']);
export type ExportFormat = z.infer<typeof ExportFormat>;

const SYSTEM =
  'You are aoi, a site reliability engineer. From the evidence, answer with one JSON diagnosis: detected, faultyComponents, rootCause {systemLevel, faultType, summary}, hypotheses citing evidence ids, proposals.';

export const SftRecord = z.strictObject({
  id: z.string(),
  messages: z.array(z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string() })),
  reward: z.number(),
});
export type SftRecord = z.infer<typeof SftRecord>;

export const GrpoRecord = z.strictObject({
  id: z.string(),
  problemId: z.string().optional(),
  prompt: z.string(),
  response: z.string(),
  reward: z.number(),
});
export type GrpoRecord = z.infer<typeof GrpoRecord>;

function evidenceLine(ev: Evidence): string {
  return JSON.stringify({
    id: ev.id,
    signal: ev.signal,
    severity: ev.severity,
    subject: `${ev.subject.kind} ${ev.subject.namespace ? `${ev.subject.namespace}/` : ''}${ev.subject.name}`,
    summary: ev.summary,
    ...(ev.excerpt === undefined ? {} : { excerpt: ev.excerpt }),
  });
}

export function promptOf(run: LoadedRun): string {
  return [
    `Task: ${run.summary.task ?? 'analysis'}`,
    ...(run.header.target.namespace ? [`Namespace: ${run.header.target.namespace}`] : []),
    'Evidence (one JSON object a line):',
    run.evidence.length > 0 ? run.evidence.map(evidenceLine).join('\n') : '(none)',
  ].join('\n');
}

/** Records in the chosen format; runs without a diagnosis or (for rewards) without a verdict are skipped. */
export function exportRuns(runs: readonly LoadedRun[], format: ExportFormat): (SftRecord | GrpoRecord)[] {
  const out: (SftRecord | GrpoRecord)[] = [];
  for (const run of runs) {
    const verdict = run.summary.verdict;
    if (!run.diagnosis || !verdict) continue;
    const prompt = promptOf(run);
    const response = JSON.stringify(run.diagnosis);
    if (format === 'sft') {
      if (!verdict.success) continue;
      out.push(
        SftRecord.parse({
          id: run.summary.id,
          messages: [
            { role: 'system', content: SYSTEM },
            { role: 'user', content: prompt },
            { role: 'assistant', content: response },
          ],
          reward: verdict.score,
        }),
      );
    } else {
      out.push(
        GrpoRecord.parse({
          id: run.summary.id,
          ...(run.summary.problemId === undefined ? {} : { problemId: run.summary.problemId }),
          prompt: `${SYSTEM}\n\n${prompt}`,
          response,
          reward: verdict.score,
        }),
      );
    }
  }
  return out;
}
