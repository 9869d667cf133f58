import type { Evidence, EvidenceAttributes } from '../core/evidence.js';
import type { ObservationCoverage, TelemetryCoverage } from '../core/observation-report.js';
import type { Result } from '../core/errors.js';
import { fail, ok } from '../core/errors.js';
import { analyzeAutoscalers } from './analyzers/autoscalers.js';
import { analyzeCertificates } from './analyzers/certificates.js';
import { analyzeBatch } from './analyzers/batch.js';
import { analyzeClusterDns } from './analyzers/cluster-dns.js';
import { analyzeStorageClasses } from './analyzers/storage-class.js';
import { analyzeAdmission } from './analyzers/admission.js';
import { analyzeStaticVolumes } from './analyzers/static-volumes.js';
import { analyzeConfig, correlateTls } from './analyzers/config.js';
import { analyzeEvents } from './analyzers/events.js';
import type { Finding } from './analyzers/finding.js';
import { analyzeInitContainers } from './analyzers/init-containers.js';
import { analyzeLogs } from './analyzers/logs.js';
import { analyzeMemoryLimits } from './analyzers/memory-limits.js';
import { analyzeNodes } from './analyzers/nodes.js';
import { analyzePods } from './analyzers/pods.js';
import { analyzeProbes } from './analyzers/probes.js';
import { analyzeProbeTiming } from './analyzers/probe-timing.js';
import { analyzeServices } from './analyzers/services.js';
import { analyzeStorage } from './analyzers/storage.js';
import { analyzeStrandedPods } from './analyzers/stranded-pods.js';
import type { BaselineOptions, MetricsSource } from './analyzers/telemetry.js';
import { analyzeTelemetry } from './analyzers/telemetry.js';
import type { TraceSource } from './analyzers/traces.js';
import { analyzeTraces } from './analyzers/traces.js';
import { analyzeWorkloads } from './analyzers/workloads.js';
import type { ClusterReader } from './cluster-reader.js';
import { RESOURCE_KINDS } from './cluster-reader.js';
import { showsIncident } from './incident-signs.js';
import { nameOf } from './k8s-types.js';
import { focusFirst } from './focus.js';
import { rankFindings } from './rank.js';
import { redactText } from './redact.js';
import type { Gap, Snapshot } from './snapshot.js';
import { collectSnapshot } from './snapshot.js';
import { fitToBudget } from './token-budget.js';

export interface ObserveOptions {
  /** Undefined: all namespaces. */
  namespace?: string;
  maxEvidenceTokens?: number;
  tailLines?: number;
  /** Only logs of the last N seconds (verification after a fix); undefined: the tail, whatever its age. */
  logsSinceSeconds?: number;
  /** A Prometheus API to read error ratios and latency from; without it, metrics are skipped. */
  metrics?: MetricsSource;
  /** Where metric baselines lie (default: 30 minutes ago, else 5 minutes ago for a young Prometheus). */
  metricsBaseline?: BaselineOptions;
  /** A Jaeger query API to sample traces from; without it, traces are skipped. */
  traces?: TraceSource;
  /** Where the metrics and trace URLs came from, for the coverage; a given source defaults to 'endpoint'. */
  telemetryVia?: { metrics?: TelemetryVia; traces?: TelemetryVia };
  /**
   * Components an alert or a scoped question names: their evidence and their call-graph neighbours' rank
   * first (focus.ts); the look is still namespace-wide.
   */
  focus?: readonly string[];
  /** The clock for observedAt; injectable for tests. */
  now?: () => Date;
  /** One line per finished phase (snapshot, metrics, traces), for progress on stderr. */
  onProgress?: (line: string) => void;
}

export interface ObservationReport {
  namespace?: string;
  transport: ClusterReader['transport'];
  evidence: Evidence[];
  /** Ranked evidence that did not fit the token budget. */
  dropped: number;
  gaps: Gap[];
  /** True when kept evidence shows an incident (see showsIncident). */
  incident: boolean;
  /** What was read and what could not be: incomplete coverage is never "healthy". */
  coverage: ObservationCoverage;
  stats: { requests: number; durationMs: number; objects: number; logs: number; tokens: number };
}

