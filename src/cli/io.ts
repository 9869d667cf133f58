/** Where a command writes: machine output on stdout, progress and errors on stderr. Injected for tests. */
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user asks a long-running command to stop (SIGINT/SIGTERM in the real process). */
  untilInterrupted: () => Promise<string>;
}

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    untilInterrupted: () =>
      new Promise((resolve) => {
        const done = (signal: string) => {
          process.off('SIGINT', done);
          process.off('SIGTERM', done);
          resolve(signal);
        };
        process.on('SIGINT', done);
        process.on('SIGTERM', done);
      }),
  };
}

/**
 * A closed pipe (`aoi … | head -1`) is the reader saying it has enough, as for git and kubectl: stdout's EPIPE
 * ends the process quietly with the exit code so far; stderr's is ignored so the command's real output survives.
 */
export function exitQuietlyOnBrokenPipe(
  stdout: NodeJS.WritableStream = process.stdout,
  stderr: NodeJS.WritableStream = process.stderr,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  const isBrokenPipe = (error: NodeJS.ErrnoException) =>
    error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (!isBrokenPipe(error)) throw error;
    exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
  stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (!isBrokenPipe(error)) throw error;
  });
}

export type Verbosity = 'quiet' | 'normal' | 'verbose';

/**
 * `-q/--quiet` and `--verbose` work before or after any command: they are taken out of argv here (before
 * commander sees it) so every command honours them without declaring them. Arguments after `--` are left alone.
 */
export function takeVerbosity(
  argv: readonly string[],
  /** True when the command itself declares the flag (then it is left to the command). */
  owns: (flag: string) => boolean = () => false,
): { argv: string[]; verbosity: Verbosity } {
  const end = argv.indexOf('--');
  const head = end === -1 ? [...argv] : argv.slice(0, end);
  const tail = end === -1 ? [] : argv.slice(end);
  let verbosity: Verbosity = 'normal';
  const kept = head.filter((arg, i) => {
    if (i < 2 || owns(arg)) return true;
    if (arg === '-q' || arg === '--quiet') verbosity = 'quiet';
    else if (arg === '--verbose') verbosity = 'verbose';
    else return true;
    return false;
  });
  return { argv: [...kept, ...tail], verbosity };
}

/** Quiet: progress lines (`aoi: …` that are not errors) are dropped; errors and usage messages still show. */
export function quietStderr(stderr: NodeJS.WritableStream): NodeJS.WritableStream {
  const wrapper = Object.create(stderr) as NodeJS.WritableStream;
  wrapper.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    const kept = text
      .split(/(?<=\n)/)
      .filter((line) => !/^aoi: (?!error|internal error|warning)/.test(line))
      .join('');
    const callback = rest.find((r): r is () => void => typeof r === 'function');
    if (kept.length === 0) {
      callback?.();
      return true;
    }
    return stderr.write(kept, callback);
  };
  return wrapper;
}
