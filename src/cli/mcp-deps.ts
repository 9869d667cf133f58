/**
 * What each `aoi mcp` tool does, on one cluster target opened for the server's life. Everything reads,
 * except apply (present only with --allow-apply --policy P), which goes through the executor with an
 * approver that never approves: an action the policy wants approved is refused, never auto-approved.
 */
import { parseTarget } from '../alert/scope.js';
import { targetTrigger } from '../alert/trigger.js';
import type { ActionProposal } from '../core/actions.js';
import { AoiError } from '../core/errors.js';
import { simStateDir, statePaths } from '../core/state-dir.js';
import type { McpDeps } from '../mcp/server.js';
import { actionNamespace, decide } from '../executor/policy-engine.js';
import { observe } from '../observer/observe.js';
import type { DiagnoseContext } from './serve-diagnose.js';
import { diagnoseTriggered } from './serve-diagnose.js';
import { previewVerdict, readTargetFacts } from './policy-preview.js';

export interface McpSetup {
  context: DiagnoseContext;
  policyName: string;
  stateDir: string;
  /** A simulated cluster's writes (and audit log) live in the sim subtree. */
  simulated: boolean;
  allowApply: boolean;
  version: string;
}

async function verdictOf(setup: McpSetup, action: ActionProposal) {
  const [facts] = await readTargetFacts(setup.context.target.reader, [action]);
  return previewVerdict(action, 0, setup.context.policy, facts);
}

export function mcpDeps(setup: McpSetup): McpDeps {
  const { context } = setup;
  const auditPath = statePaths(setup.simulated ? simStateDir(setup.stateDir) : setup.stateDir).audit;
  const deps: McpDeps = {
    version: setup.version,
    async observe(namespace) {
      const ns = namespace ?? context.defaultNamespace;
      const t = context.target;
      const result = await observe(t.reader, {
        namespace: ns,
        maxEvidenceTokens: context.options.maxEvidenceTokens,
        ...(t.metrics === undefined ? {} : { metrics: t.metrics }),
        ...(t.traces === undefined ? {} : { traces: t.traces }),
        ...(t.telemetryVia === undefined ? {} : { telemetryVia: t.telemetryVia }),
      });
      if (!result.ok)
        throw new AoiError('cluster-unreachable', `could not observe ${ns}: ${result.error.message}`);
      const r = result.value;
      return {
        namespace: ns,
        incident: r.incident,
        evidence: r.evidence,
        coverage: r.coverage,
        stats: r.stats,
      };
    },
    diagnose({ namespace, target }) {
      const ns = namespace ?? context.defaultNamespace;
      const trigger =
        target === undefined
          ? { focus: { namespace: ns }, components: [], alert: null }
          : targetTrigger({ ...parseTarget(target), namespace: ns });
      return diagnoseTriggered(context, trigger);
    },
    explainPolicy(action) {
      const d = decide(action, context.policy, { namespace: actionNamespace(action), actionsSoFar: 0 });
      return { effect: d.effect, rule: d.ruleId, reason: d.reason, policy: setup.policyName };
    },
    async listRuns(limit) {
      const { loadRuns } = await import('../evolver/store.js');
      const runs = await loadRuns(context.trajectoriesDir);
      return runs
        .map((r) => r.summary)
        .reverse()
        .slice(0, limit);
    },
    async showRun(id) {
      const { findRun } = await import('./commands/runs.js');
      const run = await findRun(id, context.trajectoriesDir);
      return { ...run.summary, steps: run.steps };
    },
    async propose(action) {
      const policy = await verdictOf(setup, action);
      if (policy.effect === 'deny') return { policy, dryRun: null, applied: false };
      const [{ dryRunAction }, { dryRunDiff }] = await Promise.all([
        import('../executor/executor.js'),
        import('../executor/actions/dry-run-diff.js'),
      ]);
      // A server-side dry run (dryRun=All): the API server validates and answers, nothing is persisted.
      const outcome = await dryRunAction(await context.target.executorClients(), action);
      const diff = (dryRunDiff(action, outcome) ?? []).map((line) => `${line.sign} ${line.text}`);
      return {
        policy,
        dryRun: {
          ok: outcome.ok,
          ...(outcome.message === undefined ? {} : { message: outcome.message }),
          diff,
        },
        applied: false,
      };
    },
    async auditTail(count) {
      const { readAuditEntries } = await import('../executor/audit-log.js');
      return (await readAuditEntries(auditPath).catch(() => [])).slice(-count);
    },
  };
  if (setup.allowApply)
    deps.apply = async (action) => {
      const [{ execute }, { AuditLog }, { unattendedApprover }, { newIncidentId }] = await Promise.all([
        import('../executor/executor.js'),
        import('../executor/audit-log.js'),
        import('../executor/approval.js'),
        import('../incident/run-incident.js'),
      ]);
      const audit = await AuditLog.open(auditPath);
      try {
        const result = await execute(action, {
          policy: context.policy,
          approver: unattendedApprover,
          audit,
          clients: await context.target.executorClients(),
          runId: newIncidentId(),
          actor: 'aoi mcp',
        });
        const refused =
          result.status === 'notAsked'
            ? ' (the policy wants approval; aoi mcp never approves: use aoi act)'
            : '';
        return {
          status: result.status,
          message: `${result.message}${refused}`,
          ...(result.auditId === undefined ? {} : { auditId: result.auditId }),
        };
      } finally {
        await audit.close();
      }
    };
  return deps;
}
