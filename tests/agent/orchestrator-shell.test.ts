/**
 * Framed commands through the Python double of AIOpsLab's exec_shell (aiopslab-harness/python/tests/
 * shell_double.py) in its three k8s_host modes: real `sh` processes, real quoting, real host-side expansion.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { execShell, shellCommand } from '../../src/agent/api-call.js';
import {
  BLOCK_LIST,
  commandProblem,
  frame,
  readFrame,
  shellFailure,
} from '../../src/agent/orchestrator-shell.js';
import { hostSafeJson } from '../../src/agent/render-kubectl.js';
import { writeCommand } from '../../src/agent/relay-write.js';

const DOUBLE = resolve(import.meta.dirname, '../../aiopslab-harness/python/tests/shell_double.py');
const MODES = ['localhost', 'remote', 'kind'] as const;

async function execShellIn(mode: (typeof MODES)[number], command: string): Promise<string> {
  // A python3 child per command: generous limit for a busy machine, nothing here waits on the clock.
  const { stdout } = await promisify(execFile)('python3', [DOUBLE, mode, command], { timeout: 60_000 });
  return stdout;
}

const NASTY = {
  data: {
    'demo.json': '{\n  "flag": "on",\n  "cost": "$5 `now`",\n  "path": "C:\\\\tmp",\n  "it\'s": true\n}',
  },
};

describe.each(MODES)('a framed command through exec_shell (%s)', (mode) => {
  it('reports success and hands back a JSON body byte for byte', async () => {
    const command = frame(shellCommand('printf', ['%s\\n', hostSafeJson(NASTY)]), 't1');
    expect(commandProblem(command)).toBeUndefined();
    const outcome = readFrame(await execShellIn(mode, command), 't1');
    expect(outcome.status).toBe('ok');
    expect(JSON.parse(outcome.text)).toEqual(NASTY);
  });

  it('reports a failure with the error text, which 2>&1 alone would lose on localhost', async () => {
    const failing = shellCommand('ls', ['/no/such/aoi-path']);
    const outcome = readFrame(await execShellIn(mode, frame(failing, 't2')), 't2');
    expect(outcome.status).toBe('failed');
    expect(outcome.text).toMatch(/no such file/i);
    const bare = await execShellIn(mode, `${failing} 2>&1`);
    if (mode === 'localhost') expect(bare).toBe('[ERROR] Command execution failed: ');
    if (mode === 'kind') expect(bare).toBe('[ERROR] Docker command execution failed: ');
  });

  it('tells a refused command from a run one', async () => {
    const output = await execShellIn(mode, 'kubectl edit svc x');
    expect(output).toMatch(/^Error: Cannot use `kubectl edit`/);
    expect(readFrame(output, 't3').status).toBe('missing');
  });
});

describe('why the markers carry no $?', () => {
  it('kind expands $? on the host, so a failing read would claim rc=0', async () => {
    const output = await execShellIn('kind', 'ls /no/such/aoi-path 2>/dev/null; echo rc=$?');
    expect(output.trim()).toBe('rc=0');
    expect((await execShellIn('localhost', 'ls /no/such/aoi-path 2>/dev/null; echo rc=$?')).trim()).not.toBe(
      'rc=0',
    );
  });
});

describe('the shell prefixes and the block list', () => {
  it('recognises both failure prefixes', () => {
    expect(shellFailure('[ERROR] Command execution failed: boom\n')).toBe('boom');
    expect(shellFailure('[ERROR] Docker command execution failed: no daemon')).toBe('no daemon');
    expect(shellFailure('[ERROR] Command execution failed: ')).toMatch(/no error text/);
    expect(shellFailure('pods are fine')).toBeUndefined();
  });

  it.each(BLOCK_LIST)('never emits a command containing %j', (pattern) => {
    expect(() => execShell(`echo x; ${pattern} y`)).toThrow(/exec_shell refuses/);
    expect(writeCommand(['annotate', 'pod', 'p', `note=${pattern}`], 'w').ok).toBe(false);
  });

  it('refuses what the kind host shell would rewrite', () => {
    for (const command of ['echo $HOME', 'echo `id`', 'printf "a\\"b" x', 'echo a\\\\b'])
      expect(() => execShell(command), command).toThrow(/kind host shell/);
  });
});
