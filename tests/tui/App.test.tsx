import { EventEmitter } from 'node:events';
import { render as inkRender } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/tui/App.js';
import { KEYS } from '../../src/tui/components/Help.js';
import { scriptedBackend } from './fixtures.js';

// eslint-disable-next-line no-control-regex
const plain = (text: string | undefined) => (text ?? '').replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
const ESC = '\u001b';
// Generous: the CI box is shared, and ink renders asynchronously.
const waitFor = <T,>(check: () => T) => vi.waitFor(check, { timeout: 5000, interval: 20 });

afterEach(() => {
  cleanup();
});

function start(options: { gate?: boolean; color?: boolean } = {}) {
  const scripted = scriptedBackend(options);
  const app = render(<App backend={scripted.backend} color={options.color ?? true} now={() => 0} />);
  const screen = () => plain(app.lastFrame());
  return { scripted, app, screen };
}

describe('tui App', () => {
  it('shows the timeline, evidence by severity with cited items marked, the diagnosis and the approval prompt', async () => {
    const { screen } = start();
    await waitFor(() => expect(screen()).toContain('APPROVE?'));
    const text = screen();
    // 100 columns (the testing library's terminal): wide enough for separators.
    expect(text).toMatch(/✓ observe 1\.2s 3 ev │ ✓ reason 3ms 1 step │ . act 0ms 0\/1 │ · verify/);
    // Critical first, then warning, then info; cited ones carry a star.
    expect(text.indexOf('ev-2')).toBeLessThan(text.indexOf('ev-1 '));
    expect(text).toContain('*ev-2  CRIT TargetPortMismatch Service/user');
    expect(text).toContain('*ev-1  WARN ErrorLogs');
    expect(text).toContain('  ev-3  info Pulled');
    expect(text).toContain('Diagnosis: user · Virtualization / Misconfiguration');
    expect(text).toContain('90% Service user targets the wrong port [*ev-2 *ev-1]');
    expect(text).toContain('1. patch service shop/user → 9090 → awaiting approval [approve]');
    expect(text).toContain('dry run ok: service/user ports would change; touches service/shop/user');
    await waitFor(() => expect(screen()).toContain('- ports[0].targetPort: 9999'));
    expect(screen()).toContain('+ ports[0].targetPort: 9090');
    await waitFor(() => expect(screen()).toContain('#1 04:00:00 policy   patchService approve'));
  });

  it('approves through the approver on "a" and shows the incident verified', async () => {
    const { scripted, app, screen } = start();
    await waitFor(() => expect(screen()).toContain('APPROVE?'));
    app.stdin.write('a');
    await waitFor(() => expect(screen()).toContain('RESOLVED: verified, incident cleared after 3 look(s)'));
    expect(scripted.answers).toEqual(['approved']);
    expect(screen()).toContain('✓ verify 5.0s 3 looks');
    expect(screen()).toContain('→ verified');
    expect(screen()).toContain('#2 04:00:00 apply    patchService approved applied');
  });

  it('rejects on "d": nothing applied, no verify phase', async () => {
    const { scripted, app, screen } = start();
    await waitFor(() => expect(screen()).toContain('APPROVE?'));
    app.stdin.write('d');
    await waitFor(() => expect(screen()).toContain('incident found; nothing applied'));
    expect(scripted.answers).toEqual(['rejected']);
    expect(screen()).toContain('→ rejected');
    expect(screen()).toContain('· verify');
  });

  it('re-runs on "r" once the run is over, and refuses while one is in progress', async () => {
    const { scripted, app, screen } = start({ gate: true });
    await waitFor(() => expect(scripted.release).toBeDefined());
    app.stdin.write('r');
    await waitFor(() => expect(screen()).toContain('a run is in progress'));
    expect(scripted.runs).toBe(1);
    scripted.release!();
    await waitFor(() => expect(screen()).toContain('APPROVE?'));
    app.stdin.write('a');
    await waitFor(() => expect(screen()).toContain('RESOLVED'));
    scripted.release = undefined;
    app.stdin.write('r');
    await waitFor(() => expect(scripted.runs).toBe(2));
    await waitFor(() => expect(screen()).toContain('aoi · run 2'));
    expect(screen()).toContain('· reason');
    scripted.release!();
    await waitFor(() => expect(screen()).toContain('APPROVE?'));
    app.stdin.write('n');
    await waitFor(() => expect(scripted.answers).toEqual(['approved', 'rejected']));
  });

  it('lists every key in the help overlay and closes it on escape', async () => {
    const { app, screen } = start();
    await waitFor(() => expect(screen()).toContain('APPROVE?'));
    app.stdin.write('?');
    await waitFor(() => expect(screen()).toContain('aoi tui · keys'));
    for (const k of KEYS) expect(screen()).toContain(k.keys);
    expect(screen()).not.toContain('Evidence (');
    app.stdin.write(ESC);
    await waitFor(() => expect(screen()).toContain('Evidence ('));
  });

  it('sorts evidence by id on "s", moves the selection and shows its excerpt', async () => {
    const { app, screen } = start();
    await waitFor(() => expect(screen()).toContain('APPROVE?'));
    app.stdin.write('d');
    await waitFor(() => expect(screen()).toContain('nothing applied'));
    app.stdin.write('\t');
    await waitFor(() => expect(screen()).toContain('Excerpt · ev-2 TargetPortMismatch (kubernetes)'));
    expect(screen()).toContain('ports 9090->9999; container port 9090');
    app.stdin.write('s');
    await waitFor(() => expect(screen()).toContain('Evidence (3, by id'));
    expect(screen()).toContain('Excerpt · ev-1 ErrorLogs (logs)');
    app.stdin.write('j');
    await waitFor(() => expect(screen()).toContain('Excerpt · ev-2'));
    app.stdin.write('v');
    await waitFor(() => expect(screen()).toContain('Dry run / diff · action 1'));
    expect(screen()).toContain('policy approve (needs-approval)');
  });

  it('rejects a pending approval when quitting with q or ctrl-c', async () => {
    for (const key of ['q', '\u0003']) {
      const { scripted, app, screen } = start();
      await waitFor(() => expect(screen()).toContain('APPROVE?'));
      app.stdin.write(key);
      await waitFor(() => expect(scripted.answers).toEqual(['rejected']));
      cleanup();
    }
  });

  it('writes no colour when colour is off (NO_COLOR)', async () => {
    const { app, screen } = start({ color: false });
    await waitFor(() => expect(screen()).toContain('APPROVE?'));
    app.stdin.write('a');
    await waitFor(() => expect(screen()).toContain('RESOLVED'));
    expect(app.frames.join('')).not.toMatch(new RegExp(`${ESC}\\[(3\\d|9\\d|4\\d|7)m`));
  });
});

