import { appendFile } from 'node:fs/promises';
import type { Diagnosis } from '../../src/core/diagnosis.js';
import type { Evidence, Severity } from '../../src/core/evidence.js';
import { TrajectoryRecorder } from '../../src/core/trajectory-recorder.js';

export function item(
  n: number,
  component: string,
  signal: string,
  extra: Partial<Evidence> & { severity?: Severity } = {},
): Evidence {
  return {
    id: `ev-${n}`,
    source: 'logs',
    subject: { kind: 'Service', namespace: 'shop', name: component },
    signal,
    severity: 'error',
    summary: `${component}: ${signal}`,
    observedAt: '2026-11-25T04:00:00Z',
    component,
    ...extra,
  };
}

export interface FakeRun {
  id: string;
  problemId: string;
  task?: 'detection' | 'localization' | 'analysis' | 'mitigation';
  evidence: Evidence[];
  diagnosis: Diagnosis;
  /** The evaluator's verdict; absent for a run nobody scored. */
  success?: boolean;
  startedAt?: string;
  guidanceUsed?: string[];
}

export function analysis(
  component: string,
  systemLevel: string,
  faultType: string,
  cites: string[],
): Diagnosis {
  return {
    detected: true,
    faultyComponents: [component],
    rootCause: { systemLevel, faultType, summary: `${component}: ${faultType}` },
    hypotheses: [{ statement: `${component} is the root`, confidence: 0.8, evidence: cites }],
    proposals: [],
  } as Diagnosis;
}

/** Records a run the way runIncident and the bench runner do: header, observe, reason, outcome, verdict. */
export async function writeRun(dir: string, run: FakeRun): Promise<void> {
  const recorder = await TrajectoryRecorder.start(dir, {
    id: run.id,
    problemId: run.problemId,
    target: { namespace: 'shop' },
    startedAt: run.startedAt ?? '2026-11-25T04:00:00.000Z',
  });
  await recorder.record({
    phase: 'observe',
    agent: 'observer',
    at: '2026-11-25T04:00:01.000Z',
    durationMs: 1200,
    input: { namespace: 'shop' },
    output: { evidence: run.evidence, dropped: 0, gaps: [], incident: true },
  });
  await recorder.record({
    phase: 'reason',
    agent: 'rules',
    at: '2026-11-25T04:00:02.000Z',
    durationMs: 5,
    input: { evidence: run.evidence.map((e) => e.id), task: run.task ?? 'analysis', guidance: [] },
    output: {
      diagnosis: run.diagnosis,
      rejected: [],
      steps: [],
      guidanceUsed: (run.guidanceUsed ?? []).map((id) => ({ id, version: 1, score: 1 })),
    },
    tokens: { in: 10, out: 20 },
  });
  await recorder.finish({ status: 'unresolved', summary: 'agent summary' });
  if (run.success !== undefined)
    await appendFile(
      recorder.path,
      `${JSON.stringify({ type: 'outcome', status: 'unresolved', at: '2026-11-25T04:00:03.000Z', score: run.success ? 1 : 0, summary: `evaluator: ${run.success ? 'right' : 'wrong'}` })}\n`,
    );
}
