/**
 * One spelling for "print this as …" across the CLI, as kubectl has: every command that prints data takes
 * `-o/--output <format>`. Commands that grew a boolean `--json` keep it as an alias for `-o json`. Applied
 * once to the whole command tree so no command can miss it.
 */
import type { Command } from 'commander';
import { Option } from 'commander';

const SHORT = '-o';

function optionOf(command: Command, long: string) {
  return command.options.find((o) => o.long === long);
}

function addOutputFlags(command: Command): void {
  if (command.options.some((o) => o.short === SHORT)) return;
  const output = optionOf(command, '--output');
  const json = optionOf(command, '--json');
  if (json?.isBoolean()) {
    // `aoi config show --output` previews a config value, so there `--json` stays the only switch.
    if (output) return;
    command.addOption(
      new Option(`${SHORT}, --output <format>`, 'output format (--json is short for -o json)')
        .choices(['text', 'json'])
        .default('text'),
    );
    command.hook('preAction', (self) => {
      if (self.opts()['output'] === 'json') self.setOptionValue('json', true);
    });
    return;
  }
  if (output && output.short === undefined) {
    output.short = SHORT;
    output.flags = `${SHORT}, ${output.flags}`;
  }
}

/** Gives `-o/--output` to every command in the tree that prints data (see above). */
export function applyOutputFlags(program: Command): void {
  for (const command of program.commands) {
    addOutputFlags(command);
    applyOutputFlags(command);
  }
}
