import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysis, item, writeRun } from '../evolver/fixtures.js';
import { runCli } from './cli-harness.js';

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-output-'));
  env = { HOME: dir, AOI_STATE_DIR: join(dir, 'state') };
  await writeRun(join(dir, 'state', 'trajectories'), {
    id: 'run-1',
    problemId: 'p-1',
    evidence: [item(1, 'db', 'AuthErrors')],
    diagnosis: analysis('db', 'Application', 'Authentication Issue', ['ev-1']),
    success: true,
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('-o/--output on every command that prints data', () => {
  it.each([
    'diagnose',
    'observe',
    'act',
    'rollback',
    'audit show',
    'runs list',
    'runs show',
    'evolve',
    'sim problems',
  ])('aoi %s --help offers -o, --output', async (command) => {
    const { stdout } = await runCli([...command.split(' '), '--help'], env);
    expect(stdout).toMatch(/^\s+-o, --output <format>/m);
  });

  it('keeps --json as an alias of -o json where it existed', async () => {
    const json = await runCli(['runs', 'list', '--json'], env);
    const short = await runCli(['runs', 'list', '-o', 'json'], env);
    const long = await runCli(['runs', 'list', '--output', 'json'], env);
    expect(JSON.parse(json.stdout)).toHaveLength(1);
    expect(short.stdout).toBe(json.stdout);
    expect(long.stdout).toBe(json.stdout);
    expect((await runCli(['runs', 'show', 'run-1', '-o', 'json'], env)).stdout).toBe(
      (await runCli(['runs', 'show', 'run-1', '--json'], env)).stdout,
    );
    expect((await runCli(['runs', 'list', '-o', 'text'], env)).stdout).toMatch(/^ID\s+PROBLEM/);
  });

  it('refuses a format it does not have', async () => {
    const { error, stderr } = await runCli(['runs', 'list', '-o', 'yaml'], env);
    expect(error).toBeDefined();
    expect(stderr).toContain("argument 'yaml' is invalid");
  });
});
