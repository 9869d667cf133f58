/**
 * Deterministic noise for generated telemetry: every value is a pure function of a seed (a hash of the
 * series' labels) and a time bucket, so reading the same series twice gives the same numbers and nothing
 * is stored between requests.
 */

/** FNV-1a over a string (32 bits). */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Mixes two 32-bit numbers into a well-spread 32-bit hash. */
export function mix(a: number, b: number): number {
  let x = (a ^ Math.imul(b | 0, 0x9e3779b1)) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A number in [0, 1) from a seed and a bucket index. */
export function unit(seed: number, bucket: number): number {
  return mix(seed, bucket) / 4294967296;
}

/** A stable key for a label set, optionally leaving some labels out (e.g. `le`, so buckets share noise). */
export function labelKey(labels: Record<string, string>, omit: readonly string[] = []): string {
  return Object.keys(labels)
    .filter((k) => !omit.includes(k))
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

/** `n` hex digits from a seed. */
export function hex(seed: number, digits: number): string {
  let out = '';
  let state = seed;
  while (out.length < digits) {
    state = mix(state, out.length + 1);
    out += state.toString(16).padStart(8, '0');
  }
  return out.slice(0, digits);
}

/** The standard normal CDF (Abramowitz–Stegun 7.1.26 approximation of erf). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
