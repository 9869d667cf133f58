import { createInterface } from 'node:readline';
import type { ActionKind, ActionProposal } from '../core/actions.js';
import { dryRunDiff } from './actions/dry-run-diff.js';
import type { BlastRadius, DryRunOutcome } from './actions/types.js';
import type { Decision } from './policy-engine.js';

export interface ApprovalRequest {
  action: ActionProposal;
  decision: Decision;
  /** With the server's dry-run object (`object`) and the object it was compared with (`current`), when it gave one. */
  dryRun: DryRunOutcome;
  blastRadius: BlastRadius;
}

/** `not-asked`: nobody could be asked (no terminal, no --approve); recorded as such, never as a "no". */
export type ApprovalAnswer = 'approved' | 'rejected' | 'not-asked';

/** Asked only when the policy says `approve`; anything but an explicit yes is a rejection. */
export interface Approver {
  approve(request: ApprovalRequest): Promise<ApprovalAnswer>;
}

/** Says no to everything: for callers that must never act on an approve verdict. */
export const denyingApprover: Approver = {
  approve: () => Promise.resolve('rejected'),
};

/** No terminal and no --approve (CI, cron, a pipe): nothing that needs approval runs, and nobody said no. */
export const unattendedApprover: Approver = {
  approve: (request) => Promise.resolve(request.decision.effect === 'approve' ? 'not-asked' : 'rejected'),
};

/** `--approve KINDS`: approves what the policy marked `approve` for those kinds; never turns a deny around. */
export function preApprovedApprover(kinds: readonly (ActionKind | '*')[]): Approver {
  return {
    approve: (request) =>
      Promise.resolve(
        request.decision.effect === 'approve' && (kinds.includes('*') || kinds.includes(request.action.kind))
          ? 'approved'
          : 'rejected',
      ),
  };
}

/** Shows the request and reads one line; only "y" or "yes" approves, EOF or anything else rejects. */
export function promptApprover(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Approver {
  return {
    approve(request) {
      if (request.decision.effect !== 'approve') return Promise.resolve('rejected');
      output.write(describeRequest(request));
      return new Promise((resolve) => {
        const rl = createInterface({ input, output, terminal: false });
        let answered = false;
        rl.once('line', (line) => {
          answered = true;
          rl.close();
          resolve(/^\s*y(es)?\s*$/i.test(line) ? 'approved' : 'rejected');
        });
        rl.once('close', () => {
          if (!answered) resolve('rejected');
        });
        output.write('Apply? [y/N] ');
      });
    },
  };
}

/** Most diff lines the prompt shows; the rest is summarised as a count. */
const PROMPT_DIFF_LINES = 20;

export function describeRequest(request: ApprovalRequest): string {
  const { action, decision, dryRun, blastRadius } = request;
  const diff = dryRunDiff(action, dryRun)?.filter((l) => l.sign !== ' ');
  const shown = diff?.slice(0, PROMPT_DIFF_LINES) ?? [];
  return [
    `Action: ${JSON.stringify(action)}`,
    `Policy: ${decision.effect} (rule ${decision.ruleId ?? 'default'}): ${decision.reason}`,
    `Constraints checked: ${decision.constraints?.checked.join(', ') || 'none'}`,
    `Dry run: ${dryRun.ok ? 'ok' : 'failed'}${dryRun.message ? ` (${dryRun.message})` : ''}`,
    ...(diff
      ? [
          `Server dry run: ${diff.length === 0 ? 'no change to the fields this action sets' : 'the object would change'}`,
          ...shown.map((l) => `  ${l.sign} ${l.text}`),
          ...(diff.length > shown.length ? [`  … ${diff.length - shown.length} more line(s)`] : []),
        ]
      : []),
    `Touches: ${[...blastRadius.objects, ...blastRadius.pods.map((p) => `pod/${p}`)].join(', ') || 'nothing'}`,
    '',
  ].join('\n');
}
