/**
 * The evolver's "done when": weaken the agent on purpose (log-text classification off), run the bench
 * in-process on a support split, evolve, and show query-split success going up because the promoted
 * guidance's hints did the work.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGuidance } from '../../src/core/guidance.js';
import { evolveCommand } from '../../src/cli/commands/evolve.js';
import { loadRuns } from '../../src/evolver/store.js';
import { captureIO } from '../cli/cli-harness.js';

let dir: string;

const bufferedIO = () => captureIO({ HOME: dir, OLLAMA_HOST: 'http://127.0.0.1:9' });

const SUPPORT = /^(revoke_auth|user_unregistered)_mongodb-analysis-1$/;
const QUERY = /^(revoke_auth|user_unregistered)_mongodb-analysis-2$/;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-evolve-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aoi evolve on a weakened agent', () => {
  it('mines the support failures, promotes guidance whose hints lift query success, and respects edits', async () => {
    const stateDir = join(dir, 'state');
    const first = bufferedIO();
    const code = await evolveCommand(
      { support: SUPPORT, query: QUERY, stateDir, disableRules: ['log-classification'], concurrency: 2 },
      first.io,
    );
    expect(code, first.err()).toBe(0);
    // Before/after figures, as the command prints them.
    console.log(first.out());
    expect(first.out()).toContain('support: 1/2 solved, 1 failure cluster(s) mined');
    expect(first.out()).toContain('query before: 1/2 (50.0%)');
    expect(first.out()).toContain('query after:  2/2 (100.0%)');
    expect(first.out()).toMatch(
      /^promoted\s+wrong-fault-type-autherrors-network-storage-issue\.md \(query 1 -> 2\)$/m,
    );

    // The guidance file: valid front matter, promoted, figures, and a hint built from evidence alone.
    const guidanceDir = join(stateDir, 'guidance');
    const file = join(guidanceDir, 'wrong-fault-type-autherrors-network-storage-issue.md');
    const text = await readFile(file, 'utf8');
    const { frontMatter } = parseGuidance(text, file);
    expect(frontMatter).toMatchObject({
      status: 'promoted',
      version: 1,
      signals: ['AuthErrors'],
      faultTypes: ['Network/Storage Issue'],
      support: { problems: 2, before: 1 },
      query: { problems: 2, before: 1, after: 2, regressions: 0 },
      hints: [
        {
          kind: 'classify',
          signals: ['AuthErrors'],
          logPattern: '\\bUserNotFound\\b',
          systemLevel: 'Application',
          faultType: 'Network/Storage Issue',
        },
      ],
    });
    expect(text).not.toMatch(/user_unregistered|revoke_auth|mongodb-(geo|rate)/);

    // The query run that succeeded did so because the hint applied, and its trajectory says which guidance.
    const runs = await loadRuns(join(stateDir, 'trajectories'));
    const lifted = runs.filter(
      (r) => r.summary.problemId === 'user_unregistered_mongodb-analysis-2' && r.summary.verdict?.success,
    );
    expect(lifted).toHaveLength(1);
    expect(lifted[0]!.summary.guidanceUsed).toEqual([frontMatter.id]);
    const reason = lifted[0]!.steps.find((s) => s.phase === 'reason')!;
    expect(JSON.stringify(reason.output)).toContain('guidance hints applied: classify');
    // Query problems were never used as supervision: the support run of the same fault failed without guidance.
    const failedSupport = runs.filter((r) => r.summary.problemId === 'user_unregistered_mongodb-analysis-1');
    expect(failedSupport.map((r) => r.summary.verdict?.success)).toEqual([false]);
    expect(frontMatter.createdFrom).toEqual(failedSupport.map((r) => r.summary.id));

    // A hand edit is respected: the next evolve writes a new version into a new file.
    await writeFile(file, text.replace('## Pitfalls', '## Pitfalls\n\n- Added by the on-call engineer.'));
    const second = bufferedIO();
    expect(
      await evolveCommand(
        { support: SUPPORT, query: QUERY, stateDir, disableRules: ['log-classification'], concurrency: 2 },
        second.io,
      ),
      second.err(),
    ).toBe(0);
    expect(await readFile(file, 'utf8')).toContain('Added by the on-call engineer.');
    // The promoted (edited) guidance already fixes the support split, so nothing new is mined.
    expect(second.out()).toContain('support: 2/2 solved, 0 failure cluster(s) mined');
    expect(second.out()).toContain('query before: 2/2 (100.0%)');
    expect((await readdir(guidanceDir)).filter((n) => n.endsWith('.md'))).toEqual([
      'wrong-fault-type-autherrors-network-storage-issue.md',
    ]);
  }, 120_000);
});
