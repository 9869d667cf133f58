import { createHash } from 'node:crypto';
import type { PreImage } from './actions/types.js';

/** Fields of a pre-image that move without anyone changing the object (the server's counters, status). */
const VOLATILE = new Set(['resourceVersion', 'phase']);

/**
 * sha256 of an object's state as its action's pre-image reads it, minus volatile fields. Recorded right after
 * an apply, it tells a later rollback whether someone has changed the object since.
 */
export function imageDigest(image: PreImage): string {
  const stable = Object.fromEntries(Object.entries(image).filter(([k]) => !VOLATILE.has(k)));
  return createHash('sha256').update(canonical(stable)).digest('hex');
}

function canonical(value: unknown): string {
  return JSON.stringify(sorted(JSON.parse(JSON.stringify(value) ?? 'null')));
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sorted(v)]),
    );
  return value;
}
