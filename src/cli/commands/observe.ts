import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { AoiError } from '../../core/errors.js';
import type { Evidence } from '../../core/evidence.js';
import type { CliIO } from '../io.js';
import type { ObservationReport } from '../../observer/observe.js';

interface ObserveCliOptions {
  namespace?: string;
  allNamespaces?: boolean;
  output: 'text' | 'json';
  kubeconfig?: string;
  context?: string;
  maxEvidenceTokens: number;
  transport: 'api' | 'kubectl';
  prometheusUrl?: string;
}

function parseTokens(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 100)
    throw new InvalidArgumentError('must be a whole number of at least 100.');
  return Number(value);
}

export function renderText(report: ObservationReport): string {
  const scope = report.namespace === undefined ? 'all namespaces' : `namespace ${report.namespace}`;
  const lines = [
    `aoi observe: ${scope} via ${report.transport}: ${report.evidence.length} evidence item(s)` +
      `${report.dropped > 0 ? ` (${report.dropped} more over the token budget)` : ''}, ` +
      `${report.stats.requests} requests in ${report.stats.durationMs} ms`,
  ];
  const label = (e: Evidence) =>
    `${e.subject.kind}/${e.subject.namespace ? `${e.subject.namespace}/` : ''}${e.subject.name}`;
  for (const e of report.evidence) {
    lines.push(`${e.id.padEnd(6)} ${e.severity.padEnd(8)} ${e.signal.padEnd(20)} ${label(e)}`);
    lines.push(`       ${e.summary}`);
    if (e.excerpt) for (const line of e.excerpt.split('\n').slice(0, 6)) lines.push(`       | ${line}`);
  }
  lines.push(report.incident ? 'Incident: yes (error or critical evidence found).' : 'Incident: no.');
  return `${lines.join('\n')}\n`;
}

/** `aoi observe`: read the cluster with the read-only credential and print ranked evidence. */
export async function observeCommand(options: ObserveCliOptions, io: CliIO): Promise<number> {
  if (options.namespace !== undefined && options.allNamespaces)
    throw new AoiError('usage', 'use either --namespace or --all-namespaces, not both');
  const [{ observe }, { createApiReader, kubeCredentials }, { createKubectlReader }, { PrometheusReader }] =
    await Promise.all([
      import('../../observer/observe.js'),
      import('../../observer/api-reader.js'),
      import('../../observer/kubectl-reader.js'),
      import('../../observer/prometheus-reader.js'),
    ]);
  const target = {
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
    ...(options.context === undefined ? {} : { context: options.context }),
  };
  let reader;
  if (options.transport === 'kubectl') reader = createKubectlReader({ ...target, env: io.env });
  else {
    const made = createApiReader(target);
    if (!made.ok)
      throw new AoiError('config', made.error.message, {
        hint: 'Pass --kubeconfig PATH and --context NAME.',
      });
    reader = made.value;
  }
  let metrics: InstanceType<typeof PrometheusReader> | undefined;
  if (options.prometheusUrl !== undefined) {
    const credentials = kubeCredentials(target);
    if (!credentials.ok) throw new AoiError('config', credentials.error.message);
    metrics = new PrometheusReader({ url: options.prometheusUrl, ...credentials.value });
  }
  const namespace = options.allNamespaces ? undefined : (options.namespace ?? 'default');
  const result = await observe(reader, {
    ...(namespace === undefined ? {} : { namespace }),
    maxEvidenceTokens: options.maxEvidenceTokens,
    ...(metrics === undefined ? {} : { metrics }),
  });
  if (!result.ok) {
    const unreachable = result.error.code === 'cluster-unreachable';
    throw new AoiError(
      unreachable ? 'cluster-unreachable' : 'internal',
      `${unreachable ? 'cannot reach the cluster' : 'observation failed'}: ${result.error.message}`,
      {
        hint: unreachable
          ? 'Check the server address in the kubeconfig and that the cluster is up.'
          : 'Run again; report it if it persists.',
      },
    );
  }
  io.stdout.write(
    options.output === 'json' ? `${JSON.stringify(result.value, null, 2)}\n` : renderText(result.value),
  );
  return result.value.incident ? 1 : 0;
}

export function registerObserve(program: Command, io: CliIO): void {
  program
    .command('observe')
    .description(
      'Read the cluster (read-only) and print ranked, redacted evidence; exit 1 when an incident is found',
    )
    .option('-n, --namespace <name>', 'namespace to observe (default: default)')
    .option('-A, --all-namespaces', 'observe every namespace')
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('--max-evidence-tokens <n>', 'token budget for the evidence set', parseTokens, 4000)
    .addOption(
      new Option('--transport <kind>', 'how to read the cluster').choices(['api', 'kubectl']).default('api'),
    )
    .option(
      '--prometheus-url <url>',
      "Prometheus API to read error rates and latency from (uses the kubeconfig's token and CA)",
    )
    .addHelpText(
      'after',
      '\nExamples:\n  aoi observe -n test-hotel-reservation\n  aoi observe -A --output json --transport kubectl\n',
    )
    .action(async (options: ObserveCliOptions) => {
      process.exitCode = await observeCommand(options, io);
    });
}
