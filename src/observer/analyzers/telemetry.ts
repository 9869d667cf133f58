import type { Result } from '../../core/errors.js';
import type { InstantSample } from '../prometheus-reader.js';
import type { Gap } from '../snapshot.js';
import type { Finding } from './finding.js';
import { analyzeSaturation } from './saturation.js';

/** What the observer needs of a Prometheus reader: one instant query. */
export interface MetricsSource {
  query(promql: string): Promise<Result<InstantSample[]>>;
}

const ERROR_RATIO = 0.05;
const SLOW_SECONDS = 1;

function selector(namespace: string | undefined, extra = ''): string {
  const parts = [...(namespace === undefined ? [] : [`namespace="${namespace}"`]), ...(extra ? [extra] : [])];
  return `{${parts.join(',')}}`;
}

function ratioQuery(metric: string, by: string, namespace: string | undefined): string {
  const bad = `sum by (${by}) (rate(${metric}${selector(namespace, 'code="500"')}[5m]))`;
  const all = `sum by (${by}) (rate(${metric}${selector(namespace)}[5m]))`;
  return `${bad} / ${all}`;
}

const pct = (v: number) => `${Math.round(v * 1000) / 10}%`;

/**
 * Error ratios per service and per caller→peer edge, p99 latency per service and per edge, and
 * saturation against a baseline (saturation.ts), from the Prometheus API.
 */
export async function analyzeTelemetry(
  metrics: MetricsSource,
  namespace: string | undefined,
): Promise<{ findings: Finding[]; gaps: Gap[] }> {
  const findings: Finding[] = [];
  const gaps: Gap[] = [];
  const [served, edges, latency, edgeLatency, saturation] = await Promise.all([
    metrics.query(ratioQuery('requests_total', 'namespace, service', namespace)),
    metrics.query(ratioQuery('client_requests_total', 'namespace, service, peer', namespace)),
    metrics.query(
      `histogram_quantile(0.99, sum by (namespace, service, le) (rate(request_duration_seconds_bucket${selector(namespace)}[5m])))`,
    ),
    metrics.query(
      `histogram_quantile(0.99, sum by (namespace, service, peer, le) (rate(client_request_duration_seconds_bucket${selector(namespace)}[5m])))`,
    ),
    analyzeSaturation(metrics, namespace),
  ]);
  findings.push(...saturation.findings);
  gaps.push(...saturation.gaps);
  for (const [what, result] of [
    ['error ratios', served],
    ['edge error ratios', edges],
    ['latency', latency],
    ['edge latency', edgeLatency],
  ] as const)
    if (!result.ok) gaps.push({ what: `metrics: ${what}`, ...result.error });
  const subject = (m: Record<string, string>, name: string) => ({
    kind: 'Service',
    name,
    ...(m['namespace'] ? { namespace: m['namespace'] } : {}),
  });
  for (const s of served.ok ? served.value : []) {
    const name = s.metric['service'];
    if (!name || !Number.isFinite(s.value) || s.value < ERROR_RATIO) continue;
    findings.push({
      source: 'metrics',
      subject: subject(s.metric, name),
      component: name,
      signal: 'ErrorRateHigh',
      severity: s.value >= 0.2 ? 'error' : 'warning',
      score: 45,
      summary: `${name} answers ${pct(s.value)} of its requests with errors (5m rate)`,
    });
  }
  for (const s of edges.ok ? edges.value : []) {
    const name = s.metric['service'];
    const peer = s.metric['peer'];
    if (!name || !peer || !Number.isFinite(s.value) || s.value < ERROR_RATIO) continue;
    findings.push({
      source: 'metrics',
      subject: subject(s.metric, name),
      component: name,
      signal: 'PeerErrorRate',
      severity: s.value >= 0.2 ? 'error' : 'warning',
      score: 35,
      summary: `${pct(s.value)} of ${name}'s calls to ${peer} fail (5m rate)`,
      blames: [peer],
    });
  }
  for (const s of latency.ok ? latency.value : []) {
    const name = s.metric['service'];
    if (!name || !Number.isFinite(s.value) || s.value < SLOW_SECONDS) continue;
    findings.push({
      source: 'metrics',
      subject: subject(s.metric, name),
      component: name,
      signal: 'LatencyHigh',
      severity: s.value >= 5 ? 'error' : 'warning',
      score: 40,
      summary: `${name} p99 latency is ${Math.round(s.value * 100) / 100}s (5m)`,
    });
  }
  for (const s of edgeLatency.ok ? edgeLatency.value : []) {
    const name = s.metric['service'];
    const peer = s.metric['peer'];
    if (!name || !peer || !Number.isFinite(s.value) || s.value < SLOW_SECONDS) continue;
    const seconds = Math.round(s.value * 100) / 100;
    findings.push({
      source: 'metrics',
      subject: subject(s.metric, name),
      component: name,
      signal: 'PeerLatency',
      severity: s.value >= 5 ? 'error' : 'warning',
      score: 33,
      summary: `${name}'s calls to ${peer} have p99 latency ${seconds}s (5m)`,
      blames: [peer],
      attributes: { peer, p99Seconds: seconds },
    });
  }
  return { findings, gaps };
}
