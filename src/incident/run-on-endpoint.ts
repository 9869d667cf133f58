/**
 * One incident on an endpoint given by URL and tokens, the way `aoi bench` runs the agent: the chosen
 * reasoner, and for mitigation tasks the executor under a policy with pre-approval of what it marks
 * `approve` (a bench has nobody to ask). Everything else is the shared runner.
 */
import type { TaskType } from '../core/aiopslab.js';
import { preApprovedApprover } from '../executor/approval.js';
import { AuditLog } from '../executor/audit-log.js';
import { loadPolicy } from '../executor/load-policy.js';
import type { ChooseReasonerOptions, ReasonerChoice } from './choose-reasoner.js';
import { chooseReasoner } from './choose-reasoner.js';
import type { ApiEndpoint } from './endpoint.js';
import { executorOf, observerOf } from './endpoint.js';
import type { IncidentOptions, IncidentReport } from './run-incident.js';
import { runIncident } from './run-incident.js';

export interface EndpointRunOptions {
  endpoint: ApiEndpoint;
  namespace: string;
  task: TaskType;
  reasoner: {
    choice: ReasonerChoice;
    host: string;
    model: string;
    timeoutMs: number;
    maxSteps: number;
    rules?: NonNullable<ChooseReasonerOptions['rules']>;
  } & Pick<ChooseReasonerOptions, 'numCtx' | 'keepAlive' | 'rulesPrior'>;
  selectGuidance?: IncidentOptions['selectGuidance'];
  /** Act only when set: the policy (name or file) and the audit log path. */
  act?: { policy: string; auditPath: string; verifyTimeoutMs: number };
  record?: { dir: string; problemId?: string };
}

export async function runOnEndpoint(
  options: EndpointRunOptions,
): Promise<{ report: IncidentReport; reasoner: string }> {
  const { reader, metrics, traces } = observerOf(options.endpoint);
  const { reasoner } = await chooseReasoner(options.reasoner);
  let act;
  let audit: AuditLog | undefined;
  if (options.act) {
    // The policy first: a policy that does not load must not leave the audit log's file open behind it.
    // A policy written for benchmarks allows writes in this run's namespace only ({problemNamespace}).
    const policy = await loadPolicy(options.act.policy, undefined, { problemNamespace: options.namespace });
    audit = await AuditLog.open(options.act.auditPath);
    act = {
      policy,
      approver: preApprovedApprover(['*']),
      audit,
      clients: executorOf(options.endpoint),
    };
  }
  try {
    const report = await runIncident({
      reader,
      metrics,
      traces,
      namespace: options.namespace,
      task: options.task,
      reasoner,
      ...(options.selectGuidance === undefined ? {} : { selectGuidance: options.selectGuidance }),
      ...(act === undefined ? {} : { act }),
      verify: { timeoutMs: options.act?.verifyTimeoutMs ?? 60_000, pollMs: 1000 },
      ...(options.record === undefined
        ? {}
        : {
            record: {
              dir: options.record.dir,
              cluster: options.endpoint.url,
              ...(options.record.problemId === undefined ? {} : { problemId: options.record.problemId }),
            },
          }),
    });
    return { report, reasoner: reasoner.name };
  } finally {
    await audit?.close();
  }
}
