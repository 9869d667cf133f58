/**
 * "Step budget spent on irrelevant reads": tool calls of a model run whose evidence the diagnosis never cited
 * become a `check` hint; the rules backend passes check hints on (notes in its result and the trajectory).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrajectoryRecorder } from '../../src/core/trajectory-recorder.js';
import { mineIrrelevantReads, toolReads } from '../../src/evolver/reads.js';
import { loadRuns } from '../../src/evolver/store.js';
import { RulesReasoner } from '../../src/reasoner/rules-backend.js';
import { analysis, item } from './fixtures.js';

let dir: string;

/** A model run as runIncident records it: tool steps inside the reason step's output. */
async function modelRun(id: string, tools: string[], cites: string[]): Promise<void> {
  const evidence = [item(1, 'db', 'AuthErrors'), item(2, 'api', 'CrashLoopBackOff')];
  const recorder = await TrajectoryRecorder.start(dir, { id, target: { namespace: 'shop' } });
  await recorder.record({
    phase: 'observe',
    agent: 'observer',
    at: '2026-11-25T04:00:01.000Z',
    durationMs: 5,
    input: {},
    output: { evidence },
  });
  await recorder.record({
    phase: 'reason',
    agent: 'ollama',
    at: '2026-11-25T04:00:02.000Z',
    durationMs: 5,
    input: { task: 'analysis' },
    output: {
      diagnosis: analysis('db', 'Application', 'Authentication Issue', cites),
      rejected: [],
      steps: [
        { kind: 'model', durationMs: 1, tokens: { in: 1, out: 1 }, summary: 'investigate' },
        ...tools.map((summary) => ({ kind: 'tool', durationMs: 1, tokens: { in: 0, out: 0 }, summary })),
      ],
      guidanceUsed: [],
    },
  });
  await recorder.finish({ status: 'unresolved' });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-reads-'));
  await modelRun(
    'm-1',
    ['get_events: 0 new evidence', 'get_pod_logs: 2 new evidence (ev-3, ev-4)'],
    ['ev-1', 'ev-3'],
  );
  await modelRun(
    'm-2',
    ['get_events: 1 new evidence (ev-3)', 'query_metrics: 0 new evidence', 'get_pod_logs: failed: boom'],
    ['ev-1'],
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('irrelevant reads', () => {
  it('finds the tool calls whose results were never cited and mines them into a check hint', async () => {
    const runs = await loadRuns(dir);
    expect(toolReads(runs[0]!)).toEqual([
      { tool: 'get_events', evidence: [], cited: false },
      { tool: 'get_pod_logs', evidence: ['ev-3', 'ev-4'], cited: true },
    ]);
    const [cluster, ...rest] = mineIrrelevantReads(runs);
    expect(rest).toEqual([]);
    expect(cluster?.kind).toBe('irrelevant-reads');
    expect(cluster?.cases.map((c) => c.run.summary.id)).toEqual(['m-1', 'm-2']);
    expect(cluster?.hint).toEqual({
      kind: 'check',
      text: "With AuthErrors + CrashLoopBackOff, 3 of 4 tool calls found nothing the diagnosis used (get_events ×2, query_metrics ×1): read the root candidate's own evidence before calling tools.",
    });
    // One wasted call is not a pattern.
    expect(mineIrrelevantReads(runs.slice(0, 1))).toEqual([]);
  });

  it('the rules backend passes check hints on as notes', async () => {
    const result = await new RulesReasoner().diagnose({
      evidence: [item(1, 'db', 'AuthErrors')],
      guidance: [
        {
          id: 'reads',
          title: 't',
          body: '',
          hints: [{ kind: 'check', text: 'read the database logs first' }],
        },
      ],
    });
    expect(result.notes).toEqual(['guidance reads: check: read the database logs first']);
    expect(
      (await new RulesReasoner().diagnose({ evidence: [item(1, 'db', 'AuthErrors')] })).notes,
    ).toBeUndefined();
  });
});
