import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { AoiError } from '../../core/errors.js';
import type { Evidence } from '../../core/evidence.js';
import type { ClusterReader } from '../../observer/cluster-reader.js';
import type { MetricsSource } from '../../observer/analyzers/telemetry.js';
import type { TraceSource } from '../../observer/analyzers/traces.js';
import type { ObservationReport, ObserveOptions } from '../../observer/observe.js';
import { EXIT } from '../exit-codes.js';
import { coverageLine, gapLines, unreadList } from '../render-coverage.js';
import { parseWhole } from '../incident-setup.js';
import type { CliIO } from '../io.js';
import type { TelemetryAuthFlags, TelemetryAuthOptions } from '../telemetry-auth.js';
import { addTelemetryAuthOptions } from '../telemetry-auth.js';

/** The token options over config (`telemetry.*.bearerTokenFile`), token files read. */
async function telemetryAuthFor(options: TelemetryAuthFlags, io: CliIO): Promise<TelemetryAuthOptions> {
  const [{ loadConfig }, { telemetryAuth }] = await Promise.all([
    import('../../core/config.js'),
    import('../telemetry-auth.js'),
  ]);
  return telemetryAuth(options, await loadConfig({ env: io.env }));
}

interface ObserveCliOptions extends TelemetryAuthFlags {
  namespace?: string;
  allNamespaces?: boolean;
  output: 'text' | 'json';
  kubeconfig?: string;
  context?: string;
  maxEvidenceTokens: number;
  transport: 'api' | 'kubectl';
  prometheusUrl?: string;
  jaegerUrl?: string;
  sim?: string;
  seed: number;
}

interface ObserveSources {
  reader: ClusterReader;
  metrics?: MetricsSource;
  traces?: TraceSource;
  telemetryVia?: ObserveOptions['telemetryVia'];
  /** The namespace the target implies (a simulated problem's, or the kubeconfig context's). */
  namespace?: string;
  close(): Promise<void>;
}

