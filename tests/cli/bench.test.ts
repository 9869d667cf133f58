import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnAoi } from './spawn-aoi.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;

function aoi(args: string[]) {
  return spawnAoi(['bench', ...args], dir, { timeoutMs: 120_000 });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-bench-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aoi bench', () => {
  it('prints a table per problem and a summary per task, and writes the JSON report', async () => {
    const json = join(dir, 'report.json');
    const result = await aoi([
      '--solver',
      'oracle',
      '--filter',
      '^k8s_target_port-misconfig-(detection|mitigation)-1$',
      '--json',
      json,
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^k8s_target_port-misconfig-detection-1\s+detection\s+1\/1\s+answered "Yes", expected Yes$/m,
    );
    expect(result.stdout).toMatch(
      /^k8s_target_port-misconfig-mitigation-1\s+mitigation\s+1\/1\s+targetPort \(strict\): passed$/m,
    );
    expect(result.stdout).toMatch(/^all\s+2\s+100\.0%\s+100\.0%/m);
    expect(result.stderr).toContain(
      'aoi bench: 2 problems × 1 attempts, solver oracle, strict mitigation checks',
    );
    const report = JSON.parse(await readFile(json, 'utf8')) as {
      records: { problemId: string; success: boolean }[];
    };
    expect(report.records.map((r) => [r.problemId, r.success])).toEqual([
      ['k8s_target_port-misconfig-detection-1', true],
      ['k8s_target_port-misconfig-mitigation-1', true],
    ]);
  });

  it('runs the aoi agent itself (the default solver) with the rules reasoner, one problem per task type', async () => {
    const result = await aoi([
      '--reasoner',
      'rules',
      '--filter',
      '^(noop_detection_hotel_reservation-1|k8s_target_port-misconfig-(localization|analysis|mitigation)-2)$',
      '--min-success',
      '100%',
    ]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toContain('solver aoi (reasoner rules, policy bench), strict mitigation checks');
    expect(result.stdout).toMatch(
      /^noop_detection_hotel_reservation-1\s+detection\s+1\/1\s+answered "No", expected No$/m,
    );
    expect(result.stdout).toMatch(
      /^k8s_target_port-misconfig-localization-2\s+localization\s+1\/1\s+answered \[text-service\]/m,
    );
    expect(result.stdout).toMatch(
      /^k8s_target_port-misconfig-mitigation-2\s+mitigation\s+1\/1\s+targetPort \(strict\): passed$/m,
    );
    const trajectories = await readdir(join(dir, 'state', 'trajectories'));
    expect(trajectories).toHaveLength(4);
  }, 120_000);

  it('runs shards I/N whose merged reports equal the whole run', async () => {
    const filter = [
      '--solver',
      'nothing',
      '--filter',
      '^k8s_target_port-misconfig-(detection|localization)-',
    ];
    const parts = [join(dir, 'shard-0.json'), join(dir, 'shard-1.json')];
    for (const [i, file] of parts.entries())
      expect((await aoi([...filter, '--shard', `${i}/2`, '--json', file])).exitCode).toBe(0);
    const merged = await aoi(['merge', ...parts, '--json', join(dir, 'merged.json')]);
    expect(merged.exitCode, merged.stderr).toBe(0);
    const whole = await aoi(filter);
    // Same rows (merged reports list problems by shard) and the same summary.
    // Times differ from run to run, and so does the width of the time column; everything else must match.
    const lines = (text: string) =>
      text
        .replace(/\d+ ms/g, 'N ms')
        .replace(/ {2,}/g, '  ')
        .split('\n')
        .sort();
    expect(lines(merged.stdout)).toEqual(lines(whole.stdout));
    expect((await aoi(['--solver', 'nothing', '--shard', '2/2'])).stderr).toMatch(/shard/i);
  }, 120_000);

  it('gates on --min-success with exit code 1, counting best@N over attempts', async () => {
    const result = await aoi([
      '--solver',
      'nothing',
      '--task',
      'analysis',
      '--filter',
      'wrong_bin',
      '--attempts',
      '2',
      '--min-success',
      '50%',
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^wrong_bin_usage-analysis-1\s+analysis\s+0\/2\s+invalid format/m);
    expect(result.stdout).toMatch(/^TASK\s+PROBLEMS\s+AVG@1\s+BEST@2/m);
    expect(result.stderr).toContain('avg@1 0.0% is below --min-success 50.0%');
  });

  it.each([
    [
      'an unknown solver',
      ['--solver', 'gpt'],
      /argument 'gpt' is invalid. Allowed choices are aoi, oracle, nothing/,
    ],
    [
      'a reasoner for a reference solver',
      ['--solver', 'oracle', '--reasoner', 'rules'],
      /--reasoner, --disable-rules and --guidance apply to the aoi solver, not oracle/,
    ],
    [
      'an unknown reasoner',
      ['--reasoner', 'gpt'],
      /argument 'gpt' is invalid. Allowed choices are auto, rules, ollama/,
    ],
    [
      'a bad regular expression',
      ['--solver', 'oracle', '--filter', '(('],
      /is not a valid regular expression/,
    ],
    [
      'a task that does not exist',
      ['--solver', 'oracle', '--task', 'triage'],
      /Allowed choices are detection, localization, analysis, mitigation/,
    ],
    ['zero attempts', ['--solver', 'oracle', '--attempts', '0'], /must be a whole number of at least 1/],
    [
      'a success rate above 100%',
      ['--solver', 'oracle', '--min-success', '120%'],
      /must be a fraction from 0 to 1 or a percentage/,
    ],
    [
      'a filter that matches nothing',
      ['--solver', 'oracle', '--filter', 'no-such-problem'],
      /aoi: error: no problem matches \(87 loaded\)/,
    ],
    [
      'a missing problems file',
      ['--solver', 'oracle', '--problems', '/nonexistent/problems.yaml'],
      /aoi: error: .*\/nonexistent\/problems\.yaml/,
    ],
  ])('rejects %s with exit code 2', async (_name, args, message) => {
    const result = await aoi(args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('names the file, entry and field of a malformed problem file', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      '- id: x-detection-1\n  app: hotel-reservation\n  task: detection\n  fault: { kind: no_such_fault, target: geo }\n  expect: { detection: "Yes" }\n',
    );
    const result = await aoi(['--solver', 'oracle', '--problems', file]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${file}: [0] (id x-detection-1): fault.kind`);
  });
});
