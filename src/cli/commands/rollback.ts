import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { CliIO } from '../io.js';
import type { ExecutorCliOptions } from './act.js';
import { escapeControls, executorOptions, openExecutor, targetOf } from './act.js';

function parseId(value: string): number {
  if (!/^[1-9]\d{0,9}$/.test(value))
    throw new InvalidArgumentError('must be an audit id (a positive whole number).');
  return Number(value);
}

/** `aoi rollback ID`: restore the pre-image recorded by an applied action's audit entry. */
export async function rollbackCommand(id: number, options: ExecutorCliOptions, io: CliIO): Promise<number> {
  const { rollbackApplied } = await import('../../executor/rollback.js');
  const { policy, clients, approver, audit, runId } = await openExecutor(options, io);
  let result;
  try {
    result = await rollbackApplied(id, { policy, clients, approver, audit, runId });
  } finally {
    await audit.close();
  }
  if (options.output === 'json') {
    io.stdout.write(
      `${JSON.stringify(
        {
          ok: result.status === 'rolledBack',
          id,
          status: result.status,
          kind: result.action?.kind ?? null,
          target: result.action ? targetOf(result.action) : null,
          policy: result.decision
            ? { effect: result.decision.effect, rule: result.decision.ruleId, reason: result.decision.reason }
            : null,
          auditId: result.auditId ?? null,
          message: result.message,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    const what = result.action ? ` ${result.action.kind} ${targetOf(result.action)}` : '';
    const lines = [`rollback of audit #${id}${what}: ${result.status}`];
    if (result.decision)
      lines.push(
        `  policy: ${result.decision.effect} (rule ${result.decision.ruleId ?? 'default'}): ${result.decision.reason}`,
      );
    if (result.auditId !== undefined) lines.push(`  audit:  #${result.auditId}`);
    lines.push(`  ${result.message}`);
    io.stdout.write(`${lines.map(escapeControls).join('\n')}\n`);
  }
  return result.status === 'rolledBack' ? 0 : 1;
}

export function registerRollback(program: Command, io: CliIO): void {
  const command = program
    .command('rollback')
    .description(
      'Undo an applied action by the audit id of its apply step (`aoi act` prints it): restore its pre-image if the policy allows it and the object has not changed since; exit 1 when refused',
    )
    .argument('<id>', 'audit id (seq) of the apply entry', parseId);
  executorOptions(command).action(async (id: number, options: ExecutorCliOptions) => {
    process.exitCode = await rollbackCommand(id, options, io);
  });
}
