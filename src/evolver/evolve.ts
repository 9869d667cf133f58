/**
 * The closed loop: run the support split, mine its failures into candidate guidance, then run the disjoint
 * query split with and without each candidate and promote only what raises query success with no query
 * problem regressing. Running a split is injected (the CLI runs the bench in-process), so this stays in core.
 */
import { join } from 'node:path';
import type { Guidance } from '../core/guidance.js';
import type { GuidanceFile } from './guidance-files.js';
import { draftFromCluster, loadGuidanceDir, saveDraft, updateStatus } from './guidance-files.js';
import type { FailureCluster, Supervision } from './mine.js';
import { mineFailures } from './mine.js';
import type { LoadedRun } from './store.js';
import { loadRun } from './store.js';

export interface SplitAttempt {
  problemId: string;
  success: boolean;
  trajectoryId?: string;
}

/** Runs every problem of a split once with this guidance library and returns the evaluator's verdicts. */
export type SplitRunner = (
  split: 'support' | 'query',
  library: readonly Guidance[],
) => Promise<SplitAttempt[]>;

export interface EvolveOptions {
  guidanceDir: string;
  trajectoriesDir: string;
  runSplit: SplitRunner;
  /** The evaluator's expected answers for SUPPORT problems only. */
  supervision: ReadonlyMap<string, Supervision>;
  onProgress?: (line: string) => void;
}

export interface CandidateResult {
  file: string;
  id: string;
  status: 'promoted' | 'retired' | 'candidate';
  queryAfter: number;
  regressions: string[];
  /** Set when the file was edited by hand, so its status was left as it was. */
  edited?: boolean;
}

export interface EvolveReport {
  support: { problems: number; solved: number; failed: number };
  clusters: FailureCluster[];
  query: { problems: number; before: number; after: number; solvedBefore: string[]; solvedAfter: string[] };
  candidates: CandidateResult[];
}

const solvedSet = (attempts: readonly SplitAttempt[]) =>
  new Set(attempts.filter((a) => a.success).map((a) => a.problemId));

const isActive = (f: GuidanceFile) =>
  f.guidance.frontMatter.status === undefined || f.guidance.frontMatter.status === 'promoted';

export async function evolve(options: EvolveOptions): Promise<EvolveReport> {
  const say = options.onProgress ?? (() => undefined);
  const { files: existing } = await loadGuidanceDir(options.guidanceDir);
  const promoted = existing.filter(isActive).map((f) => f.guidance);

  say(`support split: running with ${promoted.length} promoted guidance file(s)`);
  const support = await options.runSplit('support', promoted);
  const runs: LoadedRun[] = [];
  for (const a of support) {
    if (a.trajectoryId === undefined) continue;
    const run = await loadRun(join(options.trajectoriesDir, `${a.trajectoryId}.jsonl`)).catch(
      () => undefined,
    );
    if (run) runs.push(run);
  }
  const solvedSupport = solvedSet(support).size;
  const clusters = mineFailures(runs, options.supervision);
  say(`support split: ${solvedSupport}/${support.length} solved; ${clusters.length} failure cluster(s)`);

  const drafts: GuidanceFile[] = [];
  let known = existing;
  for (const cluster of clusters) {
    const saved = await saveDraft(
      options.guidanceDir,
      draftFromCluster(cluster, support.length, solvedSupport),
      known,
    );
    drafts.push(saved);
    known = [...known.filter((f) => f.file !== saved.file), saved];
  }

  say(`query split: baseline with ${promoted.length} promoted guidance file(s)`);
  const baseline = await options.runSplit('query', promoted);
  const before = solvedSet(baseline);
  const candidates: CandidateResult[] = [];
  const accepted: Guidance[] = [];
  let best = before;
  for (const draft of drafts) {
    say(`query split: with candidate ${draft.guidance.frontMatter.id}`);
    // On trial the candidate is retrieved as if promoted.
    const trial: Guidance = {
      ...draft.guidance,
      frontMatter: { ...draft.guidance.frontMatter, status: 'promoted' },
    };
    const withIt = solvedSet(await options.runSplit('query', [...promoted, trial]));
    const regressions = [...before].filter((p) => !withIt.has(p)).sort();
    const status = regressions.length > 0 ? 'retired' : withIt.size > before.size ? 'promoted' : 'candidate';
    const updated = await updateStatus(options.guidanceDir, draft, {
      status,
      query: {
        problems: baseline.length,
        before: before.size,
        after: withIt.size,
        regressions: regressions.length,
      },
    });
    const result: CandidateResult = {
      file: draft.file,
      id: draft.guidance.frontMatter.id,
      status: updated ? status : 'candidate',
      queryAfter: withIt.size,
      regressions,
      ...(updated ? {} : { edited: true }),
    };
    candidates.push(result);
    if (updated && status === 'promoted') {
      accepted.push(updated.guidance);
      if (withIt.size > best.size) best = withIt;
    }
  }
  // With several promotions the combined effect is measured once more; with one, its own run is the answer.
  const after =
    accepted.length > 1 ? solvedSet(await options.runSplit('query', [...promoted, ...accepted])) : best;
  return {
    support: { problems: support.length, solved: solvedSupport, failed: support.length - solvedSupport },
    clusters,
    query: {
      problems: baseline.length,
      before: before.size,
      after: after.size,
      solvedBefore: [...before].sort(),
      solvedAfter: [...after].sort(),
    },
    candidates,
  };
}
