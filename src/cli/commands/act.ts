import type { Command } from 'commander';
import { Option } from 'commander';
import type { ActionProposal } from '../../core/actions.js';
import { describeAction } from '../../core/describe-action.js';
import { newRunId } from '../../core/run-id.js';
import { resolveStateDir, statePaths } from '../../core/state-dir.js';
import type { Approver } from '../../executor/approval.js';
import type { ExecutionResult } from '../../executor/executor.js';
import type { AppliedChange } from '../interrupts.js';
import type { CliIO } from '../io.js';

export interface ExecutorCliOptions {
  policy: string;
  approve?: boolean;
  kubeconfig?: string;
  context?: string;
  stateDir?: string;
  output: 'text' | 'json';
}

interface ActOptions extends ExecutorCliOptions {
  plan: string;
  dryRun?: boolean;
}

/** What an `approve` verdict is answered with: --approve, else a prompt on a terminal, else not asked. */
export async function chooseApprover(options: { approve?: boolean }, io: CliIO): Promise<Approver> {
  const { unattendedApprover, preApprovedApprover, promptApprover } =
    await import('../../executor/approval.js');
  if (options.approve) return preApprovedApprover(['*']);
  if (process.stdin.isTTY) return promptApprover(process.stdin, io.stderr);
  return unattendedApprover;
}

/** The flags `aoi rollback` needs to reach the same cluster, policy and audit log as this run. */
export function rollbackFlags(options: {
  policy: string;
  kubeconfig?: string;
  context?: string;
  stateDir?: string;
}): string[] {
  return [
    '--policy',
    options.policy,
    ...(options.kubeconfig === undefined ? [] : ['--kubeconfig', options.kubeconfig]),
    ...(options.context === undefined ? [] : ['--context', options.context]),
    ...(options.stateDir === undefined ? [] : ['--state-dir', options.stateDir]),
  ];
}

/** The executor's pieces for one run: policy, clients for the write context, the audit log in the state dir. */
export async function openExecutor(options: ExecutorCliOptions, io: CliIO) {
  const [{ loadPolicy }, { executorClients }, { AuditLog }] = await Promise.all([
    import('../../executor/load-policy.js'),
    import('../../executor/clients.js'),
    import('../../executor/audit-log.js'),
  ]);
  const policy = await loadPolicy(options.policy);
  const clients = executorClients(
    {
      ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
      ...(options.context === undefined ? {} : { context: options.context }),
    },
    io.env,
  );
  const approver = await chooseApprover(options, io);
  const audit = await AuditLog.open(statePaths(options.stateDir ?? resolveStateDir(io.env)).audit);
  return { policy, clients, approver, audit, runId: newRunId() };
}

export function targetOf(action: ActionProposal): string {
  if (action.kind === 'kubectl') return `kubectl ${action.argv.join(' ')}`.slice(0, 100);
  if (action.kind === 'releaseVolume')
    return `pv/${action.name} (claim ${action.claimNamespace}/${action.claim})`;
  return `${action.namespace}/${action.name}`;
}

interface Reported {
  index: number;
  kind: string;
  target: string;
  status: ExecutionResult['status'];
  policy: { effect: string; rule: string | null; reason: string; constraintsChecked?: string[] };
  dryRun: { ok: boolean; message?: string } | null;
  approval: 'not needed' | 'approved' | 'rejected' | 'not asked' | 'not asked (no terminal)';
  applied: boolean;
  verified: boolean;
  rolledBack: boolean;
  auditId: number | null;
  message: string;
}

function report(index: number, action: ActionProposal, r: ExecutionResult): Reported {
  const applied = r.auditId !== undefined;
  const asked = r.decision.effect === 'approve' && r.dryRun?.ok === true && r.status !== 'dryRunOnly';
  let message = r.message;
  if (r.status === 'notAsked')
    message = `not executed: the policy asks for approval and there is no terminal to ask; it would ${describeAction(action)}. Approve with --approve, or run on a terminal to be asked`;
  return {
    index,
    kind: action.kind,
    target: targetOf(action),
    status: r.status,
    policy: {
      effect: r.decision.effect,
      rule: r.decision.ruleId,
      reason: r.decision.reason,
      ...(r.decision.constraints ? { constraintsChecked: r.decision.constraints.checked } : {}),
    },
    dryRun: r.dryRun,
    approval:
      r.decision.effect !== 'approve'
        ? 'not needed'
        : r.status === 'notAsked'
          ? 'not asked (no terminal)'
          : !asked
            ? 'not asked'
            : r.status === 'rejected'
              ? 'rejected'
              : 'approved',
    applied,
    verified: r.status === 'verified',
    rolledBack: r.status === 'rolledBack',
    auditId: r.auditId ?? null,
    message,
  };
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

export function renderText(results: readonly Reported[], total: number): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`[${r.index + 1}/${total}] ${r.kind} ${r.target}: ${r.status}`);
    lines.push(`  policy:      ${r.policy.effect} (rule ${r.policy.rule ?? 'default'}): ${r.policy.reason}`);
    if (r.policy.constraintsChecked)
      lines.push(`  constraints: ${r.policy.constraintsChecked.join(', ') || 'none'} checked`);
    lines.push(
      `  dry run:     ${r.dryRun === null ? 'not run' : r.dryRun.ok ? 'ok' : 'failed'}${r.dryRun?.message ? `: ${r.dryRun.message}` : ''}`,
    );
    lines.push(`  approval:    ${r.approval}`);
    lines.push(`  applied:     ${yesNo(r.applied)}${r.auditId === null ? '' : ` (audit #${r.auditId})`}`);
    lines.push(`  verified:    ${yesNo(r.verified)}`);
    lines.push(`  rolled back: ${yesNo(r.rolledBack)}`);
    lines.push(`  ${r.message}`);
  }
  if (results.length < total) lines.push(`stopped: ${total - results.length} action(s) not run`);
  return `${lines.map(escapeControls).join('\n')}\n`;
}