/** Every analyzer over one snapshot; analyzers are pure functions of it. */
export function analyzeSnapshot(s: Snapshot): Finding[] {
  const workloadNames = new Set([...s.deployments, ...s.statefulsets].map((w) => nameOf(w).toLowerCase()));
  return [
    ...analyzeNodes(s.nodes),
    ...analyzeStrandedPods(s.nodes, s.pods, s.replicasets, s.observedAt ?? new Date().toISOString()),
    ...analyzePods(s.pods, s.replicasets),
    ...analyzeWorkloads('Deployment', s.deployments, s.services, workloadNames, s.nodes),
    ...analyzeWorkloads('StatefulSet', s.statefulsets, s.services, workloadNames, s.nodes),
    ...analyzeServices(s.services, s.endpoints, s.pods),
    ...analyzeEvents(s.events, s.pods, s.replicasets),
    ...analyzeProbes(s.events, s.pods, s.replicasets),
    ...analyzeProbeTiming(s.events, s.pods, s.replicasets, s.logs),
    ...analyzeMemoryLimits(s.pods, s.replicasets),
    ...analyzeInitContainers(s.pods, s.replicasets),
    ...analyzeStorage(s.pvcs, s.pvs, s.pods, s.replicasets),
    ...analyzeLogs(s.logs, s.pods, s.services, s.replicasets),
    ...analyzeConfig(s.configmaps, [...s.deployments, ...s.statefulsets], s.pods, s.replicasets, s.logs),
    ...analyzeClusterDns(s.clusterDns ?? [], s.logs, s.pods, s.replicasets),
    ...analyzeStorageClasses(s.pvcs, s.events, s.pods, s.replicasets),
    ...analyzeAdmission({
      events: s.events,
      replicasets: s.replicasets,
      deployments: s.deployments,
      statefulsets: s.statefulsets,
      quotas: s.resourceQuotas,
      limitRanges: s.limitRanges,
    }),
    ...analyzeStaticVolumes(s.pvcs, s.pvs, s.pods, s.replicasets),
    ...analyzeBatch({
      jobs: s.jobs,
      cronJobs: s.cronJobs,
      pods: s.pods,
      events: s.events,
      logs: s.logs,
      now: s.observedAt ?? new Date().toISOString(),
    }),
    ...analyzeCertificates({
      certificates: s.certificates ?? [],
      pods: s.pods,
      replicasets: s.replicasets,
      logs: s.logs,
      now: s.observedAt ?? new Date().toISOString(),
    }),
  ];
}

function gapFinding(gap: Gap): Finding {
  return {
    source: 'kubernetes',
    subject: { kind: 'Gap', name: gap.what, ...(gap.namespace ? { namespace: gap.namespace } : {}) },
    signal: 'gap',
    severity: 'info',
    score: 1,
    summary: `could not read ${gap.what} (${gap.code}): ${gap.message}`.slice(0, 500),
  };
}

function redactAttributes(attributes: EvidenceAttributes): EvidenceAttributes {
  return Object.fromEntries(
    Object.entries(attributes).map(([k, v]) => [k, typeof v === 'string' ? redactText(v).slice(0, 500) : v]),
  );
}

