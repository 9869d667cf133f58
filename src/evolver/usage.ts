/**
 * How guidance fared in real runs: the runs that retrieved it, which of them a person later labelled wrong
 * (a flag, and after enough of them a reason to retire it), and when it last helped.
 */
import type { GuidanceFile } from './guidance-files.js';
import type { LoadedRun } from './store.js';

export interface GuidanceUsage {
  /** Runs that retrieved this guidance, oldest first. */
  used: string[];
  /** Of those, runs started after it was promoted and labelled wrong or partial. */
  contradicted: string[];
  /** Of those, runs labelled right. */
  confirmed: string[];
  /** The latest of: its own lastHelped, the label time of a run that used it and was labelled right. */
  lastHelped?: string;
}

export function usageOf(file: GuidanceFile, runs: readonly LoadedRun[]): GuidanceUsage {
  const { id, promotedAt, lastHelped } = file.guidance.frontMatter;
  const users = runs.filter((r) => r.summary.guidanceUsed.includes(id));
  const since = promotedAt ?? '';
  const contradicted = users.filter(
    (r) =>
      r.summary.startedAt >= since && r.summary.label !== undefined && r.summary.label.verdict !== 'right',
  );
  const confirmed = users.filter((r) => r.summary.label?.verdict === 'right');
  const helped = [lastHelped, ...confirmed.map((r) => r.summary.label!.at)]
    .filter((t): t is string => t !== undefined)
    .sort()
    .at(-1);
  return {
    used: users.map((r) => r.summary.id),
    contradicted: contradicted.map((r) => r.summary.id),
    confirmed: confirmed.map((r) => r.summary.id),
    ...(helped === undefined ? {} : { lastHelped: helped }),
  };
}

export const isActive = (f: GuidanceFile) =>
  f.guidance.frontMatter.status === undefined || f.guidance.frontMatter.status === 'promoted';
