/**
 * A kubectl runner for the observer's kubectl reader that runs nothing itself: it hands each read to the
 * orchestrator as an `exec_shell` command and resolves with the output the next `step` brings back.
 *
 * Reads the observer starts together (one snapshot lists ten kinds at once, logs go eight at a time) are
 * batched into one command, so a snapshot costs a handful of steps, not one per kind (AIOpsLab stops an
 * episode after 30). Each read in a batch is framed (./orchestrator-shell.ts) by markers carrying a
 * per-session nonce and the read's index, with no `$` anywhere, so the outcome survives every `k8s_host`:
 *   echo AOI_N_r0_BEGIN; kubectl get pods -n ns --output json 2>&1 && echo AOI_N_r0_OK || echo AOI_N_r0_FAIL; …
 * Only argv the executor's classifier calls a read is relayed; anything else fails without leaving the agent.
 */
import { randomBytes } from 'node:crypto';
import { classifyKubectlArgv } from '../executor/kubectl-argv.js';
import type { KubectlRun, KubectlRunner } from '../observer/kubectl-reader.js';
import { shellCommand } from './api-call.js';
import { frame, readFrame } from './orchestrator-shell.js';

/** Sends one shell command to the orchestrator and resolves with what it printed. */
export type ShellRelay = (command: string) => Promise<string>;

/** Flags the kubectl reader adds for a direct run that mean nothing through the orchestrator's shell. */
const TRANSPORT_FLAGS = /^--(request-timeout|chunk-size)=/;

interface Pending {
  argv: string[];
  resolve: (run: KubectlRun) => void;
}

export interface RelayRunnerOptions {
  /** Most reads in one command (a snapshot lists 15 kinds after its pods); the orchestrator gives a command 30 s. */
  maxBatch?: number;
  nonce?: string;
}

const failed = (message: string): KubectlRun => ({
  exitCode: 1,
  stdout: '',
  stderr: message,
  timedOut: false,
});

/** Drops the warning lines kubectl may print (stderr, folded in) before a JSON document. */
function jsonOnly(text: string): string {
  const start = text.search(/^[{[]/m);
  return start > 0 ? text.slice(start) : text;
}

/** Splits one batch's output back into one run per read, by the markers. */
export function splitBatch(output: string, nonce: string, argvs: readonly string[][]): KubectlRun[] {
  return argvs.map((argv, i) => {
    const outcome = readFrame(output, `${nonce}_r${i}`);
    if (outcome.status === 'missing') return failed(outcome.text);
    if (outcome.status === 'failed') return failed(outcome.text || 'kubectl failed without a message');
    const json = argv.includes('json') ? jsonOnly(outcome.text) : outcome.text;
    return { exitCode: 0, stdout: json, stderr: '', timedOut: false };
  });
}

export function batchCommand(argvs: readonly string[][], nonce: string): string {
  return argvs.map((argv, i) => frame(shellCommand('kubectl', argv), `${nonce}_r${i}`)).join('; ');
}

export function createRelayRunner(relay: ShellRelay, options: RelayRunnerOptions = {}): KubectlRunner {
  const nonce = options.nonce ?? randomBytes(4).toString('hex');
  const maxBatch = options.maxBatch ?? 16;
  let pending: Pending[] = [];
  let scheduled = false;
  // One command in flight at a time: the orchestrator answers steps in order.
  let chain: Promise<void> = Promise.resolve();

  async function send(batch: Pending[]): Promise<void> {
    const argvs = batch.map((p) => p.argv);
    let output: string;
    try {
      output = await relay(batchCommand(argvs, nonce));
    } catch (error) {
      for (const p of batch) p.resolve(failed(error instanceof Error ? error.message : String(error)));
      return;
    }
    splitBatch(output, nonce, argvs).forEach((run, i) => batch[i]?.resolve(run));
  }

  function flush(): void {
    scheduled = false;
    const all = pending;
    pending = [];
    for (let i = 0; i < all.length; i += maxBatch) {
      const batch = all.slice(i, i + maxBatch);
      chain = chain.then(() => send(batch));
    }
  }

  return (argv) =>
    new Promise<KubectlRun>((resolve) => {
      const relayed = argv.filter((a) => !TRANSPORT_FLAGS.test(a));
      const verdict = classifyKubectlArgv(relayed);
      if (!verdict.ok) return resolve(failed(`refused to relay: ${verdict.reason}`));
      if (verdict.write)
        return resolve(failed(`refused to relay a write (${verdict.verb}) as an observer read`));
      pending.push({ argv: relayed, resolve });
      if (!scheduled) {
        scheduled = true;
        // After every read started in this turn of the event loop has queued itself.
        setImmediate(flush);
      }
    });
}
