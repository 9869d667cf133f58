/**
 * A second analyzer family for the weakening experiments: with `blame-walk` off the rules stop following
 * blame edges and take a failing caller for the root. Engineers label those runs with the real cause, and
 * `aoi evolve` learns a preferCallee hint from them that the rules honour, on other databases in another
 * namespace too. In-process on the simulator, its clock driven by hand.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evolveCommand } from '../../src/cli/commands/evolve.js';
import { runsLabel } from '../../src/cli/commands/runs.js';
import { loadGuidanceDir } from '../../src/evolver/guidance-files.js';
import type { SimIncident } from './sim-incidents.js';
import { diagnoseSimIncident } from './sim-incidents.js';
import { captureIO } from '../cli/cli-harness.js';

let dir: string;

const bufferedIO = () => captureIO({ HOME: dir, AOI_USER: 'oncall', OLLAMA_HOST: 'http://127.0.0.1:9' });

const revoked = (target: string, namespace?: string): SimIncident => ({
  app: 'hotel-reservation',
  fault: 'revoke_auth_mongodb',
  target,
  ...(namespace ? { namespace } : {}),
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-blame-walk-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('blame-walk switched off', () => {
  it('blames the caller; labels teach preferCallee; the rules honour it on later incidents', async () => {
    const stateDir = join(dir, 'state');
    const trajectories = join(stateDir, 'trajectories');
    const weak = { disable: ['blame-walk'] as const };
    for (const [i, target] of ['mongodb-geo', 'mongodb-rate'].entries()) {
      const id = `inc-${i + 1}`;
      const r = await diagnoseSimIncident(revoked(target), { trajectories, id, ...weak });
      expect(r.reasoning.diagnosis.faultyComponents[0]).toBe(target.replace('mongodb-', ''));
      await runsLabel(id, { stateDir, verdict: 'wrong', rootCause: target }, bufferedIO().io);
    }
    const evolved = bufferedIO();
    expect(
      await evolveCommand({ stateDir, disableRules: ['blame-walk'], concurrency: 1 }, evolved.io),
      evolved.err(),
    ).toBe(0);
    console.log(`aoi evolve --disable-rules blame-walk:\n${evolved.out()}`);
    expect(evolved.out()).toContain('held-out before: 0/1 (0.0%)');
    expect(evolved.out()).toContain('held-out after:  1/1 (100.0%)');
    const { files } = await loadGuidanceDir(join(stateDir, 'guidance'));
    const promoted = files.filter((f) => f.guidance.frontMatter.status === 'promoted');
    expect(promoted).toHaveLength(1);
    expect(promoted[0]!.guidance.frontMatter.hints?.[0]?.kind).toBe('preferCallee');

    const library = promoted.map((f) => f.guidance);
    const later = revoked('mongodb-profile', 'payments-prod');
    const without = await diagnoseSimIncident(later, {
      trajectories: join(dir, 'scratch'),
      id: 'later-1',
      ...weak,
    });
    const withIt = await diagnoseSimIncident(later, { trajectories, id: 'later-2', ...weak, library });
    console.log(
      `revoke_auth_mongodb on mongodb-profile (payments-prod): without guidance ${without.reasoning.diagnosis.faultyComponents[0]}, with it ${withIt.reasoning.diagnosis.faultyComponents[0]}`,
    );
    expect(without.reasoning.diagnosis.faultyComponents[0]).toBe('profile');
    expect(withIt.reasoning.diagnosis.faultyComponents[0]).toBe('mongodb-profile');
  }, 120_000);
});
