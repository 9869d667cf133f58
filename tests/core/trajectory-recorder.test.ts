import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTrajectory, TrajectoryRecorder } from '../../src/core/trajectory-recorder.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-traj-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const step = {
  phase: 'observe' as const,
  agent: 'observer',
  at: '2025-01-01T00:00:01Z',
  durationMs: 12,
  input: { namespace: 'ns' },
  output: [{ id: 'ev-1' }],
};

describe('TrajectoryRecorder', () => {
  it('writes header, steps and outcome that read back', async () => {
    const trajectories = join(dir, 'trajectories');
    const recorder = await TrajectoryRecorder.start(trajectories, {
      id: 'run-1',
      startedAt: '2025-01-01T00:00:00Z',
      problemId: 'k8s_target_port-misconfig-mitigation-1',
      target: { namespace: 'test-social-network' },
    });
    expect(recorder.path).toBe(join(trajectories, 'run-1.jsonl'));
    await recorder.record(step);
    await recorder.record({ ...step, phase: 'reason', agent: 'reasoner', tokens: { in: 100, out: 20 } });
    await recorder.finish({ status: 'resolved', score: 1 });

    const trajectory = await readTrajectory(recorder.path);
    expect(trajectory.header).toEqual({
      type: 'header',
      id: 'run-1',
      startedAt: '2025-01-01T00:00:00Z',
      problemId: 'k8s_target_port-misconfig-mitigation-1',
      target: { namespace: 'test-social-network' },
      version: 1,
    });
    expect(trajectory.steps.map((s) => s.phase)).toEqual(['observe', 'reason']);
    expect(trajectory.outcome).toMatchObject({ type: 'outcome', status: 'resolved', score: 1 });
  });

  it('reads an unfinished trajectory with a torn tail', async () => {
    const recorder = await TrajectoryRecorder.start(dir, { id: 'run-2', target: {} });
    await recorder.record(step);
    await appendFile(recorder.path, '{"type":"step","pha');
    const trajectory = await readTrajectory(recorder.path);
    expect(trajectory.steps).toHaveLength(1);
    expect(trajectory).not.toHaveProperty('outcome');
  });

  it.each([
    ['an id with a slash', { id: '../x', target: {} }],
    ['an id that exists', { id: 'taken', target: {} }],
  ])('refuses %s', async (_label, header) => {
    await writeFile(join(dir, 'taken.jsonl'), '');
    await expect(TrajectoryRecorder.start(dir, header)).rejects.toThrow();
  });

  it('rejects a file without a header', async () => {
    const path = join(dir, 'bad.jsonl');
    await writeFile(path, `${JSON.stringify({ type: 'step', ...step })}\n`);
    await expect(readTrajectory(path)).rejects.toMatchObject({ code: 'config' });
  });
});
