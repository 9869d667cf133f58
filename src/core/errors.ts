export type AoiErrorCode =
  | 'usage'
  | 'config'
  | 'not-found'
  | 'io'
  | 'cluster-unreachable'
  | 'cluster-denied'
  | 'cluster-forbidden'
  | 'model-unavailable'
  | 'policy'
  | 'aborted'
  | 'internal';

export interface AoiErrorOptions {
  hint?: string;
  cause?: unknown;
  exitCode?: number;
}

/** The one error class thrown to the CLI edge; the CLI maps it to text and an exit code. */
export class AoiError extends Error {
  readonly code: AoiErrorCode;
  readonly hint?: string;
  readonly exitCode: number;

  constructor(code: AoiErrorCode, message: string, options: AoiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AoiError';
    this.code = code;
    if (options.hint !== undefined) this.hint = options.hint;
    this.exitCode = options.exitCode ?? 2;
  }
}

/** Results as values, for agents and tools that must not throw across their boundary. */
export type Failure = { code: string; message: string };
export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: string, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}
