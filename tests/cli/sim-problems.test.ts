import { describe, expect, it } from 'vitest';
import { AoiError } from '../../src/core/errors.js';
import { runCli } from './cli-harness.js';

describe('aoi sim problems', () => {
  it('lists every problem id of the catalog, with app and task', async () => {
    const { stdout, stderr, exitCode } = await runCli(['sim', 'problems']);
    expect(exitCode).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+APP\s+TASK$/);
    expect(lines).toHaveLength(88);
    expect(stdout).toMatch(/^k8s_target_port-misconfig-mitigation-1\s+social-network\s+mitigation$/m);
    expect(stderr).toBe('aoi sim problems: 87 of 87 problem(s)\n');
  });

  it('filters by --app and --task, and prints JSON with -o json', async () => {
    const { stdout } = await runCli([
      'sim',
      'problems',
      '--app',
      'hotel-reservation',
      '--task',
      'mitigation',
      '-o',
      'json',
    ]);
    const rows = JSON.parse(stdout) as { id: string; app: string; task: string; namespace: string }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatchObject({ app: 'hotel-reservation', task: 'mitigation' });
    expect(rows.map((r) => r.id)).toContain('misconfig_app_hotel_res-mitigation-1');
  });

  it('refuses an unknown app or task with the choices', async () => {
    const app = await runCli(['sim', 'problems', '--app', 'petshop']);
    expect(app.error).toBeInstanceOf(AoiError);
    expect((app.error as AoiError).hint).toBe('apps: astronomy-shop, hotel-reservation, social-network');
    const task = await runCli(['sim', 'problems', '--task', 'triage']);
    expect(task.stderr).toContain('Allowed choices are detection, localization, analysis, mitigation');
  });

  it('is where the unknown-problem error points', async () => {
    const { error } = await runCli(['sim', 'start', '--problem', 'no_such_problem-1']);
    expect(error).toBeInstanceOf(AoiError);
    expect((error as AoiError).hint).toContain('`aoi sim problems`');
  });
});
