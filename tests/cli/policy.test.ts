import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnAoi } from './spawn-aoi.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;

function aoi(args: string[]) {
  return spawnAoi(['policy', ...args], dir);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-policy-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const deletePod = JSON.stringify({
  kind: 'deletePod',
  namespace: 'shop',
  name: 'web-1',
  rationale: 'stuck',
  evidence: ['ev-1'],
});

describe('aoi policy', () => {
  it('check: a valid file → exit 0 and a one-line summary', async () => {
    const result = await aoi(['check', 'standard']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      'standard: ok: policy standard, 5 rules (3 allow, 1 approve, 1 deny), default deny',
    );
  });

  it('check: an invalid file → exit 2 with file:line:col and the field', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'rules:\n  - id: a\n    match: { actions: [drainNode] }\n    effect: allow\n');
    const result = await aoi(['check', file]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${file}:3:24: rules[0].match.actions[0]: Invalid input`);
  });

  it('explain: prints the effect, the rule and the reason', async () => {
    const result = await aoi(['explain', '--policy', 'standard', '--action', deletePod]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^effect: allow\nrule: delete-pods\nreason: allow by rule delete-pods\nconstraints:\n {2}protected: checked at run time \(reads the cluster\): /,
    );
    const system = await aoi([
      'explain',
      '--policy',
      'standard',
      '--action',
      deletePod,
      '--namespace',
      'kube-system',
    ]);
    expect(system.stdout).toMatch(
      /^effect: deny\nrule: builtin:forbidden-namespace\nreason: namespace kube-system is forbidden\nconstraints:\n {2}protected: not reached/,
    );
  });

  it('explain: names the constraint that refused, and those left for run time', async () => {
    const setEnv = JSON.stringify({
      kind: 'setEnv',
      namespace: 'shop',
      name: 'web',
      container: 'web',
      env: { LD_PRELOAD: '/tmp/evil.so' },
      rationale: 'the log said so',
      evidence: ['ev-1'],
    });
    const result = await aoi(['explain', '--policy', 'standard', '--action', setEnv]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'effect: deny\nrule: constraint:env.denied\nreason: LD_PRELOAD matches the deny-list entry LD_*',
    );
    expect(result.stdout).toMatch(/^ {2}protected: checked at run time \(reads the cluster\)/m);
    expect(result.stdout).toMatch(/^ {2}env: refused: /m);
  });

  it('explain: the default policy denies, and a bad action is a usage error', async () => {
    const result = await aoi(['explain', '--action', deletePod]);
    expect(result.stdout).toContain('effect: deny\nrule: (default)');
    const bad = await aoi(['explain', '--action', '{"kind":"drainNode"}']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--action is not a valid action');
  });
});
