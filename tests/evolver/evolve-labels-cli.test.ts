/** `aoi evolve`'s two paths: both splits (bench) or neither (labelled runs); one alone is a usage error. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evolveCommand } from '../../src/cli/commands/evolve.js';
import { AoiError } from '../../src/core/errors.js';
import { captureIO } from '../cli/cli-harness.js';

let dir: string;

const bufferedIO = () => captureIO({ HOME: dir });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-evolve-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aoi evolve paths', () => {
  it('refuses one split without the other, with a hint naming both ways', async () => {
    const error = await evolveCommand({ support: /x/, concurrency: 1 }, bufferedIO().io).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AoiError);
    expect((error as AoiError).message).toBe('--support needs --query too');
    expect((error as AoiError).hint).toContain('aoi runs label');
  });

  it('with no labelled runs says there is nothing to learn from and how to label', async () => {
    const { io, out } = bufferedIO();
    expect(await evolveCommand({ stateDir: join(dir, 'empty'), concurrency: 1 }, io)).toBe(0);
    expect(out()).toContain(
      'labelled runs: 0 (learn from the older 0, 0 of them wrong; judge on the newer 0)',
    );
    expect(out()).toContain(
      'nothing to learn from: label runs first, e.g. aoi runs label RUN --verdict wrong',
    );
  });
});
