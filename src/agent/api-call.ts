/**
 * The action strings AIOpsLab's parser accepts: exactly one fenced block (no language tag) holding one call.
 * For `exec_shell` the parser takes the raw text between the parentheses, strips the outer quotes and turns
 * `\"` into `"` and `\'` into `'`; so the command is wrapped in double quotes with every `"` escaped, and a
 * command in which `\'` would appear is refused (the parser would eat its backslash).
 */
import type { FaultType, SystemLevel } from '../core/aiopslab.js';
import { commandProblem } from './orchestrator-shell.js';

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argv item for a POSIX shell: bare when harmless, else single-quoted ('"'"' for a quote inside). */
export function shellQuote(arg: string): string {
  if (SAFE_WORD.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'"'"'`)}'`;
}

export function shellCommand(program: string, argv: readonly string[]): string {
  return [program, ...argv].map(shellQuote).join(' ');
}

export function fenced(call: string): string {
  return `\`\`\`\n${call}\n\`\`\``;
}

export function execShell(command: string): string {
  if (/[\r\n]/.test(command)) throw new Error('a shell command for exec_shell must be one line');
  if (command.includes('```')) throw new Error('a shell command may not contain three backticks');
  const escaped = command.replace(/"/g, '\\"');
  if (escaped.includes("\\'")) throw new Error("the command would contain \\' which the parser rewrites");
  if (command.endsWith('"') || command.startsWith('"'))
    throw new Error('a command starting or ending with a double quote loses it to the parser');
  const problem = commandProblem(command);
  if (problem !== undefined) throw new Error(`not sent to exec_shell: ${problem}`);
  return fenced(`exec_shell("${escaped}")`);
}

export type Submission =
  | { task: 'detection'; anomaly: boolean }
  | { task: 'localization'; components: string[] }
  | { task: 'analysis'; systemLevel: SystemLevel; faultType: FaultType }
  | { task: 'mitigation' };

/**
 * Positional arguments only: AIOpsLab stores a keyword argument as an empty answer. A `note` goes before the
 * block on one line (the parser keeps text around the block as context), without backquotes.
 */
export function submit(s: Submission, note?: string): string {
  const call = submitCall(s);
  if (note === undefined || note.trim() === '') return call;
  return `${note.replace(/`/g, "'").replace(/\s+/g, ' ').trim()}\n${call}`;
}

function submitCall(s: Submission): string {
  switch (s.task) {
    case 'detection':
      return fenced(`submit(${JSON.stringify(s.anomaly ? 'Yes' : 'No')})`);
    case 'localization':
      return fenced(`submit(${JSON.stringify(s.components)})`);
    case 'analysis':
      return fenced(
        `submit({"system_level": ${JSON.stringify(s.systemLevel)}, "fault_type": ${JSON.stringify(s.faultType)}})`,
      );
    case 'mitigation':
      return fenced('submit()');
  }
}
