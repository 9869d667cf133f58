/**
 * What a reasoner takes and gives, shared by the reasoner backends and by whoever drives one (the incident
 * runner, the evolver's replay), so those callers need not import a backend.
 */
import type { TaskType } from './aiopslab.js';
import type { Diagnosis } from './diagnosis.js';
import type { Evidence } from './evidence.js';
import type { GuidanceHint } from './guidance.js';

export interface GuidanceNote {
  id: string;
  title: string;
  body: string;
  version?: number;
  /** How well the note's signals matched this incident's evidence (retrieval score, 0–1). */
  score?: number;
  hints?: GuidanceHint[];
}

export interface ReasonerInput {
  evidence: Evidence[];
  task?: TaskType;
  namespace?: string;
  guidance?: GuidanceNote[];
}

export type StepKind = 'model' | 'tool';

/** One model call or tool call, as recorded in the trajectory. */
export interface ReasonerStep {
  kind: StepKind;
  durationMs: number;
  tokens: { in: number; out: number };
  summary: string;
  /** Model calls: investigating with tools, or answering with the schema. */
  phase?: 'investigate' | 'answer';
  /** Model calls: the window asked for, and the prompt size aoi estimated before sending. */
  numCtx?: number;
  promptEstimate?: number;
  /** Tokens of thinking text (part of `tokens.out`, which is what the server counted). */
  thinkingTokens?: number;
  doneReason?: string;
  /** Which request fields were sent (format, tools, think), for the request-shape record. */
  sent?: string[];
}

/** Cluster text that reads like an instruction to the model, marked as untrusted input. */
export interface UntrustedInput {
  evidence: string;
  field: 'summary' | 'excerpt';
  reason: string;
}

export interface RejectedClaim {
  claim: string;
  reason: string;
}

export interface ReasonerResult {
  diagnosis: Diagnosis;
  steps: ReasonerStep[];
  tokens: { in: number; out: number };
  rejected: RejectedClaim[];
  /** What the trajectory should say besides the steps: skipped phases, shrunk evidence, fallbacks. */
  notes?: string[];
  untrusted?: UntrustedInput[];
  /** The backend whose diagnosis this is, when it differs from the reasoner's name (a fallback). */
  backend?: string;
}

/** The optional parts of a result, for the trajectory's reason step. */
export function reasoningExtras(r: ReasonerResult): Pick<ReasonerResult, 'notes' | 'untrusted' | 'backend'> {
  return {
    ...(r.notes?.length ? { notes: r.notes } : {}),
    ...(r.untrusted?.length ? { untrusted: r.untrusted } : {}),
    ...(r.backend === undefined ? {} : { backend: r.backend }),
  };
}

export interface Reasoner {
  readonly name: string;
  diagnose(input: ReasonerInput, options?: { signal?: AbortSignal }): Promise<ReasonerResult>;
}
