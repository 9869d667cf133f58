/**
 * What an unattended run (no terminal, no --approve) says about the actions it did not apply because the
 * policy wants a person's approval: what would have been applied, and how to approve it.
 */
import type { ActionProposal } from '../core/actions.js';
import { describeAction } from '../core/describe-action.js';

export interface NotAsked {
  action: ActionProposal;
  /** The server's dry-run note, when it gave one. */
  dryRun?: string;
}

export function notAskedLines(notAsked: readonly NotAsked[], howToApprove: string): string {
  if (notAsked.length === 0) return '';
  const lines = [
    `aoi: not applied: ${notAsked.length} action(s) need approval and there is no terminal to ask (recorded as not-asked):`,
  ];
  for (const n of notAsked)
    lines.push(`  would ${describeAction(n.action)}${n.dryRun ? ` (dry run: ${n.dryRun})` : ''}`);
  lines.push(`  To approve: ${howToApprove}`);
  return `${lines.join('\n')}\n`;
}
