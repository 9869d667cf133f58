/**
 * Posts one JSON message to a chat webhook with bounded retries: network errors, timeouts, 429 and 5xx
 * are retried with exponential backoff (Slack answers 429 with Retry-After when rate limited:
 * https://api.slack.com/apis/rate-limits), any other status is final. The outcome is a value, never a
 * throw, and its text never holds the URL (webhook-url.ts).
 */
import { scrubUrl } from './webhook-url.js';

export interface DeliveryOptions {
  attempts?: number;
  /** First backoff; doubled on each retry, capped at maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Per attempt. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface Delivery {
  ok: boolean;
  attempts: number;
  /** The last HTTP status, when an answer came. */
  status?: number;
  /** Why it failed (URL scrubbed). */
  error?: string;
  durationMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const retryable = (status: number) => status === 429 || status === 408 || status >= 500;

function retryAfterMs(header: string | null, cap: number): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Math.min(Number(header) * 1000, cap);
}

export async function deliver(
  url: string,
  message: unknown,
  options: DeliveryOptions = {},
): Promise<Delivery> {
  const attempts = options.attempts ?? 4;
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 10_000;
  const started = performance.now();
  const body = JSON.stringify(message);
  let last: Omit<Delivery, 'attempts' | 'durationMs'> = { ok: false, error: 'not attempted' };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let wait = Math.min(base * 2 ** (attempt - 1), cap);
    try {
      const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        redirect: 'error',
        signal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout,
      });
      // Drained so the connection is reused or closed; the text is not logged (it may echo the request).
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok)
        return { ok: true, attempts: attempt, status: response.status, durationMs: elapsed(started) };
      last = { ok: false, status: response.status, error: `HTTP ${response.status}` };
      if (!retryable(response.status)) return { ...last, attempts: attempt, durationMs: elapsed(started) };
      wait = retryAfterMs(response.headers.get('retry-after'), cap) ?? wait;
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const text = `${(error as Error).name === 'TimeoutError' ? 'timed out' : (error as Error).message}${cause?.code ? ` (${cause.code})` : ''}`;
      last = { ok: false, error: scrubUrl(text, url) };
      if (options.signal?.aborted) return { ...last, attempts: attempt, durationMs: elapsed(started) };
    }
    if (attempt < attempts) await sleep(wait);
  }
  return { ...last, attempts, durationMs: elapsed(started) };
}

const elapsed = (started: number) => Math.round(performance.now() - started);
