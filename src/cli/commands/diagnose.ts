import type { Command } from 'commander';
import { Option } from 'commander';
import { AoiError } from '../../core/errors.js';
import {
  addReasonerOptions,
  addTargetOptions,
  openTarget,
  parseWhole,
  reasonerFor,
  sharedIncidentOptions,
} from '../incident-setup.js';
import type { IncidentCliOptions } from '../incident-setup.js';
import { resolveStateDir, statePaths } from '../../core/state-dir.js';
import type { DiagnoseActing } from '../diagnose-acting.js';
import type { CliIO } from '../io.js';
import { EXIT } from '../exit-codes.js';

export interface DiagnoseCliOptions extends IncidentCliOptions {
  output?: 'text' | 'markdown' | 'json';
  approve?: boolean;
  interactive?: boolean;
  guidance?: string;
  /** An Alertmanager webhook payload or one alert (a file, or - for stdin). */
  alert?: string;
  /** Chat webhook URLs (Slack incoming-webhook format) that get the diagnosis. */
  notify?: string[];
}

/** `aoi diagnose`: one incident run; exit 0 healthy (or mitigated with --apply), 1 incident, 2 error. */
export async function diagnoseCommand(
  options: DiagnoseCliOptions,
  io: CliIO,
  targetArg?: string,
): Promise<number> {
  if (options.namespace !== undefined && options.allNamespaces)
    throw new AoiError('usage', 'use either --namespace or --all-namespaces, not both');
  if (options.sim !== undefined && (options.kubeconfig !== undefined || options.context !== undefined))
    throw new AoiError('usage', '--sim runs its own simulated cluster; drop --kubeconfig and --context');
  if (options.approve && !options.apply)
    throw new AoiError('usage', '--approve only makes sense with --apply');
  if ((targetArg !== undefined || options.alert !== undefined) && options.allNamespaces)
    throw new AoiError(
      'usage',
      'an alert or a KIND/NAME target is about one namespace; drop --all-namespaces',
    );
  let trigger =
    targetArg === undefined && options.alert === undefined
      ? undefined
      : await (await import('../diagnose-trigger.js')).diagnoseTrigger(targetArg, options, io);
  const notifyUrls = options.notify ?? [];
  if (notifyUrls.length > 0) {
    const { parseWebhookUrl } = await import('../../notify/webhook-url.js');
    notifyUrls.forEach(parseWebhookUrl);
  }
  const { loadConfig } = await import('../../core/config.js');
  const config = await loadConfig({ env: io.env });
  const stateDir = options.stateDir ?? resolveStateDir(io.env);
  const paths = statePaths(stateDir);
  const [{ runIncident, newIncidentId }, { loadPolicy }, { previewVerdict, readTargetFacts }, render] =
    await Promise.all([
      import('../../incident/run-incident.js'),
      import('../../executor/load-policy.js'),
      import('../policy-preview.js'),
      import('../render-diagnosis.js'),
    ]);
  const policyName = options.policy ?? config.executor.policy;
  const target = await openTarget(options, config, io);
  // A simulated problem's namespace is the one a bench policy's {problemNamespace} rules allow writes in.
  // The target is open (a --sim server listens): a policy that fails to load must close it, or aoi never exits.
  const policy = await loadPolicy(
    policyName,
    undefined,
    options.sim === undefined ? {} : { problemNamespace: target.namespace },
  ).catch(async (error: unknown) => {
    await target.close();
    throw error;
  });
  const { trapInterrupts } = await import('../interrupts.js');
  const interrupts = trapInterrupts();
  let acting: DiagnoseActing | undefined;
  try {
    const namespace = options.allNamespaces
      ? undefined
      : (options.namespace ?? trigger?.focus.namespace ?? target.namespace ?? 'default');
    if (trigger !== undefined && trigger.focus.namespace === undefined && namespace !== undefined)
      trigger = { ...trigger, focus: { ...trigger.focus, namespace } };
    const chosen = await reasonerFor(options, config, target, io);
    if (chosen.notice) io.stderr.write(`aoi: ${chosen.notice}\n`);
    const runId = newIncidentId();
    if (options.apply)
      acting = await (
        await import('../diagnose-acting.js')
      ).prepareActing(options, target, { policy, name: policyName }, io);
    // Promoted guidance from `aoi evolve` (the state dir's library unless --guidance says otherwise).
    const { guidanceSelector, loadGuidanceLibrary } = await import('./bench.js');
    const selectGuidance = guidanceSelector(
      await loadGuidanceLibrary(options.guidance ?? paths.guidance, io),
    );
    const report = await runIncident({
      ...(selectGuidance === undefined ? {} : { selectGuidance }),
      ...sharedIncidentOptions(target, options, namespace, paths.trajectories),
      reasoner: chosen.reasoner,
      ...(trigger === undefined ? {} : { focus: trigger.components, trigger }),
      ...(acting === undefined ? {} : { act: acting.act }),
      id: runId,
      signal: interrupts.signal,
      onEvent: (event) => {
        acting?.onEvent(event);
        if (event.type === 'phase-end' && (options.output ?? config.output) === 'text')
          io.stderr.write(`aoi: ${event.phase}: ${event.summary} (${event.durationMs} ms)\n`);
      },
    }).catch(async (error: unknown) => {
      const stoppedBy = interrupts.received();
      if (stoppedBy === undefined) throw error;
      const { interruptedLines, SIGNAL_EXIT } = await import('../interrupts.js');
      io.stderr.write(interruptedLines(stoppedBy, acting?.applied ?? [], acting?.rollbackFlags ?? []));
      if (options.sim !== undefined && acting?.applied.length)
        io.stderr.write(
          'aoi: (the simulated cluster ends with this process: there is nothing left to undo)\n',
        );
      if (options.record) io.stderr.write(`aoi: run ${runId} recorded as aborted: aoi runs show ${runId}\n`);
      return SIGNAL_EXIT[stoppedBy];
    });
    if (typeof report === 'number') return report;
    acting?.reportNotAsked();
    const proposals = report.reasoning.diagnosis.proposals;
    const facts = await readTargetFacts(target.reader, proposals);
    const verdicts = proposals.map((action, i) => previewVerdict(action, i, policy, facts[i]));
    const out = render.toOutput(report, chosen.reasoner.name, verdicts, trigger);
    const format = options.output ?? config.output;
    io.stdout.write(
      format === 'json'
        ? `${JSON.stringify(out, null, 2)}\n`
        : format === 'markdown'
          ? render.renderMarkdown(out)
          : render.renderText(out),
    );
    if (notifyUrls.length > 0) {
      const { Notifier, deliveryLine } = await import('../../notify/notifier.js');
      const notifier = await Notifier.open(notifyUrls, stateDir);
      for (const record of await notifier.send(out)) io.stderr.write(`${deliveryLine(record)}\n`);
      await notifier.close();
    }
    if (out.verdict === 'incomplete') return EXIT.incomplete;
    if (!out.detected) return EXIT.done;
    return report.verification?.resolved ? EXIT.done : EXIT.incident;
  } finally {
    interrupts.dispose();
    await acting?.close();
    await target.close();
  }
}

