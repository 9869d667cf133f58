/**
 * Replay: the recorded observation of a run reasoned about again, with no cluster. The observe step of every
 * trajectory holds the evidence the reasoner saw; the reason step the task; the header the namespace. Tools
 * that would read the cluster are not offered (there is none), so a model answers from the recorded evidence.
 */
import { z } from 'zod';
import { TaskType } from '../core/aiopslab.js';
import type { Diagnosis } from '../core/diagnosis.js';
import { AoiError } from '../core/errors.js';
import { Evidence } from '../core/evidence.js';
import type { Guidance } from '../core/guidance.js';
import type { Reasoner, ReasonerInput, ReasonerResult } from '../core/reasoner-contract.js';
import type { RetrievedGuidance } from './retrieve.js';
import { retrieveGuidance } from './retrieve.js';
import type { LoadedRun } from './store.js';

const Observed = z.object({ evidence: z.array(Evidence) });
const ReasonIn = z.object({ task: TaskType.nullable().optional() });

/** What the reasoner saw in the run, without guidance; an error when the run recorded no observation. */
export function replayInputOf(run: LoadedRun): ReasonerInput {
  const observe = run.steps.find((s) => s.phase === 'observe');
  const observed = Observed.safeParse(observe?.output);
  if (!observed.success)
    throw new AoiError('not-found', `run ${run.summary.id} recorded no observation to replay`, {
      hint: observe
        ? 'Its observe step failed (see `aoi runs show`); only runs that observed can be replayed.'
        : 'The run stopped before observing; only runs that observed can be replayed.',
    });
  const reason = ReasonIn.safeParse(run.steps.find((s) => s.phase === 'reason')?.input);
  const task = reason.success ? reason.data.task : undefined;
  const namespace = run.header.target.namespace;
  return {
    evidence: observed.data.evidence,
    ...(task ? { task } : {}),
    ...(namespace === undefined ? {} : { namespace }),
  };
}

export interface ReplayResult {
  result: ReasonerResult;
  guidanceUsed: RetrievedGuidance[];
}

/** Reasons over the run's recorded evidence again, with guidance retrieved from `library` as a run would. */
export async function replayRun(
  run: LoadedRun,
  reasoner: Reasoner,
  library: readonly Guidance[] = [],
): Promise<ReplayResult> {
  const input = replayInputOf(run);
  const guidanceUsed = library.length === 0 ? [] : retrieveGuidance(library, input.evidence);
  const result = await reasoner.diagnose({
    ...input,
    ...(guidanceUsed.length === 0 ? {} : { guidance: guidanceUsed }),
  });
  return { result, guidanceUsed };
}

/** What a person said the answer is; only the parts they gave (or, for "right", the run's own answer). */
export interface Expectation {
  component?: string;
  systemLevel?: string;
  faultType?: string;
}

/**
 * The truth for judging a replay, from the run's latest label: a "right" label confirms the recorded
 * diagnosis (with any field the person added); "wrong" and "partial" give only what the person named.
 * Undefined when there is nothing to judge by.
 */
export function expectationOf(run: LoadedRun): Expectation | undefined {
  const label = run.summary.label;
  if (!label) return undefined;
  const recorded: Expectation =
    label.verdict === 'right' && run.diagnosis?.detected
      ? {
          ...(run.diagnosis.faultyComponents[0] === undefined
            ? {}
            : { component: run.diagnosis.faultyComponents[0] }),
          ...(run.diagnosis.rootCause
            ? {
                systemLevel: run.diagnosis.rootCause.systemLevel,
                faultType: run.diagnosis.rootCause.faultType,
              }
            : {}),
        }
      : {};
  const expectation: Expectation = {
    ...recorded,
    ...(label.rootCause === undefined ? {} : { component: label.rootCause }),
    ...(label.systemLevel === undefined ? {} : { systemLevel: label.systemLevel }),
    ...(label.faultType === undefined ? {} : { faultType: label.faultType }),
  };
  return Object.keys(expectation).length === 0 ? undefined : expectation;
}

/** Right when the diagnosis names the expected root first and the expected level and type. */
export function judge(diagnosis: Diagnosis, expected: Expectation): boolean {
  if (!diagnosis.detected) return false;
  if (expected.component !== undefined && diagnosis.faultyComponents[0] !== expected.component) return false;
  const root = diagnosis.rootCause;
  if (expected.systemLevel !== undefined && root?.systemLevel !== expected.systemLevel) return false;
  if (expected.faultType !== undefined && root?.faultType !== expected.faultType) return false;
  return true;
}
