import type { Command } from 'commander';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { commandPath, HELP_EXAMPLES } from '../../src/cli/help-examples.js';
import { buildProgram } from '../../src/cli/program.js';
import { runCli } from './cli-harness.js';

const program = buildProgram({
  stdout: new PassThrough(),
  stderr: new PassThrough(),
  env: {},
  untilInterrupted: () => new Promise(() => undefined),
});

function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}

/** Flags every command accepts: commander's help, and the verbosity flags main takes out of argv. */
const GLOBAL_FLAGS = ['--help', '-h', '--quiet', '-q', '--verbose'];

function examplesIn(help: string): string[] {
  const block = /^Examples:\n((?: {2}.*\n?)*)/m.exec(help)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * Resolves an example line to the command it runs and the flags it passes to it. Shell around the call
 * (`VAR=x aoi …`, `source <(aoi …)`, `| jq`, `> file`, `# comment`) is skipped.
 */
function parseExample(line: string): { cmd: Command; flags: string[] } | { error: string } {
  const tokens = (line.match(/'[^']*'|"(?:\\.|[^"\\])*"|\S+/g) ?? []).map((t) =>
    t.replace(/^(['"])(.*)\1$/, '$2'),
  );
  const start = tokens.findIndex((t) => /^(?:<\()?aoi$/.test(t));
  if (start === -1) return { error: 'does not run aoi' };
  const end = tokens.findIndex((t, i) => i > start && /^(?:\||>|>>|;|&&|#.*|2>.*)$|\)$/.test(t));
  const args = tokens.slice(start + 1, end === -1 ? undefined : end);
  let cmd = program;
  let descending = true;
  const flags: string[] = [];
  for (const arg of args) {
    if (arg.startsWith('-')) {
      descending = false;
      flags.push(arg.split('=')[0]!);
      continue;
    }
    if (!descending) continue;
    if (arg === 'help' && cmd === program) break;
    const sub = cmd.commands.find((c) => c.name() === arg);
    if (sub) cmd = sub;
    else if (cmd.commands.length > 0 && cmd.registeredArguments.length === 0)
      return { error: `${commandPath(cmd) || 'aoi'} has no subcommand "${arg}"` };
    else descending = false;
  }
  return { cmd, flags };
}

describe('Examples: in every help', () => {
  const commands = allCommands(program);

  it('walks the whole tree, nested commands included', () => {
    const paths = commands.map(commandPath);
    expect(paths).toEqual(
      expect.arrayContaining([
        '',
        'sim start',
        'bench merge',
        'runs list',
        'config show',
        'policy explain',
        'audit show',
      ]),
    );
    expect(paths.length).toBeGreaterThanOrEqual(25);
  });

  it.each(commands.map((cmd) => [commandPath(cmd) || '(root)', cmd] as const))(
    'aoi %s --help shows examples that run it with flags it declares',
    async (path, cmd) => {
      const args = path === '(root)' ? [] : path.split(' ');
      const { stdout } = await runCli([...args, '--help']);
      expect(stdout.match(/^Examples:$/gm), 'exactly one Examples: section').toHaveLength(1);
      const examples = examplesIn(stdout);
      expect(examples.length).toBeGreaterThan(0);
      const targets: Command[] = [];
      for (const example of examples) {
        const parsed = parseExample(example);
        if ('error' in parsed) throw new Error(`${example}: ${parsed.error}`);
        targets.push(parsed.cmd);
        const known = [
          ...GLOBAL_FLAGS,
          ...(parsed.cmd === program ? ['--version', '-V'] : []),
          ...parsed.cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)),
        ];
        for (const flag of parsed.flags)
          expect(known, `${example}: ${commandPath(parsed.cmd) || 'aoi'} has no ${flag}`).toContain(flag);
      }
      // At least one example runs this command (or, for a group, one of its subcommands).
      const runsIt = targets.some((t) => {
        for (let c: Command | null = t; c; c = c.parent) if (c === cmd) return true;
        return false;
      });
      expect(runsIt, `no example of ${path} runs it`).toBe(true);
    },
  );

  it('has no entry for a command that does not exist', () => {
    expect(Object.keys(HELP_EXAMPLES).filter((key) => !commands.map(commandPath).includes(key))).toEqual([]);
  });

  it('catches an example with a flag the command does not have', () => {
    const parsed = parseExample('AOI_MODEL=x aoi config show --no-such-flag | less');
    expect(parsed).toMatchObject({ flags: ['--no-such-flag'] });
    expect('cmd' in parsed && commandPath(parsed.cmd)).toBe('config show');
    expect(parseExample('aoi sim stop')).toEqual({ error: 'sim has no subcommand "stop"' });
  });
});
