import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { commandTree } from '../../src/cli/commands/completion.js';
import { buildProgram } from '../../src/cli/program.js';
import { runCli } from './cli-harness.js';

async function bashComplete(script: string, words: string[]): Promise<string[]> {
  const body = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _aoi; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = await execa('bash', ['-c', body]);
  return r.stdout.split('\n').filter(Boolean);
}

describe('aoi completion', () => {
  it('covers every command of the tree', () => {
    const io = {
      stdout: process.stdout,
      stderr: process.stderr,
      env: {},
      untilInterrupted: () => Promise.resolve(''),
    };
    const paths = commandTree(buildProgram(io)).map((n) => n.path.join(' '));
    expect(paths).toEqual(
      expect.arrayContaining(['', 'tui', 'diagnose', 'config show', 'rbac', 'completion']),
    );
  });

  it('completes commands, subcommands and options in bash', async () => {
    const { stdout, exitCode } = await runCli(['completion', 'bash']);
    expect(exitCode).toBe(0);
    expect(await bashComplete(stdout, ['aoi', 'tu'])).toEqual(['tui']);
    expect(await bashComplete(stdout, ['aoi', 'config', 'sh'])).toEqual(['show']);
    expect(await bashComplete(stdout, ['aoi', 'tui', '--sim', 'p1', '--pol'])).toEqual(['--policy']);
    expect(await bashComplete(stdout, ['aoi', 'diagnose', '-'])).toEqual(
      expect.arrayContaining(['-i', '--interactive', '--apply']),
    );
  });

  it('prints a zsh script with every command path', async () => {
    const { stdout } = await runCli(['completion', 'zsh']);
    expect(stdout.startsWith('#compdef aoi\n')).toBe(true);
    expect(stdout).toContain('"config show") cands=(');
    expect(stdout).toContain('compdef _aoi aoi');
  });

  it('refuses other shells', async () => {
    const { error, stderr } = await runCli(['completion', 'fish']);
    expect(error).toBeDefined();
    expect(stderr).toContain("command-argument value 'fish' is invalid");
  });
});
