import { describe, expect, it } from 'vitest';
import { AoiError, fail, ok } from '../../src/core/errors.js';

describe('AoiError', () => {
  it('keeps code, hint, cause and a default exit code of 2', () => {
    const cause = new Error('EADDRINUSE');
    const error = new AoiError('usage', 'port in use', { hint: 'pick another', cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'AoiError',
      code: 'usage',
      message: 'port in use',
      hint: 'pick another',
    });
    expect(error.exitCode).toBe(2);
    expect(error.cause).toBe(cause);
  });

  it('leaves hint and cause unset when not given, and honours exitCode', () => {
    const error = new AoiError('internal', 'x', { exitCode: 3 });
    expect(error.exitCode).toBe(3);
    expect(error.hint).toBeUndefined();
    expect('cause' in error).toBe(false);
  });
});

describe('Result helpers', () => {
  it('builds both variants', () => {
    expect(ok(5)).toEqual({ ok: true, value: 5 });
    expect(fail('cluster-unreachable', 'connect ECONNREFUSED')).toEqual({
      ok: false,
      error: { code: 'cluster-unreachable', message: 'connect ECONNREFUSED' },
    });
  });
});
