/**
 * ink 6.8 decides "CI: final frame only" once, when is-in-ci is first evaluated. A fresh Node process per case
 * (the module is cached per process) checks what loadInk leaves ink with, and that the environment is restored.
 */
import { resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { inkDrawsLive } from '../../src/tui/live-ink.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SCRIPT = `
const { loadInk } = await import('./src/tui/live-ink.ts');
await loadInk({ isTTY: process.argv[1] === 'tty' });
const { default: isInCi } = await import('is-in-ci');
console.log(JSON.stringify({ isInCi, CI: process.env.CI ?? null, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION ?? null }));
`;

async function probe(stdout: 'tty' | 'pipe', env: Record<string, string>) {
  const r = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT, stdout], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    extendEnv: false,
  });
  return JSON.parse(r.stdout) as {
    isInCi: boolean;
    CI: string | null;
    CONTINUOUS_INTEGRATION: string | null;
  };
}

describe('loadInk', () => {
  it.each([
    ['tty', { CI: 'true' }, false],
    ['tty', { CONTINUOUS_INTEGRATION: '1', CI: '1' }, false],
    ['tty', {}, false],
    // Piped output (not a TTY) keeps ink's own CI behaviour.
    ['pipe', { CI: 'true' }, true],
  ] as const)(
    'stdout %s with %o: ink in CI mode = %s, env restored',
    async (stdout, env, ci) => {
      const seen = await probe(stdout, env);
      expect(seen).toEqual({
        isInCi: ci,
        CI: 'CI' in env ? env.CI : null,
        CONTINUOUS_INTEGRATION: 'CONTINUOUS_INTEGRATION' in env ? env.CONTINUOUS_INTEGRATION : null,
      });
    },
    30_000,
  );

  it('reads CI as is-in-ci does', () => {
    expect(inkDrawsLive({})).toBe(true);
    expect(inkDrawsLive({ CI: 'false' })).toBe(true);
    expect(inkDrawsLive({ CI: '0', CONTINUOUS_INTEGRATION: 'false' })).toBe(true);
    expect(inkDrawsLive({ CI: '' })).toBe(false);
    expect(inkDrawsLive({ CI: 'true' })).toBe(false);
    expect(inkDrawsLive({ CONTINUOUS_INTEGRATION: 'yes' })).toBe(false);
  });
});
