import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand } from '../../src/cli/commands/export.js';
import { GrpoRecord, SftRecord } from '../../src/evolver/export.js';
import { analysis, item, writeRun } from '../evolver/fixtures.js';
import { captureIO } from './cli-harness.js';

let dir: string;
let stateDir: string;

const bufferedIO = () => captureIO({ HOME: dir });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-export-'));
  stateDir = join(dir, 'state');
  const trajectories = join(stateDir, 'trajectories');
  for (const [id, success] of [
    ['a', true],
    ['b', false],
  ] as const)
    await writeRun(trajectories, {
      id,
      problemId: `p-${id}`,
      evidence: [item(1, 'db', 'AuthErrors', { excerpt: 'UserNotFound' })],
      diagnosis: analysis('db', 'Application', 'Authentication Issue', ['ev-1']),
      success,
    });
  // Not scored by an evaluator: no reward, so not exported.
  await writeRun(trajectories, {
    id: 'c',
    problemId: 'p-c',
    evidence: [],
    diagnosis: analysis('db', 'Application', 'Code Defect', []),
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aoi export', () => {
  it('writes sft records (accepted runs as chat messages) to --out atomically', async () => {
    const out = join(dir, 'out', 'sft.jsonl');
    const { io, err } = bufferedIO();
    expect(await exportCommand({ format: 'sft', out, stateDir }, io)).toBe(0);
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    expect(lines.map((l) => SftRecord.parse(JSON.parse(l)).id)).toEqual(['a']);
    expect(err()).toBe('aoi export: 1 sft record(s) from 3 run(s)\n');
  });

  it('prints grpo records (prompt, response, reward) for every scored run', async () => {
    const { io, out } = bufferedIO();
    expect(await exportCommand({ format: 'grpo', stateDir }, io)).toBe(0);
    const records = out()
      .trim()
      .split('\n')
      .map((l) => GrpoRecord.parse(JSON.parse(l)));
    expect(records.map((r) => [r.id, r.problemId, r.reward])).toEqual([
      ['a', 'p-a', 1],
      ['b', 'p-b', 0],
    ]);
    expect(records[0]!.prompt).toContain('UserNotFound');
    expect(JSON.parse(records[0]!.response)).toMatchObject({
      rootCause: { faultType: 'Authentication Issue' },
    });
  });

  it('says so when no run carries a verdict, or there are no runs at all', async () => {
    const unscored = join(dir, 'unscored');
    await writeRun(join(unscored, 'trajectories'), {
      id: 'd',
      problemId: 'p-d',
      evidence: [],
      diagnosis: analysis('db', 'Application', 'Code Defect', []),
    });
    const { io, out, err } = bufferedIO();
    expect(await exportCommand({ format: 'grpo', stateDir: unscored }, io)).toBe(0);
    expect(out()).toBe('');
    expect(err()).toContain('none of the 1 run(s) carries an evaluator verdict');
    expect(err()).toContain('aoi bench');
    const empty = bufferedIO();
    expect(await exportCommand({ format: 'sft', stateDir: join(dir, 'none') }, empty.io)).toBe(0);
    expect(empty.err()).toContain(`no runs under ${join(dir, 'none', 'trajectories')}`);
  });
});
