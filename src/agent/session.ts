/**
 * One AIOpsLab episode as seen from the agent: the shared incident runner drives it, and every read it makes
 * becomes the next action (through the relay runner). The session turns the orchestrator's call-and-answer
 * into a mailbox: the runner's relay waits for a `step`, and a `step` waits for the runner's next action.
 */
import { randomBytes } from 'node:crypto';
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { ActionProposal } from '../core/actions.js';
import type { Diagnosis } from '../core/diagnosis.js';
import type { Policy } from '../core/policy.js';
import { changeText, keyText } from '../executor/actions/config.js';
import { gatherContext } from '../executor/context.js';
import { refusalsOf } from '../executor/plan-check.js';
import { actionNamespace, decide } from '../executor/policy-engine.js';
import { runIncident } from '../incident/run-incident.js';
import type { ClusterReader } from '../observer/cluster-reader.js';
import { createKubectlReader } from '../observer/kubectl-reader.js';
import type { Pod } from '../observer/k8s-types.js';
import type { Reasoner } from '../reasoner/reasoner.js';
import type { Submission } from './api-call.js';
import { execShell, submit } from './api-call.js';
import { factClientsOver } from './relay-facts.js';
import { createRelayRunner } from './relay-runner.js';
import { relayWrite } from './relay-write.js';
import { configMapPatchArgv, renderKubectl } from './render-kubectl.js';
import type { ParsedProblem } from './task-description.js';

export interface AgentSessionOptions {
  /** Builds the reasoner once the relayed reader exists (Ollama's read tools go through it too). */
  reasoner: (reader: ClusterReader) => Promise<Reasoner>;
  policy: Policy;
  /** Treat the policy's `approve` as allow (nobody can be asked inside an episode); else it is a deny. */
  approve?: boolean;
  maxEvidenceTokens?: number;
  /** AIOpsLab's step limit; the last step is kept for the submit. */
  maxSteps?: number;
  /** After acting on a mitigation: how many times to look at the pods, and how long to wait between looks. */
  settle?: { rounds: number; pauseMs: number };
  log: (line: string) => void;
}

/** The output AIOpsLab appends to every input after the first; stripped before relaying. */
const NEXT_ACTION = /\s*Please take the next action\.?\s*$/i;

export function stripPrompt(input: string): string {
  return input.replace(NEXT_ACTION, '');
}

class StepBudgetSpent extends Error {}

export class AgentSession {
  private waiting: ((action: string) => void) | undefined;
  private queued: string | undefined;
  private reply: ((output: string) => void) | undefined;
  private final: string | undefined;
  private emitted = 0;
  private readonly maxSteps: number;
  private readonly nonce = randomBytes(4).toString('hex');
  /** Write attempts that failed (reported by the shell or not shown on read-back), retried or not. */
  private failedWrites = 0;
  /** Writes that never showed on the cluster; the submit reports them. */
  private readonly unverified: string[] = [];

  constructor(
    readonly problem: ParsedProblem,
    private readonly options: AgentSessionOptions,
  ) {
    this.maxSteps = options.maxSteps ?? 30;
    void this.drive();
  }

  /** Actions handed out so far. */
  get steps(): number {
    return this.emitted;
  }

  /** Write attempts that failed and were noticed. */
  get writeFailures(): number {
    return this.failedWrites;
  }

  /** The next action; `output` is the orchestrator's answer to the previous one (absent for the first). */
  next(output?: string): Promise<string> {
    const reply = this.reply;
    if (output !== undefined && reply) {
      this.reply = undefined;
      reply(stripPrompt(output));
    }
    return new Promise((resolve) => {
      const queued = this.queued ?? (this.reply === undefined ? this.final : undefined);
      if (queued !== undefined) {
        this.queued = undefined;
        this.emitted++;
        resolve(queued);
      } else
        this.waiting = (action) => {
          this.emitted++;
          resolve(action);
        };
    });
  }

