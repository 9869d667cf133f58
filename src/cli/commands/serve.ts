import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
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

export interface ServeCliOptions extends IncidentCliOptions {
  host: string;
  port: number;
  concurrency: number;
  maxQueue: number;
  dedupWindow: number;
  notify?: string[];
  notifyAttempts: number;
  guidance?: string;
}

/**
 * `aoi serve`: an Alertmanager webhook receiver that diagnoses each new firing alert (read-only), prints one
 * JSONL line per answer on stdout and posts it to chat; runs until SIGINT/SIGTERM, then finishes what it took.
 */
export async function serveCommand(options: ServeCliOptions, io: CliIO): Promise<number> {
  if (options.apply)
    throw new AoiError('usage', 'aoi serve is read-only: it diagnoses and proposes, it does not act', {
      hint: 'act on a proposal with aoi act (policy, dry run, approval, audit), or aoi diagnose --alert FILE --apply',
    });
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
    const context = {
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
      concurrency: options.concurrency,
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
            trajectory: output.trajectory,
            message: slackMessage(output),
          })}\n`,
        ),
      ...(urls.length === 0 ? {} : { notifier }),
      log: (line) => io.stderr.write(`${line}\n`),
    });
    const url = await receiver.listen();
    io.stderr.write(
      `aoi: serving on ${url}: POST /alertmanager, GET /healthz, GET /metrics (read-only, reasoner ${chosen.reasoner.name}, ` +
        `${options.concurrency} at a time, queue ${options.maxQueue}, de-duplication window ${options.dedupWindow} s` +
        `${urls.length ? `, notifying ${notifier.targets.join(', ')}` : ''})\n`,
    );
    const signal = await io.untilInterrupted();
    io.stderr.write(`aoi: ${signal}: finishing the diagnoses already taken, then stopping\n`);
    await receiver.shutdown();
    await notifier.close();
    io.stderr.write('aoi: stopped\n');
    return EXIT.done;
  } finally {
    await target.close();
  }
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
      'policy for the verdicts shown with each proposal (default: default, read-only)',
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
        '',
      ].join('\n'),
    )
    .action(async (options: ServeCliOptions) => {
      process.exitCode = await serveCommand({ ...options, verifyTimeout: 0 }, io);
    });
}
