import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-config-show-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aoi config show', () => {
  it('says where each value came from: default, file, env, flag', async () => {
    const file = join(dir, 'home', '.config', 'aoi', 'config.yaml');
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, 'reasoner:\n  maxSteps: 4\nexecutor:\n  policy: standard\n');
    const env = { HOME: join(dir, 'home'), AOI_MODEL: 'llama3.1:8b' };
    const { stdout, exitCode } = await runCli(['config', 'show', '--policy', 'bench'], env);
    expect(exitCode).toBe(0);
    expect(stdout).toContain(`# config file: ${file}\n`);
    expect(stdout).toMatch(/ollama\.host +"http:\/\/127\.0\.0\.1:11434" +\(default\)/);
    expect(stdout).toMatch(/ollama\.model +"llama3\.1:8b" +\(env AOI_MODEL\)/);
    expect(stdout).toMatch(/reasoner\.maxSteps +4 +\(file\)/);
    expect(stdout).toMatch(/executor\.policy +"bench" +\(flag\)/);
    expect(stdout).toContain('observer.context');

    const json = await runCli(['config', 'show', '--json'], env);
    const shown = JSON.parse(json.stdout) as {
      config: { executor: { policy: string } };
      file: { found: boolean };
      sources: Record<string, { source: string; from?: string }>;
    };
    expect(shown.file.found).toBe(true);
    expect(shown.config.executor.policy).toBe('standard');
    expect(shown.sources['executor.policy']).toEqual({ source: 'file', from: file });
    expect(shown.sources['ollama.timeoutMs']).toEqual({ source: 'default' });
  });

  it('says when the file is missing, and names the bad key of a bad file', async () => {
    const missing = await runCli(['config', 'show'], { HOME: dir });
    expect(missing.stdout).toContain('(not found; defaults apply)');
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'reasoner:\n  maxSteps: zero\n');
    const result = await runCli(['config', 'show', '--config', bad], { HOME: dir });
    expect(String(result.error)).toContain('reasoner.maxSteps');
  });
});
