/** `aoi bench generate`: problems in the catalog's format on targets, namespaces and noise nobody tuned for. */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { writeFileAtomic } from '../../core/atomic-file.js';
import type { TaskType } from '../../core/aiopslab.js';
import { TASK_TYPES } from '../../core/task-types.js';
import type { CliIO } from '../io.js';

interface GenerateFlags {
  app?: string[];
  kind?: string[];
  task?: TaskType[];
  namespaces?: number;
  noise?: number;
  seed: number;
  count?: number;
  out?: string;
}

function whole(min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min)
      throw new InvalidArgumentError(`must be a whole number of at least ${min}.`);
    return Number(value);
  };
}

async function generate(flags: GenerateFlags, io: CliIO, argv: readonly string[]): Promise<number> {
  const [{ generateProblems, renderProblemsYaml }, { FaultKind, AppName }] = await Promise.all([
    import('../../../aiopslab-harness/bench/generate/generate.js'),
    import('../../../aiopslab-harness/bench/problem.js'),
  ]);
  const { AoiError } = await import('../../core/errors.js');
  const kinds = flags.kind?.map((k) => {
    const parsed = FaultKind.safeParse(k);
    if (!parsed.success)
      throw new AoiError('usage', `unknown fault kind "${k}"`, {
        hint: `Known: ${FaultKind.options.join(', ')}.`,
      });
    return parsed.data;
  });
  const apps = flags.app?.map((a) => {
    const parsed = AppName.safeParse(a);
    if (!parsed.success)
      throw new AoiError('usage', `unknown app "${a}"`, { hint: `Known: ${AppName.options.join(', ')}.` });
    return parsed.data;
  });
  const problems = generateProblems({
    seed: flags.seed,
    ...(apps ? { apps } : {}),
    ...(kinds ? { kinds } : {}),
    ...(flags.task ? { tasks: flags.task } : {}),
    ...(flags.namespaces !== undefined ? { namespaces: flags.namespaces } : {}),
    ...(flags.noise !== undefined ? { noise: flags.noise } : {}),
    ...(flags.count !== undefined ? { count: flags.count } : {}),
  });
  const text = renderProblemsYaml(problems, ['aoi', ...argv].join(' '));
  if (flags.out) {
    await writeFileAtomic(flags.out, text);
    io.stderr.write(`aoi bench generate: ${problems.length} problems written to ${flags.out}\n`);
  } else io.stdout.write(text);
  return 0;
}

export function registerBenchGenerate(bench: Command, io: CliIO): void {
  bench
    .command('generate')
    .description(
      'Write generated problems (every fault kind × every component where it applies × each task) in the catalog format',
    )
    .option('--app <name...>', "only these apps (the simulator's)")
    .option('--kind <kind...>', 'only these fault kinds (AIOpsLab names, e.g. network_loss)')
    .addOption(new Option('--task <type...>', 'only these task types').choices(TASK_TYPES))
    .option('--namespaces <n>', 'spread the problems over N random namespaces', whole(1))
    .option('--noise <k>', 'K distinct noise kinds per problem, at random (0–4)', whole(0))
    .option('--seed <n>', 'random seed: the same seed and options give the same file', whole(0), 1)
    .option('--count <n>', 'how many problems (default: every combination once)', whole(1))
    .option('-o, --out <file>', 'write the YAML here (default: stdout)')
    .addHelpText(
      'after',
      '\nExamples:\n  aoi bench generate --seed 7 --count 300 --namespaces 6 --noise 2 -o gen.yaml\n  aoi bench --problems gen.yaml --reasoner rules --concurrency 2\n',
    )
    .action(async (flags: GenerateFlags, command: Command) => {
      process.exitCode = await generate(flags, io, [
        'bench',
        'generate',
        ...command.args,
        ...rawArgs(command),
      ]);
    });
}

/** The options as given, for the file's "made by" line. */
function rawArgs(command: Command): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(command.opts())) {
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    out.push(flag, ...(Array.isArray(value) ? value.map(String) : [String(value)]));
  }
  return out;
}