/** A hostile message cannot forge lines of its own. */
export function escapeControls(text: string): string {
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    out += code < 0x20 ? JSON.stringify(c).slice(1, -1) : code === 0x7f ? '\\u007f' : c;
  }
  return out;
}

/** `aoi act`: run a plan's actions through the executor, stopping at the first that does not succeed. */
export async function act(options: ActOptions, io: CliIO): Promise<number> {
  const [{ loadPlan }, { execute }] = await Promise.all([
    import('../../executor/plan.js'),
    import('../../executor/executor.js'),
  ]);
  const plan = await loadPlan(options.plan);
  const { policy, clients, approver, audit, runId } = await openExecutor(options, io);
  const { trapInterrupts, interruptedLines, SIGNAL_EXIT } = await import('../interrupts.js');
  const interrupts = trapInterrupts();
  const results: Reported[] = [];
  const applied: AppliedChange[] = [];
  try {
    // The whole plan is decided before any of it runs: one refusal (alone or in combination) runs nothing.
    const { refusalsOf, auditRefusals } = await import('../../executor/plan-check.js');
    const refusals = await refusalsOf(plan.actions, policy, clients);
    await auditRefusals(refusals, audit, clients, runId);
    for (const { index, action, decision } of refusals)
      results.push(
        report(index, action, { status: 'denied', decision, dryRun: null, message: decision.reason }),
      );
    for (const [index, action] of (refusals.length > 0 ? [] : plan.actions).entries()) {
      const result = await execute(action, {
        policy,
        approver,
        audit,
        clients,
        runId,
        signal: interrupts.signal,
        incident: { actionsSoFar: index },
        ...(options.dryRun ? { dryRunOnly: true } : {}),
      });
      results.push(report(index, action, result));
      if ((result.status === 'aborted' || result.status === 'verified') && result.auditId !== undefined)
        applied.push({ action, auditId: result.auditId, verified: result.status === 'verified' });
      const ok = options.dryRun ? result.status === 'dryRunOnly' : result.status === 'verified';
      if (!ok) break;
    }
  } finally {
    interrupts.dispose();
    await audit.close();
  }
  const ok =
    results.length === plan.actions.length &&
    results.every((r) => r.status === (options.dryRun ? 'dryRunOnly' : 'verified'));
  io.stdout.write(
    options.output === 'json'
      ? `${JSON.stringify({ ok, audit: audit.path, results, notRun: plan.actions.length - results.length }, null, 2)}\n`
      : renderText(results, plan.actions.length),
  );
  const stoppedBy = interrupts.received();
  if (stoppedBy !== undefined) {
    io.stderr.write(interruptedLines(stoppedBy, applied, rollbackFlags(options)));
    return SIGNAL_EXIT[stoppedBy];
  }
  return ok ? 0 : 1;
}

export function executorOptions(command: Command): Command {
  return command
    .option('--policy <name|file>', 'shipped policy name or a policy file', 'default')
    .option('--approve', 'pre-approve what the policy marks `approve` (never what it denies)')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', "the executor's (write) context (default: the current one)")
    .option(
      '--state-dir <dir>',
      'state directory holding audit.jsonl (default: $AOI_STATE_DIR or ~/.local/state/aoi)',
    )
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'));
}

export function registerAct(program: Command, io: CliIO): void {
  const command = program
    .command('act')
    .description(
      'Run a plan of actions through the executor (policy, dry run, approval, apply, verify, rollback); exit 1 if any is refused or fails',
    )
    .requiredOption('--plan <file>', 'plan file (YAML or JSON): { version: 1, actions: [...] }')
    .option('--dry-run', 'stop every action after its server-side dry run');
  executorOptions(command)
    .addHelpText(
      'after',
      '\nExample:\n  aoi act --plan fix.yaml --policy standard --kubeconfig ~/.kube/config --context aoi-executor\n',
    )
    .action(async (options: ActOptions) => {
      process.exitCode = await act(options, io);
    });
}
