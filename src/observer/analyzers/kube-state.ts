/**
 * What kube-state-metrics says about restarts and availability, per workload: containers restarted in the
 * last window, fewer available replicas than desired, pods stuck Pending/Failed or containers waiting. The
 * observer reads the same facts from the API server, so these corroborate (severity info) rather than add
 * weight; they matter where the API server's view is partial or where only Prometheus is at hand.
 */
import type { Gap } from '../snapshot.js';
import type { MetricsSource } from '../metric-detect.js';
import type { ResourceFamily } from '../metric-dialects.js';
import { RESOURCE_FAMILIES, inScopeOf } from '../metric-dialects.js';
import type { WorkloadMap } from '../metric-workloads.js';
import { workloadKey } from '../metric-workloads.js';
import type { Finding } from './finding.js';
import { idLabels, okOr, round, selector, sumByWorkload } from './metric-query.js';

const RESTART_WINDOW = '10m';

export async function analyzeKubeState(
  metrics: MetricsSource,
  namespace: string | undefined,
  inScope: ReadonlySet<string>,
  map: WorkloadMap,
): Promise<{ findings: Finding[]; gaps: Gap[] }> {
  const gaps: Gap[] = [];
  const families = RESOURCE_FAMILIES.filter(
    (f) =>
      ['restarts', 'available', 'desired', 'phase', 'waiting'].includes(f.signal) && inScopeOf(inScope, f),
  );
  const read = async (f: ResourceFamily) => {
    const sel = `${f.metric}${selector(f.who, namespace, f.only)}`;
    const extra = f.signal === 'waiting' ? ', reason' : f.signal === 'phase' ? ', phase' : '';
    const inner = f.counter ? `increase(${sel}[${RESTART_WINDOW}])` : sel;
    const r = await metrics.query(`sum by (${idLabels(f.who).join(', ')}${extra}) (${inner})`);
    if (!r.ok) gaps.push({ what: `metrics: ${f.metric}`, ...r.error });
    return { f, samples: okOr(r) };
  };
  const answers = await Promise.all(families.map(read));
  const findings: Finding[] = [];
  const emit = (
    ref: { kind: string; name: string; namespace: string },
    signal: string,
    summary: string,
    attributes: Record<string, string | number>,
  ) =>
    findings.push({
      source: 'metrics',
      subject: { kind: ref.kind, name: ref.name, namespace: ref.namespace },
      component: ref.name,
      signal,
      severity: 'info',
      score: 20,
      summary,
      attributes,
    });
  const desired = new Map<string, number>();
  for (const { f, samples } of answers)
    if (f.signal === 'desired')
      for (const s of sumByWorkload(samples, f.who, map).values()) desired.set(workloadKey(s.ref), s.value);
  for (const { f, samples } of answers) {
    const label = f.signal === 'waiting' ? 'reason' : f.signal === 'phase' ? 'phase' : undefined;
    const sums = sumByWorkload(samples, f.who, map, (m) => (label ? (m[label] ?? '') : ''));
    for (const s of sums.values()) {
      const name = s.ref.name;
      if (f.signal === 'restarts' && s.value >= 1)
        emit(
          s.ref,
          'RestartsRising',
          `${name}'s containers restarted ${Math.round(s.value)} time(s) in the last ${RESTART_WINDOW} (${f.metric})`,
          {
            restarts: round(s.value, 1),
            metric: f.metric,
          },
        );
      if (f.signal === 'available') {
        const want = desired.get(workloadKey(s.ref));
        if (want !== undefined && s.value < want)
          emit(s.ref, 'ReplicasShort', `${name} has ${s.value} of ${want} replicas available (${f.metric})`, {
            available: s.value,
            desired: want,
            metric: f.metric,
          });
      }
      if ((f.signal === 'waiting' || f.signal === 'phase') && s.value >= 1)
        emit(
          s.ref,
          'PodsWaiting',
          `${Math.round(s.value)} of ${name}'s ${f.signal === 'phase' ? 'pods are' : 'containers wait in'} ${s.extra} (${f.metric})`,
          {
            pods: s.value,
            reason: s.extra,
            metric: f.metric,
          },
        );
    }
  }
  return { findings, gaps };
}
