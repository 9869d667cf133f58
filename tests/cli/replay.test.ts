/**
 * `aoi replay`: a run diagnosed on the simulator (then gone: no cluster at replay time) is reasoned about
 * again from its recorded observation, with another library of guidance or another backend setting.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayCommand } from '../../src/cli/commands/replay.js';
import { runsLabel } from '../../src/cli/commands/runs.js';
import { renderGuidance } from '../../src/core/guidance.js';
import { TrajectoryRecorder } from '../../src/core/trajectory-recorder.js';
import { diagnoseSimIncident } from '../evolver/sim-incidents.js';
import { BUILT_AOI_BIN } from '../built-aoi.js';
import { captureIO } from './cli-harness.js';

let dir: string;
let stateDir: string;

const bufferedIO = () => captureIO({ HOME: dir, AOI_USER: 'sre' });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-replay-'));
  stateDir = join(dir, 'state');
  const report = await diagnoseSimIncident(
    { app: 'hotel-reservation', fault: 'user_unregistered_mongodb', target: 'mongodb-geo' },
    { trajectories: join(stateDir, 'trajectories'), id: 'inc-gone-user', disable: ['log-classification'] },
  );
  // The weakened agent takes the missing user for revoked permissions.
  expect(report.reasoning.diagnosis.rootCause?.faultType).toBe('Authentication Issue');
  await runsLabel(
    'inc-gone-user',
    {
      stateDir,
      verdict: 'wrong',
      rootCause: 'mongodb-geo',
      type: 'Network/Storage Issue',
      level: 'Application',
    },
    bufferedIO().io,
  );
  const recorder = await TrajectoryRecorder.start(join(stateDir, 'trajectories'), {
    id: 'inc-no-look',
    target: { namespace: 'x' },
  });
  await recorder.record({
    phase: 'observe',
    agent: 'observer',
    at: new Date().toISOString(),
    durationMs: 3,
    input: {},
    output: { error: 'cluster unreachable' },
  });
  await recorder.finish({ status: 'failed', summary: 'cluster unreachable' });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aoi replay', () => {
  it('re-reasons the recorded observation: same answer as recorded, the full rules answer, and guidance fixing the weakened one', async () => {
    const weak = bufferedIO();
    expect(
      await replayCommand(
        'inc-gone',
        { stateDir, reasoner: 'rules', disableRules: ['log-classification'] },
        weak.io,
      ),
    ).toBe(1);
    expect(weak.out()).toContain('diagnosis: mongodb-geo — Application / Authentication Issue');
    expect(weak.out()).toContain('recorded:  mongodb-geo — Application / Authentication Issue');
    expect(weak.out()).toContain(
      'the replay does not agree with what the label says (the recorded run did not)',
    );

    const full = bufferedIO();
    await replayCommand('inc-gone', { stateDir, reasoner: 'rules', json: true }, full.io);
    const json = JSON.parse(full.out()) as {
      diagnosis: { rootCause: { faultType: string } };
      matchesLabel: boolean;
      reasoner: string;
    };
    expect([json.reasoner, json.diagnosis.rootCause.faultType, json.matchesLabel]).toEqual([
      'rules',
      'Network/Storage Issue',
      true,
    ]);

    const library = join(dir, 'team-guidance');
    await mkdir(library, { recursive: true });
    await writeFile(
      join(library, 'missing-user.md'),
      renderGuidance({
        frontMatter: {
          id: 'missing-user',
          title: 'A user that is gone is a storage fault',
          signals: ['AuthErrors'],
          faultTypes: ['Network/Storage Issue'],
          createdFrom: [],
          version: 1,
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
        body: '\nHand-written.\n',
      }),
    );
    const guided = bufferedIO();
    await replayCommand(
      'inc-gone',
      { stateDir, reasoner: 'rules', disableRules: ['log-classification'], guidance: library },
      guided.io,
    );
    expect(guided.out()).toContain('guidance:  missing-user v1');
    expect(guided.out()).toContain('diagnosis: mongodb-geo — Application / Network/Storage Issue');
    expect(guided.out()).toContain('the replay agrees with what the label says');
  });

  it('says why a run cannot be replayed, with a hint', async () => {
    await expect(
      replayCommand('inc-no-look', { stateDir, reasoner: 'rules' }, bufferedIO().io),
    ).rejects.toThrow('run inc-no-look recorded no observation to replay');
    await expect(replayCommand('zzz', { stateDir, reasoner: 'rules' }, bufferedIO().io)).rejects.toThrow(
      'no run zzz',
    );
  });

  it('runs as a command with no cluster: -o json, --no-guidance, and exit 2 on an unknown run', async () => {
    const env = { HOME: dir, AOI_STATE_DIR: stateDir };
    const r = await execa(
      process.execPath,
      [BUILT_AOI_BIN, 'replay', 'inc-gone-user', '--reasoner', 'rules', '--no-guidance', '-o', 'json'],
      { env, extendEnv: false, reject: false },
    );
    expect(r.exitCode, r.stderr).toBe(1);
    expect((JSON.parse(r.stdout) as { guidanceUsed: unknown[]; run: string }).run).toBe('inc-gone-user');
    const bad = await execa(process.execPath, [BUILT_AOI_BIN, 'replay', 'nope', '--reasoner', 'rules'], {
      env,
      extendEnv: false,
      reject: false,
    });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('no run nope');
    expect(bad.stderr).toContain('aoi runs list');
  }, 60_000);
});
