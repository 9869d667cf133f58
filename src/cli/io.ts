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
