import { describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';

describe('aoi tui (without a terminal)', () => {
  it('refuses to start without a TTY and points at aoi diagnose', async () => {
    // Under vitest stdin is not a TTY: the command must refuse before touching any cluster.
    const { error } = await runCli(['tui', '--sim', 'k8s_target_port-misconfig-mitigation-1']);
    expect(String(error)).toContain('aoi tui needs an interactive terminal');
    expect((error as { hint?: string }).hint).toContain('aoi diagnose');
  });

  it('rejects -i with --approve or --output', async () => {
    const { error } = await runCli(['diagnose', '-i', '--apply', '--approve', '--sim', 'x']);
    expect(String(error)).toContain('-i asks for approval by key');
  });

  it('lists the keys and examples in its help', async () => {
    const { stdout } = await runCli(['tui', '--help']);
    expect(stdout).toContain('a approve · d reject · r re-run');
    expect(stdout).toContain('--no-apply');
    expect(stdout).toContain('aoi tui --sim k8s_target_port-misconfig-mitigation-1 --policy standard');
  });
});
