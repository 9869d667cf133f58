import { CommanderError } from 'commander';
import { AoiError } from '../core/errors.js';
import { processIO } from './io.js';
import { buildProgram } from './program.js';

/** Exit codes: 0 healthy / done, 1 incident found, 2 any error (usage, config, cluster, model, internal). */
export async function run(argv: string[]): Promise<number> {
  const io = processIO();
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
    if (error instanceof AoiError) {
      io.stderr.write(`aoi: error: ${error.message}\n`);
      if (error.hint) io.stderr.write(`  ${error.hint}\n`);
      return error.exitCode;
    }
    io.stderr.write(
      `aoi: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 2;
  }
}

process.exitCode = await run(process.argv);
