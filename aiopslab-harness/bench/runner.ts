/** Runs problems through a solver on fresh simulated clusters and scores every attempt as AIOpsLab does. */
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { startEnvironment } from './environment.js';
import type { MitigationMode, RunRecord } from './evaluate.js';
import { scoreAnswer, scoreMitigation, simClusterState } from './evaluate.js';
import type { Problem } from './problem.js';
import type { ScoreResult } from './score.js';
import { solutionOf } from './submit-rule.js';
import type { SolverFactory, SolverOutput } from './solvers/types.js';
import { JsonlAppender } from '../../src/core/jsonl.js';
import { TrajectoryOutcome } from '../../src/core/trajectory.js';

/** The agent's own outcome has no score; a scored outcome line is the evaluator's verdict. */
const EVALUATOR_PREFIX = 'evaluator: ';

export interface AttemptRecord extends RunRecord {
  attempt: number;
  /** The problem's fault kind, for the per-kind rows (absent in reports written before they existed). */
  faultKind?: string;
  detail: string;
  invalidFormat?: boolean;
  /** Faithful mode: AIOpsLab's eval would have raised (its runner counts the attempt as failed). */
  evaluatorError?: boolean;
  /** Set when the solver or the environment failed; the attempt then counts as unsuccessful. */
  error?: string;
  /** The agent's trajectory, which carries the evaluator's verdict as its last outcome line. */
  trajectoryId?: string;
}

export interface BenchOptions {
  attempts: number;
  concurrency: number;
  mode: MitigationMode;
  onRecord?: (record: AttemptRecord) => void;
}

/** Deterministic per problem and attempt, so a failing attempt can be replayed. */
function seedOf(problemId: string, attempt: number): number {
  return createHash('sha256').update(`${problemId}#${attempt}`).digest().readUInt32BE(0);
}

export async function runAttempt(
  problem: Problem,
  factory: SolverFactory,
  attempt: number,
  mode: MitigationMode,
): Promise<AttemptRecord> {
  const base = {
    problemId: problem.id,
    task: problem.task,
    faultKind: problem.fault.kind,
    attempt,
    steps: 0,
    inTokens: 0,
    outTokens: 0,
    ttaMs: 0,
  };
  let env;
  try {
    env = await startEnvironment(problem, seedOf(problem.id, attempt));
  } catch (error) {
    return { ...base, success: false, detail: 'environment failed', error: messageOf(error) };
  }
  try {
    const solver = factory(problem);
    const started = performance.now();
    const output = await solver.solve({
      brief: env.brief,
      apiServer: {
        url: env.server.url,
        caPem: env.server.caPem,
        observerToken: env.server.tokens.observer,
        executorToken: env.server.tokens.executor,
      },
    });
    const ttaMs = Math.round(performance.now() - started);
    let score: ScoreResult;
    // As AIOpsLab does, the mitigation check runs as soon as the solver submits: waiting for its fix to
    // roll out is the solver's job.
    const stored = output.submitAction === undefined ? undefined : solutionOf(output.submitAction);
    if (stored !== undefined && !stored.ok) {
      score = { success: false, invalidFormat: true, detail: `invalid format: ${stored.reason}` };
    } else if (problem.task === 'mitigation') {
      score = await scoreMitigation(problem, simClusterState(env.cluster), mode);
    } else {
      score = scoreAnswer(problem, stored === undefined ? output.answer : stored.solution, mode);
    }
    const record: AttemptRecord = {
      ...base,
      steps: output.steps,
      inTokens: output.inTokens,
      outTokens: output.outTokens,
      ttaMs,
      success: score.success,
      detail: score.detail,
    };
    if (score.accuracy !== undefined) record.accuracy = score.accuracy;
    if (score.invalidFormat) record.invalidFormat = true;
    if (score.evaluatorError) record.evaluatorError = true;
    if (output.trajectory) {
      record.trajectoryId = output.trajectory.id;
      await appendVerdict(output.trajectory, score);
    }
    return record;
  } catch (error) {
    return { ...base, success: false, detail: 'solver failed', error: messageOf(error) };
  } finally {
    await env.close();
  }
}

/** Every problem × attempt, at most `concurrency` at once; records come back in problem order. */
export async function runBench(
  problems: readonly Problem[],
  factory: SolverFactory,
  options: BenchOptions,
): Promise<AttemptRecord[]> {
  const jobs = problems.flatMap((problem) =>
    Array.from({ length: options.attempts }, (_, i) => ({ problem, attempt: i + 1 })),
  );
  const results: AttemptRecord[] = new Array<AttemptRecord>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const index = next++;
      const job = jobs[index]!;
      const record = await runAttempt(job.problem, factory, job.attempt, options.mode);
      results[index] = record;
      options.onRecord?.(record);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, jobs.length)) }, worker));
  return results;
}

/**
 * The score is known only after the solver returns: append it as a second outcome line (append-only, so the
 * agent's own outcome stays in the file), marked by its `evaluator:` summary.
 */
async function appendVerdict(
  trajectory: NonNullable<SolverOutput['trajectory']>,
  score: ScoreResult,
): Promise<void> {
  const appender = await JsonlAppender.open(trajectory.path);
  try {
    await appender.append(
      TrajectoryOutcome.parse({
        type: 'outcome',
        status: trajectory.status,
        at: new Date().toISOString(),
        score: score.success ? 1 : 0,
        summary: `${EVALUATOR_PREFIX}${score.detail}`,
      }),
    );
    await appender.sync();
  } finally {
    await appender.close();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
