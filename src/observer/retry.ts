import type { Result } from '../core/errors.js';

export interface RetryPolicy {
  tries: number;
  baseMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { tries: 3, baseMs: 200 };

const RETRYABLE = new Set(['timeout', 'throttled', 'server']);

/** Runs `attempt` until it succeeds or fails with a code that is not worth retrying; backoff with jitter. */
export async function withRetry<T>(
  attempt: () => Promise<Result<T>>,
  policy: RetryPolicy = DEFAULT_RETRY,
  retryable: (code: string) => boolean = (code) => RETRYABLE.has(code),
): Promise<Result<T>> {
  let result = await attempt();
  for (let i = 1; i < policy.tries && !result.ok && retryable(result.error.code); i++) {
    const delay = policy.baseMs * 2 ** (i - 1) * (0.5 + Math.random());
    await new Promise((resolve) => setTimeout(resolve, delay));
    result = await attempt();
  }
  return result;
}
