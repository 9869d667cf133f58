import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { AoiError } from '../../core/errors.js';
import type { Policy } from '../../core/policy.js';
import { resolveStateDir, simStateDir, statePaths } from '../../core/state-dir.js';
import type { IncidentOptions } from '../../incident/run-incident.js';
import type { ClusterTarget } from '../cluster-target.js';
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

export interface ServeCliOptions extends IncidentCliOptions {
  host: string;
  port: number;
  concurrency: number;
  maxQueue: number;
  dedupWindow: number;
  notify?: string[];
  notifyAttempts: number;
  guidance?: string;
  approve?: boolean;
}

/**
 * `aoi serve`: an Alertmanager webhook receiver that diagnoses each new firing alert (read-only), prints one
 * JSONL line per answer on stdout and posts it to chat; runs until SIGINT/SIGTERM, then finishes what it took.
 */
export async function serveCommand(options: ServeCliOptions, io: CliIO): Promise<number> {
  if (options.apply && options.policy === undefined)
    throw new AoiError(
      'usage',
      '--apply needs --policy: aoi serve acts only on what a policy you name allows',
      {
        hint: 'e.g. aoi serve --apply --policy standard (add --approve to approve what it marks approve)',
      },
    );
  if (options.approve && !options.apply)
    throw new AoiError('usage', '--approve only makes sense with --apply');
  const [{ loadConfig }, { loadPolicy }, { AlertReceiver }, { diagnoseAlert }, { parseWebhookUrl }] =
    await Promise.all([
      import('../../core/config.js'),
      import('../../executor/load-policy.js'),
      import('../../serve/receiver.js'),
      import('../serve-diagnose.js'),
      import('../../notify/webhook-url.js'),
    ]);
  // $AOI_NOTIFY_URL keeps the secret URL out of the command line (ps, the pod spec): deploy/serve.yaml.
  const fromEnv = io.env['AOI_NOTIFY_URL'] ? [io.env['AOI_NOTIFY_URL']] : [];
  const urls = [...(options.notify ?? []), ...fromEnv].map(parseWebhookUrl);
  const config = await loadConfig({ env: io.env });
  const stateDir = options.stateDir ?? resolveStateDir(io.env);
  const paths = statePaths(stateDir);
  const policy = await loadPolicy(options.policy ?? config.executor.policy);
  const target = await openTarget(options, config, io);
  try {
    const chosen = await reasonerFor(options, config, target);
    if (chosen.notice) io.stderr.write(`aoi: ${chosen.notice}\n`);
    const { guidanceSelector, loadGuidanceLibrary } = await import('./bench.js');
    const selectGuidance = guidanceSelector(
      await loadGuidanceLibrary(options.guidance ?? paths.guidance, io),
    );
    const { Notifier } = await import('../../notify/notifier.js');
    const notifier = await Notifier.open(urls, stateDir, { attempts: options.notifyAttempts });
    const act = options.apply ? await actingFor(options, target, policy, stateDir) : undefined;
    const context = {
      ...(act === undefined ? {} : { act }),
      target,
      reasoner: chosen.reasoner,
      policy,
      options,
      trajectoriesDir: paths.trajectories,
      defaultNamespace: options.namespace ?? target.namespace ?? 'default',
      ...(selectGuidance === undefined ? {} : { selectGuidance }),
    };
    const { slackMessage } = await import('../../notify/slack-message.js');
    const receiver = new AlertReceiver({
      host: options.host,
      port: options.port,
      // Acting runs one incident at a time: two alerts of one incident must not apply the same fix at once.
      concurrency: options.apply ? 1 : options.concurrency,
      maxQueue: options.maxQueue,
      dedupWindowMs: options.dedupWindow * 1000,
      diagnose: (alert) => diagnoseAlert(context, alert),
      onAnswer: ({ received, output, timeToAnswerMs }) =>
        io.stdout.write(
          `${JSON.stringify({
            type: 'diagnosis',
            at: new Date().toISOString(),
            fingerprint: received.fingerprint,
            groupKey: received.groupKey,
            timeToAnswerMs,
            run: output.id,
            verdict: output.verdict,
            faultyComponents: output.faultyComponents,
            actions: output.actions.map((a) => ({ kind: a.action.kind, status: a.status })),
            trajectory: output.trajectory,
            message: slackMessage(output),
          })}\n`,
        ),
      ...(urls.length === 0 ? {} : { notifier }),
      log: (line) => io.stderr.write(`${line}\n`),
    });
    const url = await receiver.listen();
    const mode = options.apply
      ? `acting under policy ${options.policy}, ${options.approve ? "what it marks 'approve' approved by --approve" : "what it marks 'approve' not applied (no --approve)"}`
      : 'read-only';
    io.stderr.write(
      `aoi: serving on ${url}: POST /alertmanager, GET /healthz, GET /metrics (${mode}, reasoner ${chosen.reasoner.name}, ` +
        `${options.apply ? 1 : options.concurrency} at a time, queue ${options.maxQueue}, de-duplication window ${options.dedupWindow} s` +
        `${urls.length ? `, notifying ${notifier.targets.join(', ')}` : ''})\n`,
    );
    const signal = await io.untilInterrupted();
    io.stderr.write(`aoi: ${signal}: finishing the diagnoses already taken, then stopping\n`);
    await receiver.shutdown();
    await notifier.close();
    await act?.audit.close();
    io.stderr.write('aoi: stopped\n');
    return EXIT.done;
  } finally {
    await target.close();
  }
}

