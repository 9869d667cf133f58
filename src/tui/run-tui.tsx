/**
 * Puts the incident screen on the terminal: the alternate screen buffer while it runs (so quitting gives the
 * shell its screen back), raw-mode keys, and a cleanup that restores the cursor and the normal screen on every
 * exit path, including a thrown error and SIGTERM.
 */
import type { RunTracker } from './App.js';
import { loadInk } from './live-ink.js';
import type { TuiBackend } from './session.js';

export interface RunTuiOptions {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  color: boolean;
}

const ENTER_ALT = '\u001b[?1049h\u001b[H';
const LEAVE_ALT = '\u001b[?1049l';
const SHOW_CURSOR = '\u001b[?25h';

export async function runTui(backend: TuiBackend, options: RunTuiOptions): Promise<void> {
  // ink first, with CI hidden on a TTY (see live-ink.ts); the screen's modules import it after.
  const { render } = await loadInk(options.stdout);
  const { App } = await import('./App.js');
  const tracker: RunTracker = {};
  options.stdout.write(ENTER_ALT);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    options.stdout.write(`${SHOW_CURSOR}${LEAVE_ALT}`);
  };
  process.once('exit', restore);
  const app = render(<App backend={backend} color={options.color} tracker={tracker} />, {
    stdin: options.stdin,
    stdout: options.stdout,
    stderr: options.stderr,
    exitOnCtrlC: false,
    patchConsole: true,
  });
  const onTerm = () => app.unmount();
  process.once('SIGTERM', onTerm);
  try {
    await app.waitUntilExit();
  } finally {
    process.off('SIGTERM', onTerm);
    app.cleanup();
    restore();
    process.off('exit', restore);
  }
  // The run in flight was told to stop (approval rejected, signal aborted); let it finish its audit entries.
  await tracker.current;
}