  private deliver(action: string): void {
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting(action);
    } else this.queued = action;
  }

  /** Hands one action out and waits for the orchestrator's output. */
  private emit(action: string): Promise<string> {
    // The step after this one must still be free for the submit.
    if (this.emitted >= this.maxSteps - 1)
      return Promise.reject(new StepBudgetSpent(`step budget of ${this.maxSteps} spent`));
    return new Promise((resolve) => {
      this.reply = resolve;
      this.deliver(action);
    });
  }

  private shell(command: string): Promise<string> {
    this.options.log(`exec_shell: ${command.length > 300 ? `${command.slice(0, 300)}…` : command}`);
    return this.emit(execShell(command));
  }

  private async drive(): Promise<void> {
    const { task, namespace } = this.problem;
    const reader = createKubectlReader({
      runner: createRelayRunner((command) => this.shell(command), { nonce: this.nonce }),
      retry: { tries: 1, baseMs: 0 },
    });
    let answer: Submission;
    try {
      const reasoner = await this.options.reasoner(reader);
      const report = await runIncident({
        reader,
        ...(namespace === undefined ? {} : { namespace }),
        task,
        reasoner,
        ...(this.options.maxEvidenceTokens === undefined
          ? {}
          : { maxEvidenceTokens: this.options.maxEvidenceTokens }),
      });
      const d = report.reasoning.diagnosis;
      this.options.log(
        d.detected
          ? `diagnosis: ${d.faultyComponents.join(', ') || 'unknown component'}; ${d.rootCause?.summary ?? 'no root cause'}`
          : 'diagnosis: no fault found',
      );
      if (task === 'mitigation') await this.mitigate(d.proposals, reader);
      answer = this.answerFor(d);
    } catch (error) {
      this.options.log(`incident run failed: ${error instanceof Error ? error.message : String(error)}`);
      answer = this.fallback();
    }
    this.final = submit(answer, this.report());
    const call = this.final.split('\n').find((line) => line.startsWith('submit(')) ?? '';
    const noticed = this.failedWrites > 0 ? ` (${this.failedWrites} failed write attempts noticed)` : '';
    this.options.log(`submit: ${call}${noticed}`);
    this.deliver(this.final);
  }

  /** Text before the submit block (AIOpsLab's parser keeps it as context): writes that did not take. */
  private report(): string | undefined {
    if (this.unverified.length === 0) return undefined;
    return `The mitigation is NOT verified; these writes did not show on the cluster: ${this.unverified.join('; ')}`;
  }

  private answerFor(d: Diagnosis): Submission {
    switch (this.problem.task) {
      case 'detection':
        return { task: 'detection', anomaly: d.detected };
      case 'localization':
        // AIOpsLab scores 100 / len(list): one name, the most likely, scores best.
        return { task: 'localization', components: d.faultyComponents.slice(0, 1) };
      case 'analysis':
        if (d.rootCause)
          return { task: 'analysis', systemLevel: d.rootCause.systemLevel, faultType: d.rootCause.faultType };
        this.options.log('analysis: no root cause found; submitting the most common class');
        return this.fallback();
      case 'mitigation':
        return { task: 'mitigation' };
    }
  }

  /** An answer in the right form when the run failed: an empty submit would only cost more steps. */
  private fallback(): Submission {
    switch (this.problem.task) {
      case 'detection':
        return { task: 'detection', anomaly: true };
      case 'localization':
        return { task: 'localization', components: [] };
      case 'analysis':
        return { task: 'analysis', systemLevel: 'Application', faultType: 'Misconfiguration' };
      case 'mitigation':
        return { task: 'mitigation' };
    }
  }

  /**
   * The plan is decided whole first, on the cluster as the relayed reader shows it (the same content
   * constraints `aoi act` checks, read in one step): one refusal writes nothing. Then each allowed proposal is
   * written and read back (./relay-write.ts); the first write that does not show on the cluster after its
   * retry stops the plan, and the submit then says so in its text.
   */
  private async mitigate(proposals: readonly ActionProposal[], reader: ClusterReader): Promise<void> {
    const namespaces = [...new Set(proposals.flatMap((p) => actionNamespace(p) ?? []))];
    const facts = await factClientsOver(reader, namespaces);
    const refusals = await refusalsOf(proposals, this.options.policy, facts);
    for (const { index, action, decision } of refusals)
      this.options.log(
        `plan refused: action ${index + 1} (${action.kind}) denied (${decision.ruleId ?? 'no rule'}): ${decision.reason}`,
      );
    if (refusals.length > 0) return;
    let verified = 0;
    for (const [i, action] of proposals.entries()) {
      const decision = decide(
        action,
        this.options.policy,
        await gatherContext(action, facts, { actionsSoFar: i }),
      );
      const allowed = decision.effect === 'allow' || (decision.effect === 'approve' && this.options.approve);
      this.options.log(
        `policy ${decision.effect}${decision.ruleId ? ` (${decision.ruleId})` : ''} for ${action.kind}: ${decision.reason}`,
      );
      if (!allowed) continue;
      const argv = await this.argvFor(action, reader);
      if (!argv.ok) {
        this.options.log(`not emitted: ${argv.reason}`);
        continue;
      }
      const result = await relayWrite(
        { shell: (command) => this.shell(command), reader, log: this.options.log },
        action,
        argv.argv,
        `${this.nonce}_w${i}`,
        argv.configText,
      );
      this.failedWrites += result.failures.length;
      if (!result.verified) {
        this.unverified.push(
          `${action.kind} ${'name' in action ? action.name : ''}: ${result.detail}`.trim(),
        );
        this.options.log(`write not verified, stopping the plan: ${result.detail}`);
        break;
      }
      verified++;
    }
    if (verified > 0) await this.settle(reader);
  }

  private async argvFor(
    action: ActionProposal,
    reader: ClusterReader,
  ): Promise<{ ok: true; argv: string[]; configText?: string } | { ok: false; reason: string }> {
    if (action.kind !== 'setConfigValue') return renderKubectl(action);
    const cm = await reader.get('configmaps', action.name, action.namespace);
    if (!cm.ok) return { ok: false, reason: `cannot read configmap ${action.name}: ${cm.error.message}` };
    try {
      const { text, note } = changeText(
        action,
        keyText({ data: (cm.value as { data?: V1ConfigMap['data'] }).data ?? {} }, action),
      );
      this.options.log(note);
      return {
        ok: true,
        argv: configMapPatchArgv(action.namespace, action.name, action.key, text),
        configText: text,
      };
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
  }

  /** AIOpsLab checks the pods the moment we submit: wait (a few steps at most) until they look healthy. */
  private async settle(reader: ClusterReader): Promise<void> {
    const { rounds, pauseMs } = this.options.settle ?? { rounds: 5, pauseMs: 3000 };
    const namespace = this.problem.namespace;
    if (namespace === undefined) return;
    for (let round = 1; round <= rounds; round++) {
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      const pods = await reader.list('pods', namespace);
      if (!pods.ok) return;
      const unhealthy = (pods.value as Pod[]).filter((p) => !podOk(p)).map((p) => p.metadata?.name ?? '?');
      this.options.log(
        `settle ${round}/${rounds}: ${unhealthy.length} pod(s) not ready ${unhealthy.slice(0, 5).join(' ')}`,
      );
      if (unhealthy.length === 0) return;
    }
  }
}

/** AIOpsLab's "pods OK" for one pod: every container ready and none crash-looping or failed. */
function podOk(pod: Pod): boolean {
  if (pod.status?.phase === 'Succeeded') return true;
  const statuses = pod.status?.containerStatuses ?? [];
  if (statuses.length === 0) return pod.status?.phase !== 'Pending';
  return statuses.every(
    (s) =>
      s.ready === true &&
      s.state?.waiting?.reason !== 'CrashLoopBackOff' &&
      (s.state?.terminated === undefined || s.state.terminated.reason === 'Completed'),
  );
}
