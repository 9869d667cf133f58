import { AoiError } from '../core/errors.js';

/**
 * fetch for ollama-js: a per-request timeout combined with the caller's signal (the library has no
 * per-request signal), and non-JSON error bodies rewritten as JSON because ollama-js console.logs
 * while reading them, which would corrupt our stdout.
 */
export function guardedFetch(timeoutMs: number, signal?: AbortSignal): typeof fetch {
  return async (input, init) => {
    const signals = [AbortSignal.timeout(timeoutMs)];
    if (init?.signal) signals.push(init.signal);
    if (signal) signals.push(signal);
    const response = await fetch(input, { ...init, signal: AbortSignal.any(signals) });
    if (response.ok || response.headers.get('content-type')?.includes('application/json')) return response;
    const text = await response.text().catch(() => '');
    return new Response(JSON.stringify({ error: text.trim() || `HTTP ${response.status}` }), {
      status: response.status,
      statusText: response.statusText,
      headers: { 'content-type': 'application/json' },
    });
  };
}

interface ResponseErrorLike {
  name: 'ResponseError';
  error: string;
  status_code: number;
}

function isResponseError(error: unknown): error is ResponseErrorLike {
  return (
    error instanceof Error &&
    error.name === 'ResponseError' &&
    typeof (error as Partial<ResponseErrorLike>).status_code === 'number'
  );
}

function isTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'TimeoutError' || (error.cause instanceof Error && error.cause.name === 'TimeoutError')
  );
}

export interface CallContext {
  host: string;
  model: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** Maps what ollama-js and fetch throw to the one error family the CLI knows. */
export function toAoiError(error: unknown, ctx: CallContext, phase: 'probe' | 'call' = 'call'): AoiError {
  if (error instanceof AoiError) return error;
  if (ctx.signal?.aborted) return new AoiError('internal', 'reasoning was cancelled', { cause: error });
  if (isTimeout(error)) {
    return new AoiError(
      'model-unavailable',
      `Ollama at ${ctx.host} did not answer within ${ctx.timeoutMs} ms`,
      {
        hint: 'Raise ollama.timeoutMs, use a smaller model, or use --reasoner rules.',
        cause: error,
      },
    );
  }
  // An HTTP error from the version probe means whatever answers is not a usable Ollama.
  if (isResponseError(error) && phase === 'call') {
    if (error.status_code === 404 || /not found/i.test(error.error)) {
      return new AoiError('model-unavailable', `model ${ctx.model} is not installed`, {
        hint: `ollama pull ${ctx.model}`,
        cause: error,
      });
    }
    return new AoiError(
      'model-unavailable',
      `Ollama at ${ctx.host} answered ${error.status_code}: ${error.error}`,
      {
        hint: 'Check `ollama serve` logs, or use --reasoner rules.',
        cause: error,
      },
    );
  }
  // ollama-js throws a plain Error for an `{"error": …}` object inside a stream (fetch failures are TypeErrors).
  if (phase === 'call' && error instanceof Error && error.constructor === Error) {
    return new AoiError(
      'model-unavailable',
      `Ollama at ${ctx.host} failed while answering: ${error.message}`,
      {
        hint: 'Check the `ollama serve` log (memory, GPU), try a smaller model or --num-ctx, or use --reasoner rules.',
        cause: error,
      },
    );
  }
  return new AoiError('model-unavailable', `Ollama is not reachable at ${ctx.host}`, {
    hint: 'Start it with `ollama serve`, set OLLAMA_HOST, or use --reasoner rules.',
    cause: error,
  });
}
