/** `aoi completion bash|zsh`: completion scripts generated from the command tree itself, so they never drift. */
import type { Command } from 'commander';
import { Argument } from 'commander';
import type { CliIO } from '../io.js';

interface Node {
  path: string[];
  subcommands: string[];
  options: string[];
}

/** Every command with its subcommands and option flags, depth first. */
export function commandTree(program: Command): Node[] {
  const out: Node[] = [];
  const walk = (cmd: Command, path: string[]) => {
    out.push({
      path,
      subcommands: cmd.commands.map((c) => c.name()),
      options: [
        ...cmd.options.flatMap((o) => [o.short, o.long].filter((f): f is string => f !== undefined)),
        '--help',
      ],
    });
    for (const sub of cmd.commands) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return out;
}

export function bashCompletion(program: Command): string {
  const cases = commandTree(program)
    .map((n) => `    "${n.path.join(' ')}") words="${[...n.subcommands, ...n.options].join(' ')}" ;;`)
    .join('\n');
  return `# aoi bash completion; load with: source <(aoi completion bash)
_aoi() {
  local cur cmdpath="" w i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  # The command path: the words before the cursor that are subcommand names, not options or their values.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    case "\${cmdpath:+$cmdpath }$w" in
${commandTree(program)
  .filter((n) => n.path.length > 0)
  .map((n) => `      "${n.path.join(' ')}") cmdpath="${n.path.join(' ')}" ;;`)
  .join('\n')}
    esac
  done
  local words
  case "$cmdpath" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _aoi aoi
`;
}

export function zshCompletion(program: Command): string {
  const cases = commandTree(program)
    .map((n) => `    "${n.path.join(' ')}") cands=(${[...n.subcommands, ...n.options].join(' ')}) ;;`)
    .join('\n');
  const known = commandTree(program)
    .filter((n) => n.path.length > 0)
    .map((n) => `"${n.path.join(' ')}"`)
    .join(' ');
  return `#compdef aoi
# aoi zsh completion; load with: source <(aoi completion zsh)  (after compinit)
_aoi() {
  local cmdpath="" w candidate
  local -a cands known
  known=(${known})
  for w in \${words[2,CURRENT-1]}; do
    [[ "$w" == -* ]] && continue
    candidate="\${cmdpath:+$cmdpath }$w"
    (( \${known[(Ie)$candidate]} )) && cmdpath="$candidate"
  done
  case "$cmdpath" in
${cases}
    *) cands=() ;;
  esac
  compadd -- $cands
}
compdef _aoi aoi
`;
}

export function registerCompletion(program: Command, io: CliIO): void {
  program
    .command('completion')
    .description('Print a shell completion script (bash or zsh)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  source <(aoi completion bash)          # in ~/.bashrc',
        '  aoi completion zsh > "${fpath[1]}/_aoi"  # then restart zsh',
        '',
      ].join('\n'),
    )
    .action((shell: 'bash' | 'zsh') => {
      io.stdout.write(shell === 'bash' ? bashCompletion(program) : zshCompletion(program));
    });
}