/**
 * The executor for --apply: the policy named, an approval mode fixed at start (--approve, or nobody: what the
 * policy wants approved is recorded not-asked), the audit log (a simulated cluster's in the sim subtree).
 */
async function actingFor(
  options: ServeCliOptions,
  target: ClusterTarget,
  policy: Policy,
  stateDir: string,
): Promise<NonNullable<IncidentOptions['act']>> {
  const [{ AuditLog }, approval, clients] = await Promise.all([
    import('../../executor/audit-log.js'),
    import('../../executor/approval.js'),
    target.executorClients(),
  ]);
  const auditDir = options.sim === undefined ? stateDir : simStateDir(stateDir);
  return {
    policy,
    approver: options.approve ? approval.preApprovedApprover(['*']) : approval.unattendedApprover,
    audit: await AuditLog.open(statePaths(auditDir).audit),
    clients,
    actor: 'aoi serve',
  };
}

function parseListenHost(value: string): string {
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(value))
    throw new InvalidArgumentError('must be a host name or an IP address.');
  return value;
}

export function registerServe(program: Command, io: CliIO): void {
  addReasonerOptions(addTargetOptions(program.command('serve')))
    .description(
      'Receive Alertmanager webhooks and diagnose each new alert (read-only); answers on stdout (JSONL) and in chat',
    )
    .option('--host <address>', 'address to listen on (0.0.0.0 in a pod)', parseListenHost, '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port)', parseWhole(0), 9095)
    .option(
      '-n, --namespace <name>',
      "namespace for alerts without a namespace label (default: the context's)",
    )
    .option('--concurrency <n>', 'diagnoses at a time', parseWhole(1), 2)
    .option(
      '--max-queue <n>',
      'alerts waiting at most; beyond, the webhook answers 503 and Alertmanager retries',
      parseWhole(0),
      50,
    )
    .option(
      '--dedup-window <seconds>',
      'one diagnosis per alert (group key + fingerprint) within this window',
      parseWhole(0),
      3600,
    )
    .option(
      '--notify <url>',
      'post each diagnosis to a Slack incoming-webhook-compatible URL (repeatable; also $AOI_NOTIFY_URL; never logged)',
      (url: string, previous: string[] = []) => [...previous, url],
    )
    .option('--notify-attempts <n>', 'tries per notification (exponential backoff between)', parseWhole(1), 4)
    .option(
      '--policy <name|file>',
      'policy for the verdicts shown with each proposal, and for --apply (default: default, read-only)',
    )
    .option(
      '--apply',
      'act on proposals the --policy allows, through the executor (dry run, verify, rollback, audit); one at a time',
    )
    .option(
      '--approve',
      "with --apply: approve what the policy marks 'approve' (else those are recorded not-asked)",
    )
    .option(
      '--verify-timeout <seconds>',
      'with --apply: how long to watch for the incident to clear',
      parseWhole(1),
      120,
    )
    .option(
      '--state-dir <dir>',
      'where trajectories and notifications.jsonl go (default: $AOI_STATE_DIR or ~/.local/state/aoi)',
    )
    .option('--guidance <dir>', 'guidance library to retrieve from (default: <state dir>/guidance)')
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
        'Alertmanager receiver (alertmanager.yml):',
        '  receivers:',
        '    - name: aoi',
        '      webhook_configs:',
        '        - url: http://aoi.aoi-system.svc:9095/alertmanager',
        '',
        'Examples:',
        '  aoi serve --notify "$SLACK_WEBHOOK_URL"',
        '  aoi serve --sim astronomy_shop_cart_service_failure-localization-1 --port 0',
        '  aoi serve --sim k8s_target_port-misconfig-mitigation-1 --apply --policy standard --approve',
        '',
      ].join('\n'),
    )
    .action(async (options: ServeCliOptions) => {
      process.exitCode = await serveCommand(options, io);
    });
}
