import type { Command } from 'commander';
import { AoiError } from '../../core/errors.js';
import { resolveStateDir, statePaths } from '../../core/state-dir.js';
import type { IncidentCliOptions } from '../incident-setup.js';
import {
  addReasonerOptions,
  addTargetOptions,
  openTarget,
  parseWhole,
  reasonerFor,
} from '../incident-setup.js';
import type { CliIO } from '../io.js';
import { EXIT } from '../exit-codes.js';

export interface McpCliOptions extends IncidentCliOptions {
  allowApply?: boolean;
}

/**
 * `aoi mcp`: a Model Context Protocol server on stdin/stdout until the client closes stdin (or SIGINT/SIGTERM).
 * stdout carries only the protocol; notices go to stderr.
 */
export async function mcpCommand(options: McpCliOptions, io: CliIO, version: string): Promise<number> {
  if (options.allowApply && options.policy === undefined)
    throw new AoiError(
      'usage',
      '--allow-apply needs --policy: applying is off unless a policy says what may be done',
      {
        hint: 'e.g. aoi mcp --allow-apply --policy standard (approval-required actions are still refused)',
      },
    );
  const [{ loadConfig }, { loadPolicy }, { createMcpServer }, { StdioServerTransport }, { mcpDeps }] =
    await Promise.all([
      import('../../core/config.js'),
      import('../../executor/load-policy.js'),
      import('../../mcp/server.js'),
      import('@modelcontextprotocol/server/stdio'),
      import('../mcp-deps.js'),
    ]);
  const config = await loadConfig({ env: io.env });
  const stateDir = options.stateDir ?? resolveStateDir(io.env);
  const policyName = options.policy ?? config.executor.policy;
  const policy = await loadPolicy(policyName);
  const target = await openTarget(options, config, io);
  try {
    const chosen = await reasonerFor(options, config, target);
    if (chosen.notice) io.stderr.write(`aoi: ${chosen.notice}\n`);
    const deps = mcpDeps({
      context: {
        target,
        reasoner: chosen.reasoner,
        policy,
        options,
        trajectoriesDir: statePaths(stateDir).trajectories,
        defaultNamespace: options.namespace ?? target.namespace ?? 'default',
      },
      policyName,
      stateDir,
      simulated: options.sim !== undefined,
      allowApply: options.allowApply === true,
      version,
    });
    const server = createMcpServer(deps);
    const closed = new Promise<string>((resolve) => {
      process.stdin.once('end', () => resolve('stdin closed'));
      process.stdin.once('close', () => resolve('stdin closed'));
    });
    await server.connect(new StdioServerTransport());
    io.stderr.write(
      `aoi: MCP server on stdio (tools: observe, diagnose, explain_policy, list_runs, show_run, propose_action${deps.apply ? ', apply_action' : ''}; policy ${policyName})\n`,
    );
    const why = await Promise.race([closed, io.untilInterrupted()]);
    io.stderr.write(`aoi: ${why}: MCP server stopping\n`);
    await server.close();
    return EXIT.done;
  } finally {
    await target.close();
  }
}

export function registerMcp(program: Command, io: CliIO, version: string): void {
  addReasonerOptions(addTargetOptions(program.command('mcp')))
    .description(
      'Serve aoi as a Model Context Protocol server over stdio (read-only unless --allow-apply --policy P)',
    )
    .option(
      '-n, --namespace <name>',
      "default namespace for the tools (default: the simulated problem's or the context's)",
    )
    .option('--policy <name|file>', 'policy for verdicts (and for apply_action with --allow-apply)')
    .option(
      '--allow-apply',
      'offer apply_action: through the executor, audited; approval-required actions refused',
    )
    .option(
      '--state-dir <dir>',
      'where trajectories and the audit log are (default: $AOI_STATE_DIR or ~/.local/state/aoi)',
    )
    .option('--max-evidence-tokens <n>', 'token budget for the evidence set', parseWhole(100), 4000)
    .option(
      '--max-steps <n>',
      'most model calls and tool calls for one diagnosis (default: 8)',
      parseWhole(1),
    )
    .option('--no-record', 'do not write trajectories')
    .addHelpText(
      'after',
      [
        '',
        'Client configuration (e.g. an MCP client\'s JSON): { "command": "aoi", "args": ["mcp", "--context", "prod-readonly"] }',
        '',
        'Examples:',
        '  aoi mcp --context prod-readonly',
        '  aoi mcp --sim k8s_target_port-misconfig-mitigation-1',
        '  aoi mcp --sim k8s_target_port-misconfig-mitigation-1 --allow-apply --policy standard',
        '',
      ].join('\n'),
    )
    .action(async (options: McpCliOptions) => {
      process.exitCode = await mcpCommand({ ...options, verifyTimeout: 0 }, io, version);
    });
}
