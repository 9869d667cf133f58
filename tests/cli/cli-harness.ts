/** Runs the command tree in-process with captured output (no subprocess: these commands touch no cluster). */
import { PassThrough } from 'node:stream';
import { buildProgram } from '../../src/cli/program.js';

export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const out = new PassThrough();
  const err = new PassThrough();
  out.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  err.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const program = buildProgram({
    stdout: out,
    stderr: err,
    env,
    untilInterrupted: () => new Promise(() => undefined),
  });
  process.exitCode = 0;
  let error: unknown;
  try {
    await program.parseAsync(['node', 'aoi', ...args]);
  } catch (e) {
    error = e;
  }
  const exitCode = process.exitCode;
  process.exitCode = 0;
  await new Promise((r) => setImmediate(r));
  return { stdout, stderr, exitCode, error };
}
