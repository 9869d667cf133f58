import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { AoiError } from '../core/errors.js';
import { exitQuietlyOnBrokenPipe, processIO, quietStderr, takeVerbosity } from './io.js';
import { buildProgram } from './program.js';
import { fileSystemError, stateDirOf } from './state-dir-check.js';

/** Exit codes: 0 healthy / done, 1 incident found, 2 any error (usage, config, cluster, model, internal). */
export async function run(rawArgv: string[]): Promise<number> {
  const base = processIO();
  const { argv, verbosity } = takeVerbosity(rawArgv, (flag) => ownsFlag(buildProgram(base), rawArgv, flag));
  const io = verbosity === 'quiet' ? { ...base, stderr: quietStderr(base.stderr) } : base;
  const program = buildProgram(io);
  try {
    process.exitCode = 0;
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version requests end with exit code 0; usage errors were already printed by commander.
      return error.exitCode === 0 ? 0 : 2;
    }
    // A file-system error that escaped (an unwritable state dir, say) names its path, without a stack.
    const known =
      error instanceof AoiError
        ? error
        : fileSystemError(
            error,
            stateDirOf(argv, io.env),
            ownsFlag(program, argv, '--no-record') && !argv.includes('--no-record'),
          );
    if (known) {
      // The first line is the cause; further lines (e.g. one per invalid field) are indented under it.
      io.stderr.write(`aoi: error: ${known.message.replace(/\n/g, '\n    ')}\n`);
      if (known.hint) io.stderr.write(`  ${known.hint}\n`);
      if (verbosity === 'verbose' && known.cause !== undefined)
        io.stderr.write(
          `  cause: ${known.cause instanceof Error ? (known.cause.stack ?? known.cause.message) : JSON.stringify(known.cause)}\n`,
        );
      return known.exitCode;
    }
    io.stderr.write(
      `aoi: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 2;
  }
}

/** Whether the command named in argv declares `flag` itself (e.g. `aoi agent --quiet`). */
function ownsFlag(program: Command, argv: readonly string[], flag: string): boolean {
  let cmd = program;
  for (const arg of argv.slice(2)) {
    if (arg.startsWith('-')) continue;
    const sub = cmd.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!sub) break;
    cmd = sub;
  }
  return cmd.options.some((o) => o.long === flag || o.short === flag);
}

exitQuietlyOnBrokenPipe();
process.exitCode = await run(process.argv);
