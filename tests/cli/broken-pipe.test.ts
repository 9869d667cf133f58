import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_AOI_BIN } from '../built-aoi.js';

const BIN = BUILT_AOI_BIN;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-pipe-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the real binary and closes the reading end of `closed` as soon as the child starts (`aoi … | head -0`). */
function runWithClosed(args: string[], closed: 'stdout' | 'stderr') {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      AOI_STATE_DIR: join(dir, 'state'),
      HOME: dir,
      PATH: process.env.PATH ?? '',
      OLLAMA_HOST: 'http://127.0.0.1:9',
    },
  });
  child[closed].destroy();
  let stdout = '';
  let stderr = '';
  if (closed !== 'stdout') child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  if (closed !== 'stderr') child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((done) =>
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr })),
  );
}

describe('a closed pipe (aoi … | head -1)', () => {
  it.each([
    ['--help', ['--help']],
    ['sim start --help', ['sim', 'start', '--help']],
    [
      'diagnose --output json',
      ['diagnose', '--sim', 'k8s_target_port-misconfig-localization-1', '--output', 'json'],
    ],
  ])(
    'on stdout ends %s quietly: no stack trace, no crash',
    async (_name, args) => {
      const result = await runWithClosed(args, 'stdout');
      expect(result.signal).toBeNull();
      expect([0, 1]).toContain(result.code);
      expect(result.stderr).not.toMatch(/EPIPE|Unhandled|^\s+at /m);
    },
    60_000,
  );

  it('on stderr is ignored: the document still reaches stdout with its exit code', async () => {
    const result = await runWithClosed(
      ['diagnose', '--sim', 'k8s_target_port-misconfig-localization-1', '--output', 'text'],
      'stderr',
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^INCIDENT /);
  }, 60_000);
});
