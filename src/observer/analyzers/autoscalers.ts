/**
 * HorizontalPodAutoscalers against what their targets show. An HPA whose controller reports ScalingLimited
 * True / TooManyReplicas ("the desired replica count is more than the maximum replica count",
 * kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go) while it holds its target at maxReplicas
 * wants more pods than it may have. That alone is a capacity fact (info): it becomes the incident when the
 * target's own latency or CPU findings show the pods it has cannot keep up. An HPA that cannot read its
 * metric (ScalingActive False, e.g. FailedGetResourceMetric for a target without CPU requests) scales nothing.
 *
 * Runs after the telemetry analyzers: it reads their findings about the target.
 */
import type { HorizontalPodAutoscaler } from '../k8s-types.js';
import type { Finding } from './finding.js';
import { clip, subjectOf } from './finding.js';

/**
 * What a target shows when the pods it has cannot keep up with its load. CPU above target is what
 * TooManyReplicas means in the first place, so a CPU finding only corroborates (it is named, not required).
 */
const DEGRADED = new Set(['LatencyHigh', 'TraceEdgeLatency', 'PeerLatency', 'ErrorRateHigh']);
const CORROBORATING = new Set(['CpuHigh', 'TrafficSpike']);

interface CpuReading {
  current?: number;
  target?: number;
}

function cpuOf(hpa: HorizontalPodAutoscaler): CpuReading {
  const spec = (hpa.spec?.metrics ?? []) as {
    type?: string;
    resource?: { name?: string; target?: { averageUtilization?: number } };
  }[];
  const status = (hpa.status?.currentMetrics ?? []) as {
    type?: string;
    resource?: { name?: string; current?: { averageUtilization?: number } };
  }[];
  const target = spec.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu')?.resource?.target;
  const current = status.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu')?.resource?.current;
  return {
    ...(typeof current?.averageUtilization === 'number' ? { current: current.averageUtilization } : {}),
    ...(typeof target?.averageUtilization === 'number' ? { target: target.averageUtilization } : {}),
  };
}

/** Whether a finding with one of `signals` is about the target (or calls to it). */
function aboutTarget(f: Finding, target: string, signals: ReadonlySet<string>): boolean {
  if (!signals.has(f.signal) || f.severity === 'info') return false;
  return f.component === target || (f.blames ?? []).includes(target);
}

export function analyzeAutoscalers(
  hpas: readonly HorizontalPodAutoscaler[],
  findings: readonly Finding[],
): Finding[] {
  const out: Finding[] = [];
  for (const hpa of hpas) {
    const target = hpa.spec?.scaleTargetRef?.name;
    if (!target) continue;
    const name = hpa.metadata?.name ?? '?';
    const ns = hpa.metadata?.namespace;
    const conditions = hpa.status?.conditions ?? [];
    const limited = conditions.find((c) => c.type === 'ScalingLimited');
    const active = conditions.find((c) => c.type === 'ScalingActive');
    const max = hpa.spec?.maxReplicas;
    const current = hpa.status?.currentReplicas ?? 0;
    const base = {
      source: 'kubernetes' as const,
      subject: subjectOf('HorizontalPodAutoscaler', hpa),
      component: target,
      attributes: {
        autoscaler: name,
        ...(ns ? { autoscalerNamespace: ns } : {}),
        target,
        targetKind: hpa.spec?.scaleTargetRef?.kind ?? 'Deployment',
        currentReplicas: current,
        ...(max === undefined ? {} : { maxReplicas: max }),
        ...(hpa.spec?.minReplicas === undefined ? {} : { minReplicas: hpa.spec.minReplicas }),
      },
    };
    if (active?.status === 'False') {
      out.push({
        ...base,
        signal: 'AutoscalerInactive',
        severity: 'warning',
        score: 30,
        summary: clip(
          `HorizontalPodAutoscaler ${name} cannot scale ${target}: ${active.reason ?? 'ScalingActive False'}`,
          500,
        ),
        excerpt: `ScalingActive False ${active.reason ?? ''}: ${active.message ?? ''}`,
      });
      continue;
    }
    if (limited?.status !== 'True' || limited.reason !== 'TooManyReplicas' || max === undefined) continue;
    if (current < max) continue;
    const cpu = cpuOf(hpa);
    const wanted =
      cpu.current !== undefined && cpu.target ? Math.ceil((current * cpu.current) / cpu.target) : undefined;
    const degraded = findings.filter((f) => aboutTarget(f, target, DEGRADED));
    const corroborating = findings.filter((f) => aboutTarget(f, target, CORROBORATING));
    const signals = [...new Set([...degraded, ...corroborating].map((f) => f.signal))].sort();
    const usage =
      cpu.current !== undefined && cpu.target !== undefined
        ? `CPU at ${cpu.current}% of requests against a ${cpu.target}% target`
        : 'its metric above target';
    const attributes = {
      ...base.attributes,
      ...(cpu.current === undefined ? {} : { cpuUtilization: cpu.current }),
      ...(cpu.target === undefined ? {} : { cpuTarget: cpu.target }),
      ...(wanted === undefined ? {} : { wantedReplicas: wanted }),
      ...(signals.length > 0 ? { targetSignals: signals.join(',') } : {}),
    };
    const excerpt = `ScalingLimited True TooManyReplicas: ${limited.message ?? ''}`;
    if (degraded.length === 0) {
      out.push({
        ...base,
        attributes,
        signal: 'AutoscalerAtMax',
        severity: 'info',
        score: 5,
        summary: clip(
          `HorizontalPodAutoscaler ${name} holds ${target} at its maxReplicas ${max} (${usage}); ` +
            `nothing shows ${target} slow or failing`,
          500,
        ),
        excerpt,
      });
      continue;
    }
    out.push({
      ...base,
      attributes,
      signal: 'AutoscalerAtMax',
      severity: 'error',
      score: 90,
      summary: clip(
        `HorizontalPodAutoscaler ${name} holds ${target} at its maxReplicas ${max} with ${usage}` +
          `${wanted === undefined ? '' : ` (it would run about ${wanted})`}, while ${target} degrades ` +
          `(${signals.join(', ')}): the pods it may have cannot carry the load`,
        500,
      ),
      excerpt,
    });
  }
  return out;
}
