/**
 * Which request paths are telemetry and who answers them: the Prometheus API, the Jaeger query API and
 * per-pod exposition. Only the exact Prometheus paths count: `/api/v1/<resource>` is otherwise the
 * Kubernetes core API. Any authenticated role may read; every request sees the cluster at its own now.
 */
import type { SimWorld } from '../runtime.js';
import { EXPOSITION_CONTENT_TYPE, exposeKubeState } from './exposition.js';
import { jaegerApi } from './jaeger-api.js';
import { jaegerApiV3 } from './jaeger-api-v3.js';
import { podFacts } from './pods.js';
import type { PodFacts } from './pods.js';
import { prometheusApi } from './prometheus-api.js';
import { scrapePod } from './scrapes.js';
import type { Reply } from './reply.js';
import { json, text } from './reply.js';
import { ClusterSeriesSource } from './series.js';

const PROMETHEUS = /^\/api\/v1\/(?:query|query_range|series|labels|label\/[^/]+\/values)$/;
const JAEGER =
  /^\/api\/(?:services|services\/[^/]+\/operations|operations|traces|traces\/[^/]+|v3\/(?:services|operations|traces|traces\/[^/]+))$/;
const EXPOSITION = /^\/metrics\/pods\/([^/]+)\/([^/]+)$/;
const KUBE_STATE = /^\/metrics\/kube-state\/([^/]+)$/;

export function isTelemetryPath(pathname: string): boolean {
  return (
    PROMETHEUS.test(pathname) ||
    JAEGER.test(pathname) ||
    pathname.startsWith('/metrics/pods/') ||
    KUBE_STATE.test(pathname)
  );
}

/** Which query API a path belongs to (service-proxy requests reach only their own backend's). */
export function telemetryBackend(pathname: string): 'prometheus' | 'jaeger' | undefined {
  if (PROMETHEUS.test(pathname)) return 'prometheus';
  return JAEGER.test(pathname) ? 'jaeger' : undefined;
}

/**
 * One series source per world, reused while neither the simulated time nor any object has changed: an
 * observer sends its queries together, at one `now`, and each would otherwise rebuild every pod's series.
 */
const sources = new WeakMap<SimWorld, { key: string; source: ClusterSeriesSource }>();

function seriesSource(world: SimWorld, now: number): ClusterSeriesSource {
  const key = `${now}/${world.store.resourceVersion()}/${(world.metricDialects ?? []).join(',')}`;
  const known = sources.get(world);
  if (known?.key === key) return known.source;
  const source = new ClusterSeriesSource(world, now);
  sources.set(world, { key, source });
  return source;
}

/**
 * Answers a telemetry request; `body` is a POSTed form (Prometheus accepts queries that way);
 * `scraperTime`: the wall clock's time at `now` when simulated time follows it (see scrapePod).
 */
export function handleTelemetry(
  world: SimWorld,
  now: number,
  method: string,
  url: URL,
  body?: string,
  scraperTime?: number,
): Reply {
  const path = url.pathname;
  const pod = EXPOSITION.exec(path);
  if (pod) {
    if (method !== 'GET') return text(405, 'Method Not Allowed\n');
    // A scrape reads one pod at its own moment: from series kept between scrapes (scrapes.ts).
    const [namespace, name] = [decodeURIComponent(pod[1]!), decodeURIComponent(pod[2]!)];
    const exposed = scrapePod(world, now, namespace, name, scraperTime);
    if (exposed === undefined) return text(404, `no metrics for ${path.slice('/metrics/'.length)}\n`);
    return text(200, exposed, EXPOSITION_CONTENT_TYPE);
  }
  const source = seriesSource(world, now);
  if (PROMETHEUS.test(path)) {
    if (method !== 'GET' && method !== 'POST')
      return json(405, { status: 'error', errorType: 'bad_data', error: `method ${method} not allowed` });
    const params = new URLSearchParams(url.searchParams);
    if (method === 'POST' && body) for (const [k, v] of new URLSearchParams(body)) params.append(k, v);
    return prometheusApi(source, path, params);
  }
  if (method !== 'GET') return text(405, 'Method Not Allowed\n');
  if (JAEGER.test(path)) {
    const pods = new Map<string, PodFacts[]>();
    const podsIn = (namespace: string): PodFacts[] => {
      let list = pods.get(namespace);
      if (!list) pods.set(namespace, (list = podFacts(world, namespace)));
      return list;
    };
    const release = world.jaegerRelease ?? 'v2.20';
    const ctx = { history: source.history, pods: podsIn, now, release };
    if (path.startsWith('/api/v3/'))
      return jaegerApiV3(ctx, path, url.searchParams) ?? text(404, '404 page not found\n');
    return jaegerApi(ctx, path, url.searchParams);
  }
  const kubeState = KUBE_STATE.exec(path);
  const exposed = kubeState ? exposeKubeState(source, decodeURIComponent(kubeState[1]!)) : undefined;
  if (exposed === undefined) return text(404, `no metrics for ${path.slice('/metrics/'.length)}\n`);
  return text(200, exposed, EXPOSITION_CONTENT_TYPE);
}
