/**
 * Guidance retrieval: the promoted notes whose signals best match an incident's evidence, scored and bounded.
 * The shape returned is what the reasoner takes as a guidance note.
 */
import type { Evidence } from '../core/evidence.js';
import type { Guidance, GuidanceHint } from '../core/guidance.js';

export interface RetrievedGuidance {
  id: string;
  title: string;
  body: string;
  version: number;
  score: number;
  hints: GuidanceHint[];
}

export interface RetrieveOptions {
  limit?: number;
  minScore?: number;
  /** Statuses to consider; by default promoted (and hand-written notes, which have no status). */
  statuses?: readonly string[];
}

const text = (ev: Evidence) => `${ev.summary}\n${ev.excerpt ?? ''}`;

function patternOf(source: string): RegExp | undefined {
  try {
    return new RegExp(source, 'i');
  } catch {
    return undefined;
  }
}

/** 0–1: the share of the note's signals present at warning or above, and whether its log patterns match. */
export function scoreGuidance(guidance: Guidance, evidence: readonly Evidence[]): number {
  const seen = new Set(evidence.filter((ev) => ev.severity !== 'info').map((ev) => ev.signal));
  const signals = guidance.frontMatter.signals;
  const signalShare = signals.filter((s) => seen.has(s)).length / signals.length;
  const patterns = (guidance.frontMatter.hints ?? [])
    .flatMap((h) => (h.kind === 'classify' && h.logPattern !== undefined ? [patternOf(h.logPattern)] : []))
    .filter((p): p is RegExp => p !== undefined);
  const patternShare =
    patterns.length === 0
      ? signalShare
      : patterns.some((p) => evidence.some((ev) => p.test(text(ev))))
        ? 1
        : 0;
  return Math.round((0.7 * signalShare + 0.3 * patternShare) * 1000) / 1000;
}

export function retrieveGuidance(
  library: readonly Guidance[],
  evidence: readonly Evidence[],
  options: RetrieveOptions = {},
): RetrievedGuidance[] {
  const statuses = options.statuses ?? ['promoted'];
  const minScore = options.minScore ?? 0.7;
  return library
    .filter((g) => g.frontMatter.status === undefined || statuses.includes(g.frontMatter.status))
    .map((g) => ({ g, score: scoreGuidance(g, evidence) }))
    .filter(({ score }) => score >= minScore)
    .sort((a, b) => b.score - a.score || a.g.frontMatter.id.localeCompare(b.g.frontMatter.id))
    .slice(0, options.limit ?? 3)
    .map(({ g, score }) => ({
      id: g.frontMatter.id,
      title: g.frontMatter.title,
      body: g.body,
      version: g.frontMatter.version,
      score,
      hints: g.frontMatter.hints ?? [],
    }));
}