/** The embedded simulator with the problem injected (metrics and traces included), or the kubeconfig's cluster. */
async function openSources(options: ObserveCliOptions, io: CliIO): Promise<ObserveSources> {
  if (options.sim !== undefined) {
    const flags = ['kubeconfig', 'context', 'prometheusUrl', 'jaegerUrl'] as const;
    if (options.transport === 'kubectl' || flags.some((f) => options[f] !== undefined))
      throw new AoiError(
        'usage',
        '--sim observes the embedded simulator; leave out the cluster and telemetry flags',
      );
    const { simTarget } = await import('../cluster-target.js');
    return simTarget(options.sim, options.seed, io.env);
  }
  const [
    { createApiReader, kubeNamespace },
    { createKubectlReader },
    { telemetryFor },
    { observationError },
  ] = await Promise.all([
    import('../../observer/api-reader.js'),
    import('../../observer/kubectl-reader.js'),
    import('../cluster-target.js'),
    import('../../incident/observation-error.js'),
  ]);
  const target = {
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
    ...(options.context === undefined ? {} : { context: options.context }),
  };
  // Checked for both transports: no kubeconfig or no current context is said as such, not as a failed read.
  const contextNamespace = kubeNamespace(target);
  if (!contextNamespace.ok) throw observationError(contextNamespace.error);
  let reader: ClusterReader;
  if (options.transport === 'kubectl') reader = createKubectlReader({ ...target, env: io.env });
  else {
    const made = createApiReader(target);
    if (!made.ok) throw observationError(made.error);
    reader = made.value;
  }
  const namespace = options.namespace ?? contextNamespace.value;
  const { metrics, traces, notice, via } = await telemetryFor(reader, target, {
    ...(options.prometheusUrl === undefined ? {} : { prometheusUrl: options.prometheusUrl }),
    ...(options.jaegerUrl === undefined ? {} : { jaegerUrl: options.jaegerUrl }),
    ...(namespace === undefined ? {} : { namespace }),
    auth: await telemetryAuthFor(options, io),
  });
  if (notice !== undefined) io.stderr.write(`aoi: ${notice}\n`);
  return {
    reader,
    telemetryVia: via,
    ...(contextNamespace.value === undefined ? {} : { namespace: contextNamespace.value }),
    ...(metrics === undefined ? {} : { metrics }),
    ...(traces === undefined ? {} : { traces }),
    close: () => Promise.resolve(),
  };
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
  lines.push(`Coverage: ${coverageLine(report.coverage)}`);
  for (const gap of gapLines(report.coverage)) lines.push(`Unread:   ${gap}`);
  lines.push(
    report.incident
      ? 'Incident: yes (error evidence, or warnings about one component from two sources).'
      : report.coverage.complete
        ? 'Incident: no.'
        : `Incident: none seen, but INCOMPLETE: could not read ${unreadList(report.coverage)}.`,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Progress on stderr for an observation that takes a while (a big cluster, a slow API server): quiet while
 * it is quick, then every phase so far and each one after.
 */
export function slowProgress(io: CliIO, afterMs = 2000): (line: string) => void {
  const started = performance.now();
  const held: string[] = [];
  let showing = false;
  return (line) => {
    held.push(line);
    if (!showing && performance.now() - started < afterMs) return;
    showing = true;
    for (const l of held.splice(0)) io.stderr.write(`aoi: observe: ${l}\n`);
  };
}

/** `aoi observe`: read the cluster with the read-only credential and print ranked evidence. */
export async function observeCommand(options: ObserveCliOptions, io: CliIO): Promise<number> {
  if (options.namespace !== undefined && options.allNamespaces)
    throw new AoiError('usage', 'use either --namespace or --all-namespaces, not both');
  const { observe } = await import('../../observer/observe.js');
  const sources = await openSources(options, io);
  let result;
  try {
    const namespace = options.allNamespaces
      ? undefined
      : (options.namespace ?? sources.namespace ?? 'default');
    result = await observe(sources.reader, {
      ...(namespace === undefined ? {} : { namespace }),
      maxEvidenceTokens: options.maxEvidenceTokens,
      onProgress: slowProgress(io),
      ...(sources.metrics === undefined ? {} : { metrics: sources.metrics }),
      ...(sources.traces === undefined ? {} : { traces: sources.traces }),
      ...(sources.telemetryVia === undefined ? {} : { telemetryVia: sources.telemetryVia }),
    });
  } finally {
    await sources.close();
  }
  if (!result.ok) throw (await import('../../incident/observation-error.js')).observationError(result.error);
  io.stdout.write(
    options.output === 'json' ? `${JSON.stringify(result.value, null, 2)}\n` : renderText(result.value),
  );
  if (result.value.incident) return EXIT.incident;
  return result.value.coverage.complete ? EXIT.done : EXIT.incomplete;
}

export function registerObserve(program: Command, io: CliIO): void {
  program
    .command('observe')
    .description(
      'Read the cluster (read-only) and print ranked, redacted evidence; exit 1 when an incident is found, 3 when some reads failed',
    )
    .option(
      '-n, --namespace <name>',
      "namespace to observe (default: the --sim problem's, else the kubeconfig context's, else default)",
    )
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
      'Prometheus API to read error rates and latency from (no credentials unless it is the API server, or --prometheus-token-file)',
    )
    .option(
      '--jaeger-url <url>',
      'Jaeger query API to sample traces from (no credentials unless it is the API server, or --jaeger-token-file)',
    )
    .option('--sim <problem>', 'observe the embedded simulated cluster with this AIOpsLab problem injected')
    .option('--seed <n>', 'random seed of the simulated cluster', parseWhole(0), 42)
    .addHelpText(
      'after',
      '\nExamples:\n  aoi observe -n test-hotel-reservation\n  aoi observe --sim k8s_target_port-misconfig-detection-1\n  aoi observe -A --output json --transport kubectl\n',
    )
    .action(async (options: ObserveCliOptions) => {
      process.exitCode = await observeCommand(options, io);
    });
  addTelemetryAuthOptions(program.commands.find((c) => c.name() === 'observe')!);
}
