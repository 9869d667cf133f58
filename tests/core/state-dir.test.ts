import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { resolveStateDir, statePaths } from '../../src/core/state-dir.js';

describe('resolveStateDir', () => {
  it.each([
    ['AOI_STATE_DIR', { AOI_STATE_DIR: '/s', XDG_STATE_HOME: '/x', HOME: '/h' }, '/s'],
    ['XDG_STATE_HOME', { AOI_STATE_DIR: '', XDG_STATE_HOME: '/x', HOME: '/h' }, '/x/aoi'],
    ['HOME', { XDG_STATE_HOME: '', HOME: '/h' }, '/h/.local/state/aoi'],
    ['os.homedir()', {}, `${homedir()}/.local/state/aoi`],
  ])('uses %s', (_label, env, expected) => {
    expect(resolveStateDir(env)).toBe(expected);
  });

  it('lays out the state dir', () => {
    expect(statePaths('/s')).toEqual({
      trajectories: '/s/trajectories',
      audit: '/s/audit.jsonl',
      guidance: '/s/guidance',
    });
  });
});
