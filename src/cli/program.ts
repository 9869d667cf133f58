import { Command } from 'commander';
import type { CliIO } from './io.js';
import { registerAct } from './commands/act.js';
import { registerAudit } from './commands/audit.js';
import { registerBench } from './commands/bench.js';
import { registerDiagnose } from './commands/diagnose.js';
import { registerObserve } from './commands/observe.js';
import { registerPolicy } from './commands/policy.js';
import { registerRollback } from './commands/rollback.js';
import { registerSim } from './commands/sim.js';

export const VERSION = '0.1.0';

/** The whole command tree; commander errors are thrown (exitOverride) so main decides the exit code. */
export function buildProgram(io: CliIO): Command {
  const program = new Command('aoi')
    .description('Secure multi-agent SRE operations: observe, reason, act, evolve')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  registerSim(program, io);
  registerDiagnose(program, io);
  registerObserve(program, io);
  registerBench(program, io);
  registerPolicy(program, io);
  registerAudit(program, io);
  registerAct(program, io);
  registerRollback(program, io);
  return program;
}
