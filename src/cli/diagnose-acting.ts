/**
 * What `aoi diagnose --apply` adds around an incident run: the approver (--approve, a prompt on a terminal,
 * else nobody to ask), the audit log (the sim subtree's for --sim), and what is said when the run is
 * interrupted or an action waits for an approval nobody could give.
 */
import type { Policy } from '../core/policy.js';
import { resolveStateDir, simStateDir, statePaths } from '../core/state-dir.js';
import type { AuditLog } from '../executor/audit-log.js';
import type { IncidentEvent, IncidentOptions } from '../incident/run-incident.js';
import type { ClusterTarget } from './cluster-target.js';
import type { IncidentCliOptions } from './incident-setup.js';
import type { AppliedChange } from './interrupts.js';
import type { CliIO } from './io.js';
import type { NotAsked } from './unattended.js';
import { notAskedLines } from './unattended.js';

export interface DiagnoseActing {
  act: NonNullable<IncidentOptions['act']>;
  /** Call with every incident event: it keeps what was applied and what was not asked. */
  onEvent(event: IncidentEvent): void;
  applied: AppliedChange[];
  /** Where `aoi rollback` must look: the flags that reach this run's cluster, policy and audit log. */
  rollbackFlags: string[];
  /** Says on stderr what was not applied for want of an approver, and how to approve it. */
  reportNotAsked(): void;
  close(): Promise<void>;
}

interface ActingFlags extends IncidentCliOptions {
  approve?: boolean;
  kubeconfig?: string;
  context?: string;
  executorContext?: string;
}

export async function prepareActing(
  options: ActingFlags,
  target: ClusterTarget,
  policy: { policy: Policy; name: string },
  io: CliIO,
): Promise<DiagnoseActing> {
  const [{ AuditLog }, approval, clients] = await Promise.all([
    import('../executor/audit-log.js'),
    import('../executor/approval.js'),
    target.executorClients(),
  ]);
  const stdin = process.stdin as NodeJS.ReadStream;
  const approver = options.approve
    ? approval.preApprovedApprover(['*'])
    : stdin.isTTY
      ? approval.promptApprover(stdin, io.stderr)
      : approval.unattendedApprover;
  const stateDir = options.stateDir ?? resolveStateDir(io.env);
  // A simulated cluster's writes go to the sim subtree's log, never the real one.
  const auditDir = options.sim === undefined ? stateDir : simStateDir(stateDir);
  const audit: AuditLog = await AuditLog.open(statePaths(auditDir).audit);
  const applied: AppliedChange[] = [];
  const notAsked: NotAsked[] = [];
  const context = options.executorContext ?? options.context;
  return {
    act: { policy: policy.policy, approver, audit, clients },
    applied,
    rollbackFlags: [
      '--policy',
      policy.name,
      ...(options.kubeconfig === undefined ? [] : ['--kubeconfig', options.kubeconfig]),
      ...(context === undefined ? [] : ['--context', context]),
      ...(options.stateDir === undefined && options.sim === undefined ? [] : ['--state-dir', auditDir]),
    ],
    onEvent(event) {
      if (event.type !== 'action') return;
      const { proposal, result } = event;
      if (result.auditId !== undefined && (result.status === 'verified' || result.status === 'aborted'))
        applied.push({ action: proposal, auditId: result.auditId, verified: result.status === 'verified' });
      if (result.status === 'notAsked')
        notAsked.push({
          action: proposal,
          ...(result.dryRun?.message ? { dryRun: result.dryRun.message } : {}),
        });
    },
    reportNotAsked() {
      io.stderr.write(
        notAskedLines(
          notAsked,
          'rerun with --approve (approves what the policy marks approve, never a deny), or on a terminal with -i to approve each by key',
        ),
      );
    },
    close: () => audit.close(),
  };
}
