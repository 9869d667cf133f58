import type { Command } from 'commander';
import { AoiError } from '../../core/errors.js';
import { formatIssues } from '../../core/zod-issues.js';
import type { CliIO } from '../io.js';

interface ExplainOptions {
  action: string;
  policy: string;
  namespace?: string;
}

/** The policy modules load only when a policy command runs. */
async function loadExecutor() {
  const [load, engine] = await Promise.all([
    import('../../executor/load-policy.js'),
    import('../../executor/policy-engine.js'),
  ]);
  return { ...load, ...engine };
}

export async function policyCheck(file: string, io: CliIO): Promise<number> {
  const { loadPolicy } = await loadExecutor();
  const policy = await loadPolicy(file);
  const effects = policy.rules.map((r) => r.effect);
  const count = (e: string) => effects.filter((x) => x === e).length;
  io.stdout.write(
    `${file}: ok: policy ${policy.name ?? '(unnamed)'}, ${policy.rules.length} rules ` +
      `(${count('allow')} allow, ${count('approve')} approve, ${count('deny')} deny), default deny\n`,
  );
  return 0;
}

export async function policyExplain(options: ExplainOptions, io: CliIO): Promise<number> {
  const { loadPolicy, decide, actionNamespace } = await loadExecutor();
  let json: unknown;
  try {
    json = JSON.parse(options.action);
  } catch (error) {
    throw new AoiError('usage', `--action is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const { ActionProposal } = await import('../../core/actions.js');
  const parsed = ActionProposal.safeParse(json);
  if (!parsed.success)
    throw new AoiError(
      'usage',
      `--action is not a valid action:\n  ${formatIssues(parsed.error).join('\n  ')}`,
    );
  const action = parsed.data;
  // --namespace retargets the action, so the decision is about that namespace.
  if (options.namespace !== undefined) action.namespace = options.namespace;
  const policy = await loadPolicy(options.policy);
  const decision = decide(action, policy, { namespace: actionNamespace(action), actionsSoFar: 0 });
  io.stdout.write(
    `effect: ${decision.effect}\nrule: ${decision.ruleId ?? '(default)'}\nreason: ${decision.reason}\n`,
  );
  const { constraintsFor, describeConstraint } = await import('../../executor/constraints/index.js');
  const checked = decision.constraints?.checked ?? [];
  const pending = decision.constraints?.pending ?? [];
  const lines = constraintsFor(action.kind).map((id) => {
    const state = checked.includes(id)
      ? decision.ruleId === `constraint:${id}` || decision.ruleId?.startsWith(`constraint:${id}.`) === true
        ? 'refused'
        : 'passed'
      : pending.includes(id)
        ? 'checked at run time (reads the cluster)'
        : 'not reached';
    return `  ${id}: ${state}: ${describeConstraint(id)}`;
  });
  io.stdout.write(`constraints:\n${lines.join('\n')}\n`);
  return 0;
}

export function registerPolicy(program: Command, io: CliIO): void {
  const policy = program.command('policy').description('Check policy files and explain their decisions');
  policy
    .command('check')
    .description('Validate a policy file (exit 2 with file:line:col on an error)')
    .argument('<file>', 'policy file, or the name of a shipped policy (default, standard, bench)')
    .action(async (file: string) => {
      process.exitCode = await policyCheck(file, io);
    });
  policy
    .command('explain')
    .description('Show what a policy decides for one action, and why')
    .requiredOption('--action <json>', 'the action proposal as JSON')
    .option('--policy <name|file>', 'shipped policy name or a file', 'default')
    .option('--namespace <ns>', 'evaluate the action in this namespace')
    .addHelpText(
      'after',
      `\nExample:\n  aoi policy explain --policy standard --action '{"kind":"deletePod","namespace":"shop","name":"web-1","rationale":"stuck","evidence":["ev-1"]}'\n`,
    )
    .action(async (options: ExplainOptions) => {
      process.exitCode = await policyExplain(options, io);
    });
}
