import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnAoi } from './spawn-aoi.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentReply } from '../../src/agent/protocol.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-agent-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function agent(args: string[], input: string) {
  return spawnAoi(['agent', ...args], dir, { input, timeoutMs: 30_000 });
}

const replies = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => AgentReply.parse(JSON.parse(line)));

describe('aoi agent --stdio', () => {
  it('answers bad lines with errors on stdout, keeps going, and exits 0 at the end of stdin', async () => {
    const input = [
      'not json',
      '{"type":"step","output":"x"}',
      '{"type":"nope"}',
      '{"type":"init"}',
      '',
      JSON.stringify({
        type: 'init',
        problem:
          'You are an expert DevOps engineer assigned to localize faults in a deployed service.\nService Details:\nNamespace: test-hotel-reservation\n',
        instructions: 'respond with one call',
        apis: { exec_shell: 'Runs a shell command.' },
      }),
    ].join('\n');
    const result = await agent(['--stdio', '--reasoner', 'rules'], `${input}\n`);
    expect(result.exitCode).toBe(0);
    const out = replies(result.stdout);
    expect(out.map((r) => (r.type === 'error' ? r.code : r.type))).toEqual([
      'bad-json',
      'no-session',
      'bad-request',
      'bad-request',
      'action',
    ]);
    const first = out[4];
    expect(first?.type === 'action' && first.action).toMatch(
      /^```\nexec_shell\("echo AOI_([0-9a-f]+)_r0_BEGIN; kubectl get pods --namespace test-hotel-reservation --output json 2>&1 && echo AOI_\1_r0_OK \|\| echo AOI_\1_r0_FAIL"\)\n```$/,
    );
    expect(result.stderr).toContain('aoi agent: task localization');
    expect(result.stderr).toContain('namespace test-hotel-reservation named in the text');
  });

  it('refuses to run without --stdio', async () => {
    const result = await agent([], '');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--stdio');
  });

  it('submits a fallback answer of the right form when the orchestrator answers every read with an error', async () => {
    const init = JSON.stringify({
      type: 'init',
      problem:
        'You are an expert DevOps engineer assigned to detect anomalies in a deployed service.\nNamespace: ns-a\n',
    });
    const step = JSON.stringify({
      type: 'step',
      output: 'Error: connection refused\n\nPlease take the next action',
    });
    const result = await agent(
      ['--stdio', '--reasoner', 'rules', '--max-steps', '3', '-q'],
      [init, step, step, step, ''].join('\n'),
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    const out = replies(result.stdout);
    expect(out).toHaveLength(4);
    const last = out.at(-1);
    expect(last?.type === 'action' && last.action).toMatch(/^```\nsubmit\("(Yes|No)"\)\n```$/);
  });
});
