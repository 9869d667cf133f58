import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { AoiError } from '../../core/errors.js';
import { resolveStateDir, statePaths } from '../../core/state-dir.js';
import type { CliIO } from '../io.js';

interface VerifyOptions {
  file?: string;
}

export async function auditVerify(options: VerifyOptions, io: CliIO): Promise<number> {
  const file = options.file ?? statePaths(resolveStateDir(io.env)).audit;
  if (!existsSync(file)) throw new AoiError('not-found', `${file}: no audit log`);
  const { verifyAuditLog } = await import('../../executor/audit-log.js');
  const check = await verifyAuditLog(file);
  if (check.ok) {
    io.stdout.write(`${file}: ok: ${check.entries} entries, hash chain intact\n`);
    return 0;
  }
  io.stdout.write(`${file}: TAMPERED at seq ${check.seq}: ${check.reason}\n`);
  return 1;
}

export function registerAudit(program: Command, io: CliIO): void {
  const audit = program.command('audit').description('Inspect the executor audit log');
  audit
    .command('verify')
    .description('Check the hash chain of the audit log (exit 1 when tampered)')
    .option('--file <path>', 'audit log (default: <state dir>/audit.jsonl)')
    .action(async (options: VerifyOptions) => {
      process.exitCode = await auditVerify(options, io);
    });
}
