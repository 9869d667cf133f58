/**
 * `aoi agent --stdio`: aoi as an AIOpsLab agent. JSON lines on stdin/stdout (schemas in src/agent/protocol.ts);
 * logs go to stderr only, so stdout carries nothing but replies.
 */
import type { Command } from 'commander';
import { AoiError } from '../../core/errors.js';
import type { CliIO } from '../io.js';
import { addReasonerOptions, ollamaSettings, parseWhole } from '../incident-setup.js';

export interface AgentCliOptions {
  stdio?: boolean;
  reasoner?: 'auto' | 'rules' | 'ollama';
  model?: string;
  ollamaHost?: string;
  numCtx?: number;
  keepAlive?: string;
  rulesPrior?: boolean;
  policy: string;
  approve?: boolean;
  maxSteps: number;
  maxEvidenceTokens: number;
  settleRounds: number;
  settlePause: number;
  quiet?: boolean;
}

export async function agentCommand(
  options: AgentCliOptions,
  io: CliIO,
  input: NodeJS.ReadableStream = process.stdin,
): Promise<number> {
  if (!options.stdio)
    throw new AoiError('usage', 'aoi agent speaks only JSON lines on stdin/stdout for now: pass --stdio');
  const { loadConfig } = await import('../../core/config.js');
  const config = await loadConfig({ env: io.env });
  const [{ serveAgent }, { chooseReasoner }, { observerTools }, { loadPolicy }] = await Promise.all([
    import('../../agent/serve.js'),
    import('../../incident/choose-reasoner.js'),
    import('../../incident/observer-tools.js'),
    import('../../executor/load-policy.js'),
  ]);
  const policy = await loadPolicy(options.policy);
  const log = (line: string) => {
    if (!options.quiet) io.stderr.write(`aoi agent: ${line}\n`);
  };
  await serveAgent({
    input,
    output: io.stdout,
    log,
    session: {
      policy,
      ...(options.approve ? { approve: true } : {}),
      maxSteps: options.maxSteps,
      maxEvidenceTokens: options.maxEvidenceTokens,
      settle: { rounds: options.settleRounds, pauseMs: options.settlePause },
      reasoner: async (reader) => {
        const chosen = await chooseReasoner({
          choice: options.reasoner ?? config.reasoner.backend,
          ...ollamaSettings(options, config),
          maxSteps: config.reasoner.maxSteps,
          tools: observerTools(reader),
          onNotice: log,
        });
        if (chosen.notice) log(chosen.notice);
        return chosen.reasoner;
      },
    },
  });
  return 0;
}

export function registerAgent(program: Command, io: CliIO): void {
  addReasonerOptions(program.command('agent'))
    .description("Act as an agent for AIOpsLab's orchestrator: JSON lines on stdin/stdout (see --help)")
    .option('--stdio', 'speak the JSON-lines protocol on stdin/stdout')
    .option('--policy <name|file>', 'policy the mitigation actions must pass', 'bench')
    .option('--approve', "treat the policy's 'approve' as allow (nobody can be asked inside an episode)")
    .option(
      '--max-steps <n>',
      "the orchestrator's step limit; the last step is kept for submit",
      parseWhole(2),
      30,
    )
    .option('--max-evidence-tokens <n>', 'token budget for the evidence set', parseWhole(100), 4000)
    .option('--settle-rounds <n>', 'after a mitigation, how many times to look at the pods', parseWhole(0), 5)
    .option('--settle-pause <ms>', 'pause before each of those looks', parseWhole(0), 3000)
    .option('-q, --quiet', 'no log lines on stderr')
    .addHelpText(
      'after',
      [
        '',
        'Requests (one JSON object a line on stdin):',
        '  {"type":"init","problem":"<task description>","instructions":"...","apis":{...}}',
        '  {"type":"step","output":"<the orchestrator\'s last output>"}',
        'Replies (one a line on stdout):',
        '  {"type":"action","action":"```\\nexec_shell(\\"kubectl get pods -n ns\\")\\n```"}',
        '  {"type":"error","code":"bad-json|bad-request|no-session|internal","message":"..."}',
        'The end of stdin ends the agent with exit code 0.',
        '',
      ].join('\n'),
    )
    .action(async (options: AgentCliOptions) => {
      process.exitCode = await agentCommand(options, io);
    });
}
