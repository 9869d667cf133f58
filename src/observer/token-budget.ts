/**
 * Counts tokens with a real BPE tokenizer and fits ranked evidence into the reasoner's budget: critical and
 * error items always stay; lower items are shortened (excerpt first) or dropped when they do not fit.
 */
// cl100k_base: a close stand-in for the Llama/Qwen-class tokenizers Ollama models use, and smaller to load than o200k.
import { countTokens as bpeCount } from 'gpt-tokenizer/encoding/cl100k_base';
import type { Evidence } from '../core/evidence.js';

const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };
/** Shorter than this, an excerpt says too little to be worth its tokens. */
const MIN_EXCERPT = 40;
const ELLIPSIS = '…';

export function countTokens(text: string): number {
  return text === '' ? 0 : bpeCount(text, PLAIN_TEXT);
}

/** Tokens of the item's JSON, as the reasoner sees it. */
export function evidenceTokens(e: Evidence): number {
  return countTokens(JSON.stringify(e));
}

const mustKeep = (e: Evidence) => e.severity === 'critical' || e.severity === 'error';

function withoutExcerpt(e: Evidence): Evidence {
  const copy = { ...e };
  delete copy.excerpt;
  return copy;
}

/** The item with the longest excerpt prefix that fits in `room` tokens, or undefined if nothing fits. */
function shortened(e: Evidence, room: number, minExcerpt = MIN_EXCERPT): Evidence | undefined {
  const excerpt = e.excerpt;
  if (excerpt === undefined) return evidenceTokens(e) <= room ? e : undefined;
  const cut = (n: number): Evidence => ({ ...e, excerpt: excerpt.slice(0, n) + ELLIPSIS });
  let lo = 0;
  let hi = excerpt.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (evidenceTokens(cut(mid)) <= room) lo = mid;
    else hi = mid - 1;
  }
  if (lo >= minExcerpt && evidenceTokens(cut(lo)) <= room) return cut(lo);
  const bare = withoutExcerpt(e);
  return evidenceTokens(bare) <= room ? bare : undefined;
}

/**
 * Keeps `ranked` in order within `maxTokens`. Critical and error items are never dropped, so `tokens`
 * may exceed the budget; it then reports the overflow. Lower items get a shortened excerpt before they
 * are dropped, and if the must-keep items alone overflow, error (never critical) excerpts are shortened.
 */
export function fitToBudget(
  ranked: Evidence[],
  maxTokens: number,
): { kept: Evidence[]; dropped: Evidence[]; tokens: number } {
  const cost = ranked.map(evidenceTokens);
  let reserved = ranked.reduce((sum, e, i) => (mustKeep(e) ? sum + cost[i]! : sum), 0);
  let used = 0;
  const kept: Evidence[] = [];
  const dropped: Evidence[] = [];
  ranked.forEach((e, i) => {
    const t = cost[i]!;
    if (mustKeep(e)) {
      kept.push(e);
      used += t;
      reserved -= t;
      return;
    }
    const room = maxTokens - used - reserved;
    const fitted = t <= room ? e : shortened(e, room);
    if (fitted === undefined) {
      dropped.push(e);
      return;
    }
    kept.push(fitted);
    used += fitted === e ? t : evidenceTokens(fitted);
  });
  for (let i = kept.length - 1; i >= 0 && used > maxTokens; i--) {
    const e = kept[i]!;
    if (e.severity === 'critical' || e.excerpt === undefined) continue;
    const before = evidenceTokens(e);
    const after = shortened(e, Math.max(0, before - (used - maxTokens)), 0) ?? withoutExcerpt(e);
    kept[i] = after;
    used += evidenceTokens(after) - before;
  }
  return { kept, dropped, tokens: used };
}
