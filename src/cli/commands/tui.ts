/**
 * `aoi tui` (and `aoi diagnose -i`): the incident screen over the same runner, reasoner, policy, executor and
 * audit log as `aoi diagnose --apply`. Approvals come from the keyboard through the executor's Approver.
 */
import type { Command } from 'commander';
import { AoiError } from '../../core/errors.js';
import { resolveStateDir, simStateDir, statePaths } from '../../core/state-dir.js';
import {
  addReasonerOptions,
  addTargetOptions,
  openTarget,
  parseWhole,
  reasonerFor,
  sharedIncidentOptions,
} from '../incident-setup.js';
import type { IncidentCliOptions } from '../incident-setup.js';
import type { CliIO } from '../io.js';

export type TuiCliOptions = IncidentCliOptions;

/** The terminal the screen runs on; injected so tests can check the refusal without a TTY. */
export interface TuiTerminal {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

const processTerminal = (): TuiTerminal => ({
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});

export async function tuiCommand(
  options: TuiCliOptions,
  io: CliIO,
  terminal: TuiTerminal = processTerminal(),
): Promise<number> {
  if (!terminal.stdin.isTTY || !terminal.stdout.isTTY)
    throw new AoiError('usage', 'aoi tui needs an interactive terminal (stdin and stdout must be a TTY)', {
      hint: 'For scripts and CI use `aoi diagnose` (add --apply --approve to act without asking).',
    });
  if (options.namespace !== undefined && options.allNamespaces)
    throw new AoiError('usage', 'use either --namespace or --all-namespaces, not both');
  if (options.sim !== undefined && (options.kubeconfig !== undefined || options.context !== undefined))
    throw new AoiError('usage', '--sim runs its own simulated cluster; drop --kubeconfig and --context');
  const { loadConfig } = await import('../../core/config.js');
  const config = await loadConfig({ env: io.env });
  const paths = statePaths(options.stateDir ?? resolveStateDir(io.env));
  const [
    { runIncident },
    { loadPolicy },
    { previewVerdict, readTargetFacts },
    { AuditLog, readAuditEntries },
    { handlerFor },
    { runTui },
    { observingReasoner },
    { colorWanted },
  ] = await Promise.all([
    import('../../incident/run-incident.js'),
    import('../../executor/load-policy.js'),
    import('../policy-preview.js'),
    import('../../executor/audit-log.js'),
    import('../../executor/actions/index.js'),
    import('../../tui/run-tui.js'),
    import('../../tui/session.js'),
    import('../../tui/theme.js'),
  ]);
  const policyName = options.policy ?? config.executor.policy;
  const policy = await loadPolicy(policyName);
  const target = await openTarget(options, config, io);
  const acting = options.apply !== false;
  let audit: Awaited<ReturnType<typeof AuditLog.open>> | undefined;
  try {
    const namespace = options.allNamespaces
      ? undefined
      : (options.namespace ?? target.namespace ?? 'default');
    const chosen = await reasonerFor(options, config, target);
    const clients = acting ? await target.executorClients() : undefined;
    // A simulated cluster's writes go to the sim subtree's log, never the real one.
    const auditPath =
      options.sim === undefined
        ? paths.audit
        : statePaths(simStateDir(options.stateDir ?? resolveStateDir(io.env))).audit;
    audit = acting ? await AuditLog.open(auditPath) : undefined;
    const auditLog = audit;
    // The TUI asks for verdicts synchronously when the diagnosis arrives: read the targets' labels and
    // replicas (observer, read-only) before handing the diagnosis on, so replica limits are decided as the
    // executor would, not failed closed for want of a count.
    let facts: Awaited<ReturnType<typeof readTargetFacts>> = [];
    const factsReadingReasoner: typeof chosen.reasoner = {
      name: chosen.reasoner.name,
      async diagnose(input, diagnoseOptions) {
        const result = await chosen.reasoner.diagnose(input, diagnoseOptions);
        facts = await readTargetFacts(target.reader, result.diagnosis.proposals);
        return result;
      },
    };
    await runTui(
      {
        title: `${target.cluster} · ns ${namespace ?? 'all'} · policy ${policyName} · ${chosen.reasoner.name}`,
        acting,
        verdict: (action, index) => previewVerdict(action, index, policy, facts[index]),
        ...(clients === undefined
          ? {}
          : {
              preview: (action) => handlerFor(action).preImage(clients, action),
              dryRun: async (action) =>
                (await import('../../executor/executor.js')).dryRunAction(clients, action),
            }),
        ...(auditLog === undefined
          ? {}
          : { auditTail: async (count) => (await readAuditEntries(auditLog.path)).slice(-count) }),
        run: (hooks) =>
          runIncident({
            ...sharedIncidentOptions(target, options, namespace, paths.trajectories),
            reasoner: observingReasoner(factsReadingReasoner, hooks),
            ...(clients === undefined || auditLog === undefined
              ? {}
              : { act: { policy, approver: hooks.approver, audit: auditLog, clients } }),
            onEvent: (event) => hooks.onEvent(event),
            signal: hooks.signal,
          }),
      },
      { ...terminal, color: colorWanted(io.env) },
    );
    if (chosen.notice) io.stderr.write(`aoi: ${chosen.notice}\n`);
    return 0;
  } finally {
    await audit?.close();
    await target.close();
  }
}

export function registerTui(program: Command, io: CliIO): void {
  addReasonerOptions(addTargetOptions(program.command('tui')))
    .description('Interactive incident screen: timeline, evidence, diagnosis, actions with approval keys')
    .option(
      '-n, --namespace <name>',
      "namespace to watch (default: the simulated problem's, else the kubeconfig context's, else default)",
    )
    .option('-A, --all-namespaces', 'watch every namespace')
    .option('--max-steps <n>', 'most model and tool calls the reasoner may make', parseWhole(1))
    .option('--policy <name|file>', 'policy deciding allow / approve / deny (default: default, read-only)')
    .option('--no-apply', 'diagnose only: show proposals and verdicts, execute nothing')
    .option('--state-dir <dir>', 'where trajectories and the audit log go (default: $AOI_STATE_DIR)')
    .option('--max-evidence-tokens <n>', 'token budget for the evidence set', parseWhole(100), 4000)
    .option('--verify-timeout <seconds>', 'how long to watch for the incident to clear', parseWhole(1), 120)
    .option('--no-record', 'do not write a trajectory')
    .addHelpText(
      'after',
      [
        '',
        'Keys: a approve · d reject · r re-run · tab focus · ↑↓ select · s sort · v diff · ? help · q quit',
        'Actions the policy allows run without asking, denied ones never run, and the rest wait for a key.',
        '',
        'Examples:',
        '  aoi tui --sim k8s_target_port-misconfig-mitigation-1 --policy standard',
        '  aoi tui -n shop --context prod-readonly --executor-context prod-fixer --policy standard',
        '  aoi diagnose -i --sim scale_pod_zero_social_net-mitigation-1 --policy standard',
        '',
      ].join('\n'),
    )
    .action(async (options: TuiCliOptions) => {
      process.exitCode = await tuiCommand(options, io);
    });
}
