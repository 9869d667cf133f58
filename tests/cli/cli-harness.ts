/** Runs the command tree in-process with captured output (no subprocess: these commands touch no cluster). */
import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/cli/io.js';
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

/** An in-process CliIO whose output is kept, for calling a command's function directly. */
export function captureIO(env: NodeJS.ProcessEnv): { io: CliIO; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return {
    io: { stdout, stderr, env, untilInterrupted: () => new Promise<string>(() => undefined) },
    out: () => out,
    err: () => err,
  };
}