export function registerDiagnose(program: Command, io: CliIO): void {
  addReasonerOptions(addTargetOptions(program.command('diagnose')))
    .argument(
      '[target]',
      'start from one object, as kubectl names it: deploy/NAME, sts/NAME, pod/NAME, svc/NAME, job/NAME',
    )
    .description(
      'Observe, reason and (with --apply) act on one incident; exit 0 healthy or mitigated, 1 incident, 2 error, 3 incomplete',
    )
    .option(
      '-n, --namespace <name>',
      "namespace to diagnose (default: the simulated problem's, else the kubeconfig context's, else default)",
    )
    .option('-A, --all-namespaces', 'diagnose every namespace')
    .option('--guidance <dir>', 'guidance library to retrieve from (default: <state dir>/guidance)')
    .option(
      '--max-steps <n>',
      'most model calls and tool calls for one diagnosis (default: 8)',
      parseWhole(1),
    )
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'markdown', 'json']))
    .option('--apply', 'execute the proposals that pass the policy (dry run, approval, verify, rollback)')
    .option(
      '--approve',
      "with --apply: approve what the policy marks 'approve' without asking (never a deny)",
    )
    .option(
      '--policy <name|file>',
      'policy for --apply and for the verdicts shown (default: default, read-only)',
    )
    .option(
      '--state-dir <dir>',
      'where trajectories and the audit log go (default: $AOI_STATE_DIR or ~/.local/state/aoi)',
    )
    .option('--max-evidence-tokens <n>', 'token budget for the evidence set', parseWhole(100), 4000)
    .option(
      '--verify-timeout <seconds>',
      'how long to watch for the incident to clear after --apply',
      parseWhole(1),
      120,
    )
    .option('--no-record', 'do not write a trajectory')
    .option(
      '--alert <file|->',
      'start from an alert: an Alertmanager webhook payload (version 4) or one alert object; - reads stdin',
    )
    .option(
      '--notify <url>',
      'post the diagnosis to a Slack incoming-webhook-compatible URL (repeatable; retried, never logged)',
      (url: string, previous: string[] = []) => [...previous, url],
    )
    .option('-i, --interactive', 'open the incident screen (aoi tui); with --apply, approve by key')
    .addHelpText(
      'after',
      [
        '',
        'Exit codes: 0 healthy (or mitigated by --apply), 1 incident found, 2 error, 3 incomplete (no incident',
        'found, but some reads failed: the output lists them).',
        '',
        'Examples:',
        '  aoi diagnose --sim k8s_target_port-misconfig-mitigation-1',
        '  aoi diagnose --sim k8s_target_port-misconfig-mitigation-1 --apply --policy standard --approve',
        '  aoi diagnose -n shop --context prod-readonly --output markdown',
        '  aoi diagnose deploy/frontend -n shop',
        '  aoi diagnose --alert alert.json --notify "$SLACK_WEBHOOK_URL"',
        '  aoi diagnose -i --sim k8s_target_port-misconfig-mitigation-1 --apply --policy standard',
        '',
      ].join('\n'),
    )
    .action(async (targetArg: string | undefined, options: DiagnoseCliOptions) => {
      process.exitCode = options.interactive
        ? await interactive(options, io, targetArg)
        : await diagnoseCommand(options, io, targetArg);
    });
}

/** `-i`: the same run on the incident screen; it acts only with --apply, as diagnose does. */
async function interactive(options: DiagnoseCliOptions, io: CliIO, targetArg?: string): Promise<number> {
  if (targetArg !== undefined || options.alert !== undefined || options.notify !== undefined)
    throw new AoiError(
      'usage',
      '-i diagnoses the namespace on screen; a target, --alert and --notify are not for -i',
      {
        hint: 'drop -i: aoi diagnose deploy/NAME or --alert FILE prints the answer (and --notify posts it)',
      },
    );
  if (options.approve || options.output !== undefined)
    throw new AoiError(
      'usage',
      '-i asks for approval by key and shows no --output; drop --approve and --output',
    );
  const { tuiCommand } = await import('./tui.js');
  return tuiCommand({ ...options, apply: options.apply === true }, io);
}