/** Reads the cluster once and returns ranked, cited, redacted, token-budgeted evidence. */
export async function observe(
  reader: ClusterReader,
  options: ObserveOptions = {},
): Promise<Result<ObservationReport>> {
  const started = performance.now();
  const now = (options.now ?? (() => new Date()))().toISOString();
  const snapshot = await collectSnapshot(reader, {
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    ...(options.tailLines === undefined ? {} : { tailLines: options.tailLines }),
    ...(options.logsSinceSeconds === undefined ? {} : { logsSinceSeconds: options.logsSinceSeconds }),
  });
  if (!snapshot.ok) return fail(snapshot.error.code, snapshot.error.message);
  const s = snapshot.value;
  const progress = (what: string) =>
    options.onProgress?.(`${what} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  progress(
    `read ${s.pods.length} pods, ${s.events.length} warning events and ${s.logs.length} logs in ` +
      `${reader.requestCount()} requests`,
  );
  let findings: Finding[];
  try {
    findings = analyzeSnapshot(s);
  } catch (error) {
    return fail('internal', `an analyzer failed: ${(error as Error).message}`);
  }
  const telemetryGaps = { metrics: 0, traces: 0 };
  if (options.metrics) {
    const telemetry = await analyzeTelemetry(options.metrics, options.namespace, s, options.metricsBaseline);
    findings.push(...telemetry.findings);
    s.gaps.push(...telemetry.gaps);
    telemetryGaps.metrics = telemetry.gaps.length;
    progress(`metrics: ${telemetry.findings.length} finding(s), ${telemetry.gaps.length} gap(s)`);
  }
  if (options.traces) {
    const focus = findings
      .filter((f) => f.severity !== 'info')
      .flatMap((f) => [...(f.component === undefined ? [] : [f.component]), ...(f.blames ?? [])]);
    // Jaeger knows no namespaces: its services count as this namespace's only when they are its workloads.
    const components = [...s.deployments, ...s.statefulsets, ...s.services].map((o) => nameOf(o));
    const traced = await analyzeTraces(options.traces, {
      ...(options.namespace === undefined ? {} : { namespace: options.namespace, components }),
      focus,
    });
    findings.push(...traced.findings);
    s.gaps.push(...traced.gaps);
    telemetryGaps.traces = traced.gaps.length;
    progress(`traces: ${traced.findings.length} finding(s), ${traced.gaps.length} gap(s)`);
  }
  // Autoscalers are read against what telemetry found about their targets.
  findings.push(...analyzeAutoscalers(s.autoscalers, findings));
  const ranked = [
    ...focusFirst(rankFindings(correlateTls(findings)), options.focus ?? []),
    ...s.gaps.map(gapFinding),
  ];
  const evidence: Evidence[] = ranked.map((f, i) => ({
    id: `ev-${i + 1}`,
    source: f.source,
    subject: f.subject,
    signal: f.signal.slice(0, 64),
    severity: f.severity,
    summary: redactText(f.summary).slice(0, 500),
    ...(f.excerpt === undefined ? {} : { excerpt: redactText(f.excerpt).slice(0, 2000) }),
    observedAt: now,
    ...(f.component === undefined ? {} : { component: f.component }),
    ...(f.blames === undefined || f.blames.length === 0 ? {} : { blames: f.blames.slice(0, 20) }),
    ...(f.attributes === undefined ? {} : { attributes: redactAttributes(f.attributes) }),
  }));
  const budget = fitToBudget(evidence, options.maxEvidenceTokens ?? 4000);
  const objects =
    s.nodes.length +
    s.pods.length +
    s.deployments.length +
    s.statefulsets.length +
    s.replicasets.length +
    s.services.length +
    s.endpoints.length +
    s.events.length +
    s.pvcs.length +
    s.pvs.length +
    s.configmaps.length;
  return ok({
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    transport: reader.transport,
    // Renumbered after the budget so ids run ev-1, ev-2, … in rank order.
    evidence: budget.kept.map((e, i) => ({ ...e, id: `ev-${i + 1}` })),
    dropped: budget.dropped.length,
    gaps: s.gaps,
    incident: showsIncident(budget.kept),
    coverage: coverageOf(s, {
      prometheus: telemetryCoverage(options.metrics, options.telemetryVia?.metrics, telemetryGaps.metrics),
      jaeger: telemetryCoverage(options.traces, options.telemetryVia?.traces, telemetryGaps.traces),
    }),
    stats: {
      requests: reader.requestCount(),
      durationMs: Math.round(performance.now() - started),
      objects,
      logs: s.logs.length,
      tokens: budget.tokens,
    },
  });
}

export type TelemetryVia = NonNullable<TelemetryCoverage['via']>;

function telemetryCoverage(source: unknown, via: TelemetryVia | undefined, gaps: number): TelemetryCoverage {
  return source === undefined
    ? { via: null, found: false, gaps: 0 }
    : { via: via ?? 'endpoint', found: true, gaps };
}

/** What the snapshot holds per kind (null for a kind that could not be read), its logs and every gap. */
function coverageOf(s: Snapshot, telemetry: ObservationCoverage['telemetry']): ObservationCoverage {
  const unread = new Set(s.gaps.map((g) => g.what));
  const held: Record<(typeof RESOURCE_KINDS)[number], readonly unknown[]> = {
    nodes: s.nodes,
    pods: s.pods,
    deployments: s.deployments,
    statefulsets: s.statefulsets,
    replicasets: s.replicasets,
    services: s.services,
    endpoints: s.endpoints,
    events: s.events,
    persistentvolumeclaims: s.pvcs,
    persistentvolumes: s.pvs,
    configmaps: s.configmaps,
    resourcequotas: s.resourceQuotas,
    limitranges: s.limitRanges,
    horizontalpodautoscalers: s.autoscalers,
    jobs: s.jobs,
    cronjobs: s.cronJobs,
  };
  return {
    complete: s.gaps.length === 0,
    kinds: Object.fromEntries(RESOURCE_KINDS.map((k) => [k, unread.has(k) ? null : held[k].length])),
    logs: {
      read: s.logs.length,
      forbidden: s.gaps.filter((g) => g.what.startsWith('logs of ')).length,
      failed: s.logFailures ?? 0,
    },
    telemetry,
    gaps: s.gaps,
  };
}
