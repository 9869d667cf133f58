import { Command } from 'commander';
import type { CliIO } from './io.js';
import { registerAct } from './commands/act.js';
import { registerAgent } from './commands/agent.js';
import { registerAudit } from './commands/audit.js';
import { registerBench } from './commands/bench.js';
import { registerDiagnose } from './commands/diagnose.js';
import { registerEvolve } from './commands/evolve.js';
import { registerExport } from './commands/export.js';
import { registerGuidance } from './commands/guidance.js';
import { registerObserve } from './commands/observe.js';
import { registerPolicy } from './commands/policy.js';
import { registerReplay } from './commands/replay.js';
import { registerRollback } from './commands/rollback.js';
import { registerRuns } from './commands/runs.js';
import { registerServe } from './commands/serve.js';
import { registerMcp } from './commands/mcp.js';
import { registerSim } from './commands/sim.js';
import { registerSimProblems } from './commands/sim-problems.js';
import { registerTui } from './commands/tui.js';
import { registerConfig } from './commands/config.js';
import { registerRbac } from './commands/rbac.js';
import { registerCompletion } from './commands/completion.js';
import { applyHelpExamples } from './help-examples.js';
import { checkStateDirBeforeWrites } from './state-dir-check.js';
import { applyOutputFlags } from './output-flags.js';

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
  registerSimProblems(program, io);
  registerDiagnose(program, io);
  registerObserve(program, io);
  registerBench(program, io);
  registerPolicy(program, io);
  registerAudit(program, io);
  registerAct(program, io);
  registerRollback(program, io);
  registerRuns(program, io);
  registerReplay(program, io);
  registerEvolve(program, io);
  registerGuidance(program, io);
  registerExport(program, io);
  registerTui(program, io);
  registerConfig(program, io);
  registerRbac(program, io);
  registerCompletion(program, io);
  registerAgent(program, io);
  registerServe(program, io);
  registerMcp(program, io, VERSION);
  applyHelpExamples(program);
  applyOutputFlags(program);
  checkStateDirBeforeWrites(program, io.env);
  return program;
}
