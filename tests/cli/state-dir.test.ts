/**
 * An unusable state dir is a clear error naming the path, with a hint, before the command writes anything:
 * never a stack trace, never a bench that fails every problem one by one. The state dir here sits under a
 * regular file, which no user (root included) can create directories in.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnAoi } from './spawn-aoi.js';

let home: string;
let stateDir: string;
let plan: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'aoi-cli-state-dir-'));
  await writeFile(join(home, 'not-a-dir'), 'a file\n');
  stateDir = join(home, 'not-a-dir', 'state');
  plan = join(home, 'plan.yaml');
  await writeFile(
    plan,
    'version: 1\nactions:\n  - kind: scaleDeployment\n    namespace: default\n    name: web\n    replicas: 1\n    rationale: r\n    evidence: [ev-1]\n',
  );
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

const SIM = 'k8s_target_port-misconfig-detection-1';

describe('an unusable state dir', () => {
  it.each([
    ['diagnose', ['diagnose', '--sim', SIM, '--reasoner', 'rules'], true],
    ['act', ['act', '--plan', 'PLAN', '--dry-run'], false],
    ['bench', ['bench', '--reasoner', 'rules', '--filter', `^${SIM}$`], false],
    ['evolve', ['evolve', '--support', 'analysis-1$', '--query', 'analysis-2$'], false],
    ['runs list', ['runs', 'list'], false],
    ['runs show', ['runs', 'show', 'x'], false],
    ['export', ['export', '--format', 'grpo'], false],
  ])('%s: exit 2 naming the path, with --state-dir in the hint, no stack', async (_name, args, noRecord) => {
    const result = await spawnAoi(
      args.map((a) => (a === 'PLAN' ? plan : a)),
      home,
      { env: { AOI_STATE_DIR: stateDir } },
    );
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`aoi: error: cannot `);
    expect(result.stderr).toContain(stateDir);
    expect(result.stderr).toContain('--state-dir DIR');
    expect(result.stderr.includes('--no-record'), result.stderr).toBe(noRecord);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('is no obstacle to diagnose --no-record, which writes nothing', async () => {
    const result = await spawnAoi(['diagnose', '--sim', SIM, '--reasoner', 'rules', '--no-record'], home, {
      env: { AOI_STATE_DIR: stateDir },
    });
    expect(result.stderr).not.toContain('aoi: error');
    expect(result.exitCode, result.stderr).toBe(1);
  });

  it('is named with --state-dir DIR too', async () => {
    const result = await spawnAoi(['runs', 'list', '--state-dir', stateDir], home);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`cannot use the state dir ${stateDir}`);
  });
});
