/**
 * `aoi guidance list|show|diff|retire|restore`: the library as a reviewer sees it, with figures, source runs,
 * the runs that used each file and how they were labelled; retiring and restoring by hand.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  guidanceDiff,
  guidanceList,
  guidanceRestore,
  guidanceRetire,
  guidanceShow,
} from '../../src/cli/commands/guidance.js';
import { runsLabel } from '../../src/cli/commands/runs.js';
import type { Guidance } from '../../src/core/guidance.js';
import { parseGuidance } from '../../src/core/guidance.js';
import { loadGuidanceDir, saveDraft, updateStatus } from '../../src/evolver/guidance-files.js';
import { analysis, item, writeRun } from '../evolver/fixtures.js';
import { BUILT_AOI_BIN } from '../built-aoi.js';
import { captureIO } from './cli-harness.js';

let dir: string;
let stateDir: string;
let guidanceDir: string;

const bufferedIO = () => captureIO({ HOME: dir, AOI_USER: 'reviewer' });

const draft: Guidance = {
  frontMatter: {
    id: 'gone-user',
    title: 'AuthErrors with UserNotFound means a storage fault',
    signals: ['AuthErrors'],
    faultTypes: ['Network/Storage Issue'],
    createdFrom: ['run-old'],
    version: 1,
    status: 'candidate',
    support: { problems: 2, before: 1 },
    hints: [
      {
        kind: 'classify',
        signals: ['AuthErrors'],
        logPattern: '\\bUserNotFound\\b',
        systemLevel: 'Application',
        faultType: 'Network/Storage Issue',
      },
    ],
  },
  body: '\n# Gone user\n\n- Read the logs.\n',
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-guidance-'));
  stateDir = join(dir, 'state');
  guidanceDir = join(stateDir, 'guidance');
  const trajectories = join(stateDir, 'trajectories');
  const saved = await saveDraft(guidanceDir, draft, []);
  await updateStatus(guidanceDir, saved, {
    status: 'promoted',
    query: { problems: 2, before: 1, after: 2, regressions: 0 },
    promotedAt: '2026-11-25T05:00:00.000Z',
    lastHelped: '2026-11-25T05:00:00.000Z',
  });
  // Used before promotion (does not count), after it (one labelled wrong, one right).
  for (const [id, startedAt] of [
    ['run-before', '2026-11-25T04:00:00.000Z'],
    ['run-wrong', '2026-11-25T06:00:00.000Z'],
    ['run-right', '2026-11-25T07:00:00.000Z'],
  ] as const)
    await writeRun(trajectories, {
      id,
      problemId: 'x',
      startedAt,
      evidence: [item(1, 'db', 'AuthErrors')],
      diagnosis: analysis('db', 'Application', 'Network/Storage Issue', ['ev-1']),
      guidanceUsed: ['gone-user'],
    });
  const { io } = bufferedIO();
  await runsLabel('run-before', { stateDir, verdict: 'wrong' }, io);
  await runsLabel('run-wrong', { stateDir, verdict: 'wrong', type: 'Authentication Issue' }, io);
  await runsLabel(
    'run-right',
    { stateDir, verdict: 'right', now: () => new Date('2026-11-26T09:00:00Z') },
    io,
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aoi guidance', () => {
  it('lists status (flagged when runs that used it were later labelled wrong), figures, runs and last helped', async () => {
    const { io, out } = bufferedIO();
    expect(await guidanceList({ stateDir }, io)).toBe(0);
    expect(out()).toBe(
      [
        'ID         STATUS     V  SUPPORT  QUERY   FROM  USED  WRONG  LAST HELPED       EDITED',
        'gone-user  promoted!  1  1/2      1->2/2  1     3     1      2026-11-26T09:00  -',
        '!: used in runs later labelled wrong; aoi evolve retires it at --retire-after such runs',
        '',
      ].join('\n'),
    );
    const json = bufferedIO();
    await guidanceList({ stateDir, json: true }, json.io);
    expect(JSON.parse(json.out())).toEqual([
      expect.objectContaining({
        id: 'gone-user',
        status: 'promoted',
        flagged: true,
        createdFrom: ['run-old'],
        usedIn: ['run-before', 'run-wrong', 'run-right'],
        labelledWrong: ['run-wrong'],
        labelledRight: ['run-right'],
        lastHelped: '2026-11-26T09:00:00.000Z',
      }),
    ]);
    const show = bufferedIO();
    await guidanceShow('gone-user', { stateDir }, show.io);
    expect(show.out()).toContain('labelled wrong since promoted: run-wrong');
    expect(show.out()).toContain('"logPattern":"\\\\bUserNotFound\\\\b"');
  });

  it('diffs an edited file against the version aoi writes next, retires with a reason and restores', async () => {
    const path = join(guidanceDir, 'gone-user.md');
    await writeFile(
      path,
      (await readFile(path, 'utf8')).replace('- Read the logs.', '- Read the logs first.'),
    );
    const { files } = await loadGuidanceDir(guidanceDir);
    await saveDraft(
      guidanceDir,
      { ...draft, body: '\n# Gone user\n\n- Read the logs, then the events.\n' },
      files,
    );
    const diff = bufferedIO();
    expect(await guidanceDiff('gone-user-v2', undefined, { stateDir }, diff.io)).toBe(1);
    expect(diff.out()).toContain('--- gone-user.md\n+++ gone-user-v2.md\n');
    expect(diff.out()).toContain('- - Read the logs first.\n+ - Read the logs, then the events.');
    expect(await guidanceDiff('gone-user', 'gone-user', { stateDir }, bufferedIO().io)).toBe(0);

    const retired = bufferedIO();
    await guidanceRetire(
      'gone-user',
      { stateDir, reason: 'misleads on the payments cluster', now: () => new Date('2026-12-01T00:00:00Z') },
      retired.io,
    );
    expect(retired.out()).toBe('retired gone-user.md: misleads on the payments cluster\n');
    const text = await readFile(path, 'utf8');
    expect(parseGuidance(text, path).frontMatter).toMatchObject({
      status: 'retired',
      retiredAt: '2026-12-01T00:00:00.000Z',
      retiredReason: 'misleads on the payments cluster',
    });
    // The person's edit survives, and the file stays theirs.
    expect(text).toContain('- Read the logs first.');
    expect((await loadGuidanceDir(guidanceDir)).files.find((f) => f.file === 'gone-user.md')?.edited).toBe(
      true,
    );
    await expect(guidanceRetire('gone-user', { stateDir }, bufferedIO().io)).rejects.toThrow(
      'already retired',
    );

    await guidanceRestore(
      'gone-user',
      { stateDir, now: () => new Date('2026-12-02T00:00:00Z') },
      bufferedIO().io,
    );
    const restored = parseGuidance(await readFile(path, 'utf8'), path).frontMatter;
    expect(restored).toMatchObject({ status: 'promoted', promotedAt: '2026-12-02T00:00:00.000Z' });
    expect(restored.retiredReason).toBeUndefined();
    // Counted from the restore on: the old wrong label no longer flags it.
    const list = bufferedIO();
    await guidanceList({ stateDir, json: true }, list.io);
    expect(
      (JSON.parse(list.out()) as { id: string; flagged: boolean }[]).find((g) => g.id === 'gone-user')
        ?.flagged,
    ).toBe(false);
  });

  it('names an unknown file with a hint, and runs as a command', async () => {
    await expect(guidanceShow('nope', { stateDir }, bufferedIO().io)).rejects.toThrow('no guidance nope');
    const r = await execa(process.execPath, [BUILT_AOI_BIN, 'guidance', 'show', 'nope'], {
      env: { HOME: dir, AOI_STATE_DIR: stateDir },
      extendEnv: false,
      reject: false,
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('aoi guidance list');
    const list = await execa(process.execPath, [BUILT_AOI_BIN, 'guidance', 'list'], {
      env: { HOME: dir, AOI_STATE_DIR: stateDir },
      extendEnv: false,
      reject: false,
    });
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^gone-user-v2 +candidate/m);
  }, 60_000);
});
