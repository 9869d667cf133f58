/**
 * The closed loop without an evaluator: runs a person labelled (`aoi runs label`) are the ground truth. The
 * labelled runs are split by time; wrong ones among the older are mined into candidate guidance, and each
 * candidate is judged by replaying the newer labelled runs' recorded observations with and without it. Only
 * a candidate that fixes at least one held-out run and breaks none is promoted. Before learning, guidance
 * that runs later labelled wrong keep contradicting is retired, with the reason in its front matter.
 */
import type { Guidance } from '../core/guidance.js';
import type { Reasoner } from '../core/reasoner-contract.js';
import type { GuidanceFile } from './guidance-files.js';
import { draftFromCluster, loadGuidanceDir, saveDraft, updateStatus } from './guidance-files.js';
import type { FailureCluster, Supervision } from './mine.js';
import { mineFailures } from './mine.js';
import { mineIrrelevantReads } from './reads.js';
import type { Expectation } from './replay.js';
import { expectationOf, judge, replayRun } from './replay.js';
import type { LoadedRun } from './store.js';
import { isFailed, loadRuns } from './store.js';
import { isActive, usageOf } from './usage.js';

export interface LabelEvolveOptions {
  guidanceDir: string;
  trajectoriesDir: string;
  /** The reasoner replays run through (the rules backend, possibly weakened, or a model). */
  reasoner: Reasoner;
  /** Share of the labelled runs, newest first, held out for judging (default 0.5). */
  holdout?: number;
  /** Retire a promoted file once this many runs that used it were later labelled wrong (default 2). */
  retireAfter?: number;
  now?: () => Date;
  onProgress?: (line: string) => void;
}

export interface LabelCandidateResult {
  file: string;
  id: string;
  status: 'promoted' | 'retired' | 'candidate';
  fixed: string[];
  regressions: string[];
  edited?: boolean;
}

export interface RetiredFile {
  file: string;
  id: string;
  reason: string;
  /** Edited by hand: flagged only, left as it is. */
  edited?: boolean;
}

export interface LabelEvolveReport {
  labelled: number;
  learn: { runs: number; wrong: number; from?: string; to?: string };
  judge: {
    runs: number;
    before: number;
    after: number;
    solvedBefore: string[];
    solvedAfter: string[];
    from?: string;
  };
  clusters: FailureCluster[];
  candidates: LabelCandidateResult[];
  retired: RetiredFile[];
}

/** What the label says the answer should have been, in the miner's terms; none for a run labelled right. */
export function supervisionFromLabel(run: LoadedRun): Supervision | undefined {
  const label = run.summary.label;
  if (!label || label.verdict === 'right') return undefined;
  const systemLevel =
    label.systemLevel ?? (label.faultType ? run.diagnosis?.rootCause?.systemLevel : undefined);
  return {
    ...(label.rootCause === undefined ? {} : { faultyComponents: [label.rootCause] }),
    ...(label.faultType !== undefined && systemLevel !== undefined
      ? { systemLevel, faultType: label.faultType }
      : {}),
  };
}

interface Judged {
  run: LoadedRun;
  expected: Expectation;
}

async function solvedWith(
  judged: readonly Judged[],
  reasoner: Reasoner,
  library: readonly Guidance[],
): Promise<Set<string>> {
  const solved = new Set<string>();
  for (const { run, expected } of judged) {
    const { result } = await replayRun(run, reasoner, library);
    if (judge(result.diagnosis, expected)) solved.add(run.summary.id);
  }
  return solved;
}

const observed = (run: LoadedRun) => run.steps.some((s) => s.phase === 'observe' && run.evidence.length > 0);

async function retireContradicted(
  dir: string,
  files: readonly GuidanceFile[],
  runs: readonly LoadedRun[],
  threshold: number,
  now: Date,
): Promise<RetiredFile[]> {
  const retired: RetiredFile[] = [];
  for (const file of files.filter(isActive)) {
    const { contradicted } = usageOf(file, runs);
    if (contradicted.length < threshold) continue;
    const reason = `used in ${contradicted.length} run(s) later labelled wrong: ${contradicted.join(', ')}`;
    const updated = await updateStatus(dir, file, {
      status: 'retired',
      retiredAt: now.toISOString(),
      retiredReason: reason,
    });
    retired.push({
      file: file.file,
      id: file.guidance.frontMatter.id,
      reason,
      ...(updated ? {} : { edited: true }),
    });
  }
  return retired;
}

