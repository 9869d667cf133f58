/**
 * `aoi runs label`: a person's verdict appended to the run's trajectory with who and when, never rewriting
 * earlier lines, safe when several aoi processes label at once, shown by `runs list` and `runs show`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runsLabel, runsList, runsShow } from '../../src/cli/commands/runs.js';
import { AoiError } from '../../src/core/errors.js';
import { loadRun } from '../../src/evolver/store.js';
import { analysis, item, writeRun } from '../evolver/fixtures.js';
import { BUILT_AOI_BIN } from '../built-aoi.js';
import { captureIO } from './cli-harness.js';

let dir: string;
let stateDir: string;
let trajectories: string;

const bufferedIO = (env: NodeJS.ProcessEnv = {}) => captureIO({ HOME: dir, ...env });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-label-'));
  stateDir = join(dir, 'state');
  trajectories = join(stateDir, 'trajectories');
  await writeRun(trajectories, {
    id: 'inc-1',
    problemId: 'anything',
    evidence: [item(1, 'db', 'AuthErrors')],
    diagnosis: analysis('db', 'Application', 'Authentication Issue', ['ev-1']),
  });
  await writeRun(trajectories, {
    id: 'inc-2',
    problemId: 'anything',
    evidence: [item(1, 'api', 'CrashLoopBackOff')],
    diagnosis: analysis('api', 'Application', 'Misconfiguration', ['ev-1']),
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aoi runs label', () => {
  it('appends who, when and what really happened, redacts the fix, and never rewrites earlier lines', async () => {
    const path = join(trajectories, 'inc-1.jsonl');
    const before = await readFile(path, 'utf8');
    const { io, out } = bufferedIO({ AOI_USER: 'oncall-alice' });
    const code = await runsLabel(
      'inc-1',
      {
        stateDir,
        verdict: 'wrong',
        rootCause: 'db',
        type: 'network/storage issue',
        level: 'application',
        fix: 'recreated the user: mongo --password hunter2secret',
        note: 'postmortem PM-7',
        now: () => new Date('2026-12-01T10:00:00Z'),
      },
      io,
    );
    expect(code).toBe(0);
    expect(out()).toBe(
      'labelled inc-1: wrong (db; Application / Network/Storage Issue) by oncall-alice at 2026-12-01T10:00:00.000Z; fixed by: recreated the user: mongo --password [REDACTED]; note: postmortem PM-7\n',
    );
    const after = await readFile(path, 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(JSON.parse(after.slice(before.length))).toEqual({
      type: 'label',
      at: '2026-12-01T10:00:00.000Z',
      by: 'oncall-alice',
      verdict: 'wrong',
      rootCause: 'db',
      systemLevel: 'Application',
      faultType: 'Network/Storage Issue',
      fix: 'recreated the user: mongo --password [REDACTED]',
      note: 'postmortem PM-7',
    });
    expect(after).not.toContain('hunter2secret');

    // A second label is appended too; the latest one counts.
    await runsLabel(
      'inc-1',
      { stateDir, verdict: 'partial', now: () => new Date('2026-12-02T10:00:00Z') },
      io,
    );
    const run = await loadRun(path);
    expect(run?.summary.label).toMatchObject({ verdict: 'partial', by: 'oncall-alice' });
    expect((await readFile(path, 'utf8')).startsWith(after)).toBe(true);

    const list = bufferedIO();
    await runsList({ stateDir }, list.io);
    expect(list.out()).toMatch(/^inc-1 .* partial /m);
    expect(list.out()).toMatch(/^inc-2 .* - {2,}/m);
    const failed = bufferedIO();
    await runsList({ stateDir, failed: true, json: true }, failed.io);
    expect((JSON.parse(failed.out()) as { id: string }[]).map((r) => r.id)).toEqual(['inc-1']);
    const show = bufferedIO();
    await runsShow('inc-2', { stateDir }, show.io);
    expect(show.out()).toContain('label:     none (aoi runs label)');
  });

  it('says what is wrong, with a hint, for an unknown run, a name that is no component, or words outside the vocabulary', async () => {
    const { io } = bufferedIO();
    const attempt = (id: string, extra: Partial<Parameters<typeof runsLabel>[1]>) =>
      runsLabel(id, { stateDir, verdict: 'wrong', ...extra }, io).then(
        () => undefined,
        (error: unknown) => error as AoiError,
      );
    const unknown = await attempt('nope', {});
    expect(unknown).toBeInstanceOf(AoiError);
    expect([unknown?.code, unknown?.message, unknown?.hint]).toEqual([
      'not-found',
      'no run nope',
      'List the runs with `aoi runs list`.',
    ]);
    const ambiguous = await attempt('inc', {});
    expect(ambiguous?.message).toBe('run id inc is ambiguous (2 runs start with it)');
    const type = await attempt('inc-2', { type: 'Gremlins' });
    expect(type?.code).toBe('usage');
    expect(type?.hint).toContain('"Network/Storage Issue"');
    const level = await attempt('inc-2', { level: 'Kernel' });
    expect(level?.hint).toContain('"Operating System"');
    const cause = await attempt('inc-2', { rootCause: 'Not A Name' });
    expect(cause?.message).toContain('is not a component name');
    // Nothing was appended by a refused label.
    expect((await loadRun(join(trajectories, 'inc-2.jsonl')))?.summary.label).toBeUndefined();
  });

  it('keeps every label when in-process callers and several aoi processes label the same run at once', async () => {
    const path = join(trajectories, 'inc-2.jsonl');
    const inProcess = Array.from({ length: 10 }, (_, i) =>
      runsLabel('inc-2', { stateDir, verdict: 'right', note: `in-process ${i}` }, bufferedIO().io),
    );
    const env = { HOME: dir, AOI_STATE_DIR: stateDir, AOI_USER: 'bob' };
    const children = Array.from({ length: 3 }, (_, i) =>
      execa(
        process.execPath,
        [BUILT_AOI_BIN, 'runs', 'label', 'inc-2', '--verdict', 'partial', '--note', `child ${i}`],
        { env, extendEnv: false, reject: false },
      ),
    );
    const [codes, results] = await Promise.all([Promise.all(inProcess), Promise.all(children)]);
    expect(codes).toEqual(Array(10).fill(0));
    for (const r of results) expect(r.exitCode, r.stderr).toBe(0);
    const lines = (await readFile(path, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; note?: string; by?: string });
    const notes = lines
      .filter((l) => l.type === 'label')
      .map((l) => l.note)
      .sort();
    expect(notes).toEqual(
      [
        ...Array.from({ length: 3 }, (_, i) => `child ${i}`),
        ...Array.from({ length: 10 }, (_, i) => `in-process ${i}`),
      ].sort(),
    );
    expect(lines.filter((l) => l.by === 'bob')).toHaveLength(3);
  }, 120_000);

  it('refuses a verdict outside right|wrong|partial with exit 2 and the choices', async () => {
    const r = await execa(process.execPath, [BUILT_AOI_BIN, 'runs', 'label', 'inc-2', '--verdict', 'maybe'], {
      env: { HOME: dir, AOI_STATE_DIR: stateDir },
      extendEnv: false,
      reject: false,
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('Allowed choices are right, wrong, partial');
  }, 60_000);
});
