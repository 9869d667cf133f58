/**
 * The aoi agent as a bench solver: one incident run per problem through the shared runner, seeing only the
 * brief (namespace and task) and the cluster. Its answer is read off the diagnosis in AIOpsLab's submit forms;
 * for mitigation tasks it acts under the bench policy and submits once its fix verified or time ran out.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Diagnosis } from '../../../src/core/diagnosis.js';
import type { ChooseReasonerOptions, ReasonerChoice } from '../../../src/incident/choose-reasoner.js';
import type { IncidentOptions } from '../../../src/incident/run-incident.js';
import { runOnEndpoint } from '../../../src/incident/run-on-endpoint.js';
import type { TaskType } from '../../../src/core/aiopslab.js';
import { simStateDir } from '../../../src/core/state-dir.js';
import type { SolverFactory } from './types.js';

export interface AoiSolverOptions {
  reasoner: ReasonerChoice;
  ollama: { host: string; model: string; timeoutMs: number } & Pick<
    ChooseReasonerOptions,
    'numCtx' | 'keepAlive' | 'rulesPrior'
  >;
  maxSteps: number;
  policy: string;
  /** Trajectories go under it, per-run audit logs under its sim/ subtree. */
  stateDir: string;
  verifyTimeoutMs?: number;
  /** Rules-backend options, e.g. analyzer families switched off to weaken the agent on purpose. */
  rules?: NonNullable<ChooseReasonerOptions['rules']>;
  /** Guidance retrieval for each incident's evidence. */
  selectGuidance?: NonNullable<IncidentOptions['selectGuidance']>;
}

/** The diagnosis in the form AIOpsLab's `submit(...)` takes for each task. */
export function answerFor(task: TaskType, d: Diagnosis): unknown {
  switch (task) {
    case 'detection':
      return d.detected ? 'Yes' : 'No';
    case 'localization':
      return d.faultyComponents.slice(0, 1);
    case 'analysis':
      return d.rootCause ? { system_level: d.rootCause.systemLevel, fault_type: d.rootCause.faultType } : {};
    case 'mitigation':
      return undefined;
  }
}

export function aoiSolver(options: AoiSolverOptions): SolverFactory {
  return () => ({
    async solve(env) {
      const { brief } = env;
      const runId = `${brief.id}-${randomBytes(3).toString('hex')}`;
      const { report } = await runOnEndpoint({
        endpoint: env.apiServer,
        namespace: brief.namespace,
        task: brief.task,
        reasoner: {
          choice: options.reasoner,
          ...options.ollama,
          maxSteps: options.maxSteps,
          ...(options.rules === undefined ? {} : { rules: options.rules }),
        },
        ...(options.selectGuidance === undefined ? {} : { selectGuidance: options.selectGuidance }),
        ...(brief.task === 'mitigation'
          ? {
              act: {
                policy: options.policy,
                auditPath: join(simStateDir(options.stateDir), 'bench-audit', `${runId}.jsonl`),
                verifyTimeoutMs: options.verifyTimeoutMs ?? 60_000,
              },
            }
          : {}),
        record: { dir: join(options.stateDir, 'trajectories'), problemId: brief.id },
      });
      const reasoning = report.reasoning;
      return {
        answer: answerFor(brief.task, reasoning.diagnosis),
        steps: reasoning.steps.length + report.actions.length,
        inTokens: reasoning.tokens.in,
        outTokens: reasoning.tokens.out,
        ...(report.trajectoryPath === undefined
          ? {}
          : { trajectory: { id: report.id, path: report.trajectoryPath, status: report.status } }),
      };
    },
  });
}