class FakeStdout extends EventEmitter {
  frames: string[] = [];
  isTTY = true;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string) => {
    this.frames.push(frame);
    return true;
  };
}

class FakeStdin extends EventEmitter {
  isTTY = false;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => null;
}

describe('tui layout', () => {
  it('fits 80×24 and re-lays out on resize', async () => {
    const stdout = new FakeStdout(80, 24);
    const scripted = scriptedBackend();
    const instance = inkRender(<App backend={scripted.backend} color={false} now={() => 0} />, {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    });
    try {
      const last = () => plain(stdout.frames.at(-1));
      await waitFor(() => expect(last()).toContain('APPROVE?'));
      const lines = last().split('\n');
      expect(lines.length).toBeLessThanOrEqual(23);
      for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(80);
      expect(last()).toContain('Evidence (3');
      expect(last()).toContain('Audit tail');

      stdout.columns = 60;
      stdout.rows = 16;
      stdout.emit('resize');
      await waitFor(() => {
        const small = last().split('\n');
        expect(small.length).toBeLessThanOrEqual(15);
        for (const line of small) expect(stringWidth(line)).toBeLessThanOrEqual(60);
      });
      expect(last()).toContain('APPROVE?');
    } finally {
      instance.unmount();
      instance.cleanup();
    }
  });
});
