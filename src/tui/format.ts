/** Small text helpers for the TUI: durations, action descriptions and the local current-vs-proposed diff. */
import type { ActionProposal } from '../core/actions.js';
import { describeAction } from '../core/describe-action.js';
import type { AuditEntry } from '../core/audit.js';
import type { DiffLine } from '../executor/actions/dry-run-diff.js';
import { flatten } from '../executor/actions/dry-run-diff.js';

export type { DiffLine } from '../executor/actions/dry-run-diff.js';
export { dryRunDiff, flatten } from '../executor/actions/dry-run-diff.js';

export function formatDuration(ms: number): string {
  // Under 100 ms in ms, else seconds: keeps each timeline cell short enough for 80 columns.
  if (ms < 100) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** An action in one short line, for the TUI's 80-column lists. */
export function describeProposal(a: ActionProposal): string {
  return describeAction(a, 'brief');
}

const NOT_CHANGES = new Set(['kind', 'rationale', 'evidence', 'namespace', 'name', 'workload']);

/**
 * The local preview, when the server gave no dry-run object: for every field the action sets, the value in the
 * object as read now (its pre-image, `-`) and the proposed one (`+`); unchanged fields get a blank sign.
 */
export function diffLines(action: ActionProposal, current: Record<string, unknown> | undefined): DiffLine[] {
  const proposed = Object.fromEntries(Object.entries(action).filter(([k]) => !NOT_CHANGES.has(k)));
  const want = flatten(proposed);
  const have = current
    ? flatten(Object.fromEntries(Object.entries(current).filter(([k]) => k !== 'kind')))
    : undefined;
  const lines: DiffLine[] = [];
  for (const [path, value] of want) {
    const was = have?.get(path);
    if (was === value) lines.push({ sign: ' ', text: `${path}: ${value}` });
    else {
      if (was !== undefined) lines.push({ sign: '-', text: `${path}: ${was}` });
      lines.push({ sign: '+', text: `${path}: ${value}` });
    }
  }
  // Changes first: in a short panel the unchanged context is what gets cut.
  return [...lines.filter((l) => l.sign !== ' '), ...lines.filter((l) => l.sign === ' ')];
}

/** One audit line: `#12 apply patchService approved applied`. */
export function describeAuditEntry(entry: AuditEntry): string {
  const action = entry.action as { step?: unknown; proposal?: { kind?: unknown } } | null;
  const step = typeof action?.step === 'string' ? action.step : '?';
  const kind = typeof action?.proposal?.kind === 'string' ? action.proposal.kind : '';
  const result = entry.result
    ? `${entry.result.status}${entry.result.message ? `: ${entry.result.message}` : ''}`
    : 'ok';
  return `#${entry.seq} ${entry.at.slice(11, 19)} ${step.padEnd(8)} ${kind} ${entry.decision} ${result}`;
}
