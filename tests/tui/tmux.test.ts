/**
 * The real binary in a real terminal: `aoi tui` against the simulator in a detached 80×24 tmux session,
 * read back with capture-pane. Skips only when tmux is not installed (.ci/run installs it).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_AOI_BIN } from '../built-aoi.js';

const BIN = BUILT_AOI_BIN;
const PROBLEM = 'k8s_target_port-misconfig-mitigation-1';
const hasTmux = await execa('tmux', ['-V'], { reject: false }).then(
  (r) => r.exitCode === 0,
  () => false,
);

// A private tmux server, so the test never touches the user's sessions.
const SOCKET = `aoi-tui-test-${process.pid}`;
const SESSION = 'aoi';
const tmux = (args: string[]) => execa('tmux', ['-L', SOCKET, ...args], { reject: false });

let dir: string;

async function screen(): Promise<string> {
  const r = await tmux(['capture-pane', '-p', '-t', SESSION]);
  return r.stdout;
}

/** Polls the pane until `done` holds, or fails with the last screen after `timeoutMs`. */
async function waitForScreen(
  done: (text: string) => boolean,
  timeoutMs: number,
  what: string,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await screen();
    if (done(text)) return text;
    await new Promise((r) => setTimeout(r, 400));
  }
  throw new Error(`timed out waiting for ${what}; last screen:\n${text}`);
}

/** The exit code, from the shell's line on the screen or, failing that, from tmux's record of the dead pane. */
async function waitForExit(timeoutMs: number): Promise<{ code: string; screen: string }> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await screen();
    const echoed = /aoi exited with (\d+)/.exec(text);
    if (echoed) return { code: echoed[1]!, screen: text };
    const r = await tmux(['display-message', '-p', '-t', SESSION, '#{pane_dead} #{pane_dead_status}']);
    const [dead, status] = r.stdout.trim().split(' ');
    if (dead === '1' && status) return { code: status, screen: text };
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out waiting for aoi to exit; last screen:\n${text}`);
}

describe.skipIf(!hasTmux)('aoi tui in tmux', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aoi-tui-tmux-'));
  });

  afterAll(async () => {
    await tmux(['kill-server']);
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the timeline, evidence and an approval prompt; approving resolves the incident', async () => {
    const command = [
      'env',
      `PATH=${process.env.PATH ?? ''}`,
      `HOME=${dir}`,
      `AOI_STATE_DIR=${join(dir, 'state')}`,
      'OLLAMA_HOST=http://127.0.0.1:9',
      'TERM=xterm-256color',
      // A developer's shell (or CI itself) may export CI; on a TTY aoi tui must still draw live frames.
      'CI=true',
      'CONTINUOUS_INTEGRATION=true',
      process.execPath,
      BIN,
      'tui',
      '--sim',
      PROBLEM,
      '--policy',
      'standard',
      '--reasoner',
      'rules',
    ];
    // The shell reports the exit code on the normal screen once the TUI has left the alternate one.
    const wrapped = ['sh', '-c', '"$@"; echo "aoi exited with $?"', 'sh', ...command];
    const started = await tmux(['new-session', '-d', '-s', SESSION, '-x', '80', '-y', '24', ...wrapped]);
    expect(started.exitCode, started.stderr).toBe(0);
    await tmux(['set-option', '-t', SESSION, 'remain-on-exit', 'on']);

    const prompt = await waitForScreen((t) => t.includes('APPROVE?'), 60_000, 'the approval prompt');
    expect(prompt).toMatch(/✓ observe \S+ \d+ ev {2}✓ reason \S+ 1 step {2}\S act /);
    expect(prompt).toContain('Evidence (');
    expect(prompt).toMatch(/\*ev-\d+ +CRIT TargetPortMismatch Service\/user-service/);
    expect(prompt).toContain('Diagnosis: user-service');
    expect(prompt).toContain('APPROVE? [a] yes  [d] no: patch service test-social-network/user-service');
    // The diff is the API server's dry-run object (spec.ports), not the proposal rendered locally.
    expect(prompt).toContain('Approval needed · action 1 · server dry run');
    expect(prompt).toMatch(/\+ spec\.ports\[0\]\.targetPort: \d+/);
    for (const line of prompt.split('\n')) expect(line.length).toBeLessThanOrEqual(80);

    await tmux(['send-keys', '-t', SESSION, 'a']);
    const final = await waitForScreen(
      (t) => /RESOLVED|failed:/.test(t),
      90_000,
      'the verification to finish',
    );
    if (process.env.AOI_SHOW_SCREEN) console.log(final);
    expect(final).toContain('RESOLVED: verified, incident cleared');
    expect(final).toMatch(/✓ verify \S+ \d+ looks?/);
    expect(final).toContain('→ verified');
    expect(final).toMatch(/apply +patchService approved applied/);

    await tmux(['send-keys', '-t', SESSION, 'q']);
    const exit = await waitForExit(30_000);
    expect(exit.code).toBe('0');
    // The alternate screen is gone: the terminal shows what it showed before, not the TUI.
    expect(exit.screen).not.toContain('Evidence (');
  }, 180_000);
});
