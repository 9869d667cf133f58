/**
 * Ctrl-C and SIGTERM during a command that writes: the first signal asks the run to stop (the step in
 * flight is finished and recorded, nothing new starts); a second one ends the process at once.
 */
import type { ActionProposal } from '../core/actions.js';
import { describeAction } from '../core/describe-action.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Shell convention: 128 + the signal number. */
export const SIGNAL_EXIT: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export interface Interrupts {
  /** Aborted with the signal's name as its reason. */
  signal: AbortSignal;
  received(): StopSignal | undefined;
  dispose(): void;
}

export function trapInterrupts(): Interrupts {
  const controller = new AbortController();
  let received: StopSignal | undefined;
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const handler = () => {
      if (received !== undefined) process.exit(SIGNAL_EXIT[received]);
      received = name;
      controller.abort(name);
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    received: () => received,
    dispose: () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}

export interface AppliedChange {
  action: ActionProposal;
  /** Audit seq of the apply entry. */
  auditId: number;
  verified: boolean;
}

/** What an interrupted run leaves behind: each applied change and the command that undoes it. */
export function interruptedLines(
  signal: StopSignal,
  applied: readonly AppliedChange[],
  rollbackFlags: readonly string[],
): string {
  const lines = [
    `aoi: interrupted by ${signal}; the step in flight was finished and recorded, nothing else ran`,
  ];
  if (applied.length === 0) lines.push('aoi: no change was applied');
  else {
    lines.push(`aoi: ${applied.length} change(s) applied by this run stay applied; to undo one:`);
    for (const change of applied)
      lines.push(
        `  ${describeAction(change.action)} (${change.verified ? 'verified' : 'not verified'}): aoi rollback ${[String(change.auditId), ...rollbackFlags].map(shellWord).join(' ')}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/** Quoted for a POSIX shell when it holds anything but safe characters. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