export async function evolveFromLabels(options: LabelEvolveOptions): Promise<LabelEvolveReport> {
  const say = options.onProgress ?? (() => undefined);
  const now = (options.now ?? (() => new Date()))();
  const runs = await loadRuns(options.trajectoriesDir);
  const loaded = await loadGuidanceDir(options.guidanceDir);
  const retired = await retireContradicted(
    options.guidanceDir,
    loaded.files,
    runs,
    options.retireAfter ?? 2,
    now,
  );
  for (const r of retired)
    say(`${r.edited ? 'flagged (edited by hand, left as it is)' : 'retired'} ${r.file}: ${r.reason}`);
  const { files: existing } = await loadGuidanceDir(options.guidanceDir);
  const promoted = existing.filter(isActive).map((f) => f.guidance);

  // Oldest first (loadRuns' order, ties by id): the newest share is held out for judging.
  const labelled = runs
    .filter((r) => r.summary.label !== undefined && observed(r))
    .sort(
      (a, b) =>
        a.summary.startedAt.localeCompare(b.summary.startedAt) || a.summary.id.localeCompare(b.summary.id),
    );
  const held = Math.min(labelled.length, Math.ceil(labelled.length * (options.holdout ?? 0.5)));
  const learn = labelled.slice(0, labelled.length - held);
  const judgeRuns = labelled.slice(labelled.length - held);
  const judged: Judged[] = judgeRuns.flatMap((run) => {
    const expected = expectationOf(run);
    return expected ? [{ run, expected }] : [];
  });
  const wrong = learn.filter((r) => isFailed(r.summary));
  // Wrong answers, and (from model runs) tool calls that read nothing the answer used.
  const clusters = [...mineFailures(learn, supervisionFromLabel), ...mineIrrelevantReads(learn)];
  say(
    `learn: ${learn.length} labelled run(s), ${wrong.length} wrong; ${clusters.length} failure cluster(s); judge on the newest ${judged.length}`,
  );

  const drafts: GuidanceFile[] = [];
  let known = existing;
  for (const cluster of clusters) {
    const draft = draftFromCluster(cluster, learn.length, learn.length - wrong.length);
    // A lesson already promoted or retired is not new: the same wrong runs are mined at every evolve.
    const settled = known.find(
      (f) =>
        f.guidance.frontMatter.id === draft.frontMatter.id &&
        (f.guidance.frontMatter.status === 'retired' || isActive(f)),
    );
    if (settled) {
      const status = settled.guidance.frontMatter.status ?? 'promoted';
      say(
        `skipped ${settled.file}: already ${status}${status === 'retired' ? ` (${settled.guidance.frontMatter.retiredReason ?? 'no reason given'})` : ''}`,
      );
      continue;
    }
    const saved = await saveDraft(options.guidanceDir, draft, known);
    drafts.push(saved);
    known = [...known.filter((f) => f.file !== saved.file), saved];
  }

  const before = await solvedWith(judged, options.reasoner, promoted);
  const candidates: LabelCandidateResult[] = [];
  const accepted: Guidance[] = [];
  for (const draft of drafts) {
    const trial: Guidance = {
      ...draft.guidance,
      frontMatter: { ...draft.guidance.frontMatter, status: 'promoted' },
    };
    const withIt = await solvedWith(judged, options.reasoner, [...promoted, trial]);
    const fixed = [...withIt].filter((id) => !before.has(id)).sort();
    const regressions = [...before].filter((id) => !withIt.has(id)).sort();
    const status = regressions.length > 0 ? 'retired' : fixed.length > 0 ? 'promoted' : 'candidate';
    say(`candidate ${draft.guidance.frontMatter.id}: fixes ${fixed.length}, breaks ${regressions.length}`);
    const stamp = now.toISOString();
    const updated = await updateStatus(options.guidanceDir, draft, {
      status,
      query: {
        problems: judged.length,
        before: before.size,
        after: withIt.size,
        regressions: regressions.length,
      },
      ...(status === 'promoted' ? { promotedAt: stamp, lastHelped: stamp } : {}),
      ...(status === 'retired'
        ? { retiredAt: stamp, retiredReason: `breaks held-out run(s) ${regressions.join(', ')}` }
        : {}),
    });
    candidates.push({
      file: draft.file,
      id: draft.guidance.frontMatter.id,
      status: updated ? status : 'candidate',
      fixed,
      regressions,
      ...(updated ? {} : { edited: true }),
    });
    if (updated && status === 'promoted') accepted.push(updated.guidance);
  }
  const after =
    accepted.length === 0 ? before : await solvedWith(judged, options.reasoner, [...promoted, ...accepted]);
  const span = (list: readonly LoadedRun[]) =>
    list.length === 0 ? {} : { from: list[0]!.summary.startedAt, to: list.at(-1)!.summary.startedAt };
  return {
    labelled: labelled.length,
    learn: { runs: learn.length, wrong: wrong.length, ...span(learn) },
    judge: {
      runs: judged.length,
      before: before.size,
      after: after.size,
      solvedBefore: [...before].sort(),
      solvedAfter: [...after].sort(),
      ...(judgeRuns.length === 0 ? {} : { from: judgeRuns[0]!.summary.startedAt }),
    },
    clusters,
    candidates,
    retired,
  };
}
