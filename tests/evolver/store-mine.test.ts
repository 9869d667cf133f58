import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRuns, GrpoRecord, SftRecord } from '../../src/evolver/export.js';
import { discriminatingPattern, mineFailures } from '../../src/evolver/mine.js';
import type { LoadedRun } from '../../src/evolver/store.js';
import { filterRuns, isFailed, loadRuns } from '../../src/evolver/store.js';
import { analysis, item, writeRun } from './fixtures.js';

let dir: string;
let runs: LoadedRun[];

const userGone = (db: string, n: string) => [
  item(1, db, 'AuthErrors', {
    excerpt: `{"msg":"Authentication failed","attr":{"error":"UserNotFound: Could not find user \\"admin\\" on ${db}"}}`,
  }),
  item(2, `svc-${n}`, 'AuthErrors', { blames: [db], excerpt: 'Authentication failed.' }),
  item(3, db, 'CallerErrors', { summary: `1 failing caller(s) point at ${db}` }),
];
const revoked = (db: string) => [
  item(1, db, 'AuthErrors', { excerpt: `{"codeName":"Unauthorized","errmsg":"not authorized on ${db}"}` }),
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-store-'));
  await writeRun(dir, {
    id: 'run-a',
    problemId: 'gone-1',
    evidence: userGone('mongodb-geo', 'geo'),
    diagnosis: analysis('mongodb-geo', 'Application', 'Authentication Issue', ['ev-1']),
    success: false,
    startedAt: '2026-11-25T04:00:00.000Z',
  });
  await writeRun(dir, {
    id: 'run-b',
    problemId: 'gone-2',
    evidence: userGone('mongodb-user', 'user'),
    diagnosis: analysis('mongodb-user', 'Application', 'Authentication Issue', ['ev-1']),
    success: false,
    startedAt: '2026-11-25T04:01:00.000Z',
  });
  await writeRun(dir, {
    id: 'run-c',
    problemId: 'revoked-1',
    evidence: revoked('mongodb-rate'),
    diagnosis: analysis('mongodb-rate', 'Application', 'Authentication Issue', ['ev-1']),
    success: true,
    startedAt: '2026-11-25T04:02:00.000Z',
    guidanceUsed: ['some-note'],
  });
  await writeRun(dir, {
    id: 'run-d',
    problemId: 'victim-1',
    task: 'localization',
    evidence: [item(1, 'frontend', 'ErrorLogs', { blames: ['cache'] }), item(2, 'cache', 'CallerErrors')],
    diagnosis: analysis('frontend', 'Application', 'Code Defect', ['ev-1']),
    startedAt: '2026-11-25T04:03:00.000Z',
  });
  runs = await loadRuns(dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('trajectory store', () => {
  it('summarises each run with its outcome, the evaluator verdict, signals, steps, time and tokens', () => {
    expect(runs.map((r) => r.summary.id)).toEqual(['run-a', 'run-b', 'run-c', 'run-d']);
    expect(runs[2]!.summary).toMatchObject({
      problemId: 'revoked-1',
      task: 'analysis',
      status: 'unresolved',
      summary: 'agent summary',
      verdict: { success: true, score: 1, detail: 'right' },
      signals: ['AuthErrors'],
      steps: 2,
      durationMs: 1205,
      tokens: { in: 10, out: 20 },
      guidanceUsed: ['some-note'],
    });
    expect(runs[3]!.summary.verdict).toBeUndefined();
  });

  it('filters failed runs, by problem and by signal', () => {
    const ids = (filter: Parameters<typeof filterRuns>[1]) =>
      filterRuns(runs, filter).map((r) => r.summary.id);
    expect(ids({ failed: true })).toEqual(['run-a', 'run-b']);
    expect(ids({ problem: /^gone-/ })).toEqual(['run-a', 'run-b']);
    expect(ids({ signal: 'ErrorLogs' })).toEqual(['run-d']);
    expect(isFailed({ ...runs[3]!.summary, status: 'failed' })).toBe(true);
  });
});

describe('failure mining', () => {
  const supervision = new Map([
    ['gone-1', { systemLevel: 'Application' as const, faultType: 'Network/Storage Issue' as const }],
    ['gone-2', { systemLevel: 'Application' as const, faultType: 'Network/Storage Issue' as const }],
  ]);

  it('clusters wrong fault types by evidence signature; the hint is a log word no look-alike success shows', () => {
    const clusters = mineFailures(runs, supervision);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]).toMatchObject({
      kind: 'wrong-fault-type',
      signals: ['AuthErrors'],
      hint: {
        kind: 'classify',
        signals: ['AuthErrors'],
        logPattern: '\\bUserNotFound\\b',
        systemLevel: 'Application',
        faultType: 'Network/Storage Issue',
      },
    });
    expect(clusters[0]!.cases.map((c) => c.run.summary.id)).toEqual(['run-a', 'run-b']);
  });

  it('never takes a component name as the distinguishing word', () => {
    const only = mineFailures(runs.slice(0, 1), supervision)[0]!;
    expect(only.hint).toMatchObject({ logPattern: '\\bUserNotFound\\b' });
    expect(discriminatingPattern(only.cases, ['UserNotFound Authentication failed'])).not.toMatch(
      /geo|mongodb/,
    );
  });

  it('without supervision a failed run teaches nothing about fault types', () => {
    expect(mineFailures(runs, new Map())).toEqual([]);
  });

  it('a victim blamed instead of its dependency gives a preferCallee hint', () => {
    const failed = runs[3]!;
    const scored = {
      ...failed,
      summary: { ...failed.summary, verdict: { success: false, score: 0, detail: '' } },
    };
    const clusters = mineFailures([scored], new Map([['victim-1', { faultyComponents: ['cache'] }]]));
    expect(clusters.map((c) => [c.kind, c.hint])).toEqual([
      ['victim-blamed', { kind: 'preferCallee', signals: ['ErrorLogs'] }],
    ]);
  });
});

describe('training data export', () => {
  it('sft keeps accepted runs as chat messages; grpo keeps every scored run with its reward', () => {
    const sft = exportRuns(runs, 'sft');
    expect(sft.map((r) => r.id)).toEqual(['run-c']);
    const record = SftRecord.parse(sft[0]);
    expect(record.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
    expect(record.messages[1]!.content).toContain('"signal":"AuthErrors"');
    expect(JSON.parse(record.messages[2]!.content)).toMatchObject({ faultyComponents: ['mongodb-rate'] });
    const grpo = exportRuns(runs, 'grpo').map((r) => GrpoRecord.parse(r));
    expect(grpo.map((r) => [r.id, r.reward])).toEqual([
      ['run-a', 0],
      ['run-b', 0],
      ['run-c', 1],
    ]);
  });
});
