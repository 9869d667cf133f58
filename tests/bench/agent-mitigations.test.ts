/**
 * The legitimate mitigations under the shipped bench policy and its content constraints (issue 21): the rules
 * agent must still fix every mitigation problem of the catalog, through policy, dry run, apply and verify.
 * The other 73 problems never write, so the constraints cannot change them; the full catalog is
 * `aoi bench --reasoner rules --min-success 100%`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadProblems } from '../../aiopslab-harness/bench/load-problems.js';
import { runBench } from '../../aiopslab-harness/bench/runner.js';
import { aoiSolver } from '../../aiopslab-harness/bench/solvers/aoi.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

it('fixes all 14 mitigation problems with the rules agent under the bench policy', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'aoi-agent-mitigations-'));
  dirs.push(stateDir);
  const problems = (await loadProblems()).filter((p) => p.task === 'mitigation');
  expect(problems).toHaveLength(14);
  const records = await runBench(
    problems,
    aoiSolver({
      reasoner: 'rules',
      ollama: { host: 'http://127.0.0.1:9', model: 'unused', timeoutMs: 1_000 },
      maxSteps: 8,
      policy: 'bench',
      stateDir,
    }),
    { attempts: 1, concurrency: 2, mode: 'strict' },
  );
  expect(
    records.filter((r) => !r.success).map((r) => `${r.problemId}: ${r.error ?? r.detail}`),
    'failed mitigations',
  ).toEqual([]);
  expect(records).toHaveLength(14);
  // A mitigation's simulated cluster runs in real time while its fix rolls out and is verified (about 17 s
  // each, two at a time, on an idle machine): the limit is for a machine shared with the rest of the suite.
}, 900_000);
