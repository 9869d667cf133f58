/**
 * One mitigation write through the orchestrator's `exec_shell`, as the executor would do it on a direct
 * cluster: apply, then verify by reading the object back in a following step; retry once when the write
 * failed or the object does not show it. The write is framed (./orchestrator-shell.ts) so that its outcome
 * is readable in every `k8s_host` mode; the read-back decides, since a missing or garbled output proves
 * nothing either way.
 */
import type { ActionProposal } from '../core/actions.js';
import type { ClusterReader } from '../observer/cluster-reader.js';
import { shellCommand } from './api-call.js';
import { commandProblem, frame, readFrame } from './orchestrator-shell.js';
import type { ReadBack, ReadObject } from './verify-write.js';
import { needsBefore, readBackOf, writeShows } from './verify-write.js';

export interface RelayWriteDeps {
  /** Sends one command as the next `exec_shell` action and resolves with the orchestrator's output. */
  shell: (command: string) => Promise<string>;
  reader: ClusterReader;
  log: (line: string) => void;
}

export interface RelayWriteResult {
  verified: boolean;
  attempts: number;
  /** Failed attempts the agent noticed (the shell said so, or the read-back did not show the change). */
  failures: string[];
  detail: string;
}

const ATTEMPTS = 2;

/** The framed command for one write attempt, or why it cannot be sent through every orchestrator shell. */
export function writeCommand(
  argv: readonly string[],
  tag: string,
): { ok: true; command: string } | { ok: false; reason: string } {
  const command = frame(shellCommand('kubectl', argv), tag);
  const problem = commandProblem(command);
  return problem === undefined ? { ok: true, command } : { ok: false, reason: `not sent: ${problem}` };
}

async function readObject(reader: ClusterReader, target: ReadBack): Promise<ReadObject | { error: string }> {
  const got = await reader.get(target.kind, target.name, target.namespace);
  if (got.ok) return got.value as unknown as Record<string, unknown>;
  if (got.error.code === 'not-found') return 'absent';
  return { error: got.error.message };
}

const isError = (o: ReadObject | { error: string }): o is { error: string } =>
  typeof o === 'object' && 'error' in o;

export async function relayWrite(
  deps: RelayWriteDeps,
  action: ActionProposal,
  argv: readonly string[],
  tag: string,
  configText?: string,
): Promise<RelayWriteResult> {
  const target = readBackOf(action);
  const failures: string[] = [];
  let before: ReadObject | undefined;
  if (target && needsBefore(action)) {
    const read = await readObject(deps.reader, target);
    if (!isError(read)) before = read;
  }
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const sent = writeCommand(argv, `${tag}_a${attempt}`);
    if (!sent.ok)
      return { verified: false, attempts: attempt - 1, failures: [sent.reason], detail: sent.reason };
    const outcome = readFrame(await deps.shell(sent.command), `${tag}_a${attempt}`);
    const said = outcome.text.trim().slice(0, 300);
    deps.log(`write attempt ${attempt} ${outcome.status}${said ? `: ${said}` : ''}`);
    if (outcome.status !== 'ok') failures.push(`attempt ${attempt}: kubectl ${outcome.status}: ${said}`);
    if (!target) {
      if (outcome.status === 'ok')
        return {
          verified: true,
          attempts: attempt,
          failures,
          detail: 'kubectl reported success (no read-back)',
        };
      continue;
    }
    const after = await readObject(deps.reader, target);
    const verdict = isError(after)
      ? { ok: false as const, reason: `cannot read ${target.kind}/${target.name} back: ${after.error}` }
      : writeShows(action, after, {
          ...(before === undefined ? {} : { before }),
          ...(configText === undefined ? {} : { configText }),
        });
    if (verdict.ok) {
      deps.log(`read back ${target.kind}/${target.name}: ${verdict.note}`);
      return { verified: true, attempts: attempt, failures, detail: verdict.note };
    }
    deps.log(`read back ${target.kind}/${target.name}: ${verdict.reason}`);
    if (outcome.status === 'ok') failures.push(`attempt ${attempt}: read back: ${verdict.reason}`);
  }
  return { verified: false, attempts: ATTEMPTS, failures, detail: failures.at(-1) ?? 'not verified' };
}
