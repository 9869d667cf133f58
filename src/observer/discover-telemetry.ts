/**
 * Finds Prometheus and Jaeger inside the cluster when no URL was given: lists Services (reads only), picks
 * the query Services by well-known labels and names, and returns base URLs through the API server's
 * service proxy, which PrometheusReader and JaegerReader use with the observer's own token and CA.
 *
 * Choice when several match, first wins: a Service in one of `namespaces` (in that order) before any
 * other; then the tier (Prometheus: chart server labels, then `prometheus-operated`, then names such as
 * `prometheus-server` or `*-prometheus`; Jaeger: the query Service, then all-in-one `jaeger`); then
 * the telemetry namespaces `observe`, `monitoring`, `observability`; then namespace and name, alphabetically.
 */
import type { ClusterReader } from './cluster-reader.js';
import type { Service } from './k8s-types.js';

export interface DiscoverTelemetryOptions {
  /** The API server's URL, as in the kubeconfig's cluster `server`. */
  apiServer: string;
  /** Given URLs win: that backend is not looked for. */
  prometheusUrl?: string;
  jaegerUrl?: string;
  /** Namespaces to prefer (the app's first), and to list one by one if a cluster-wide list is refused. */
  namespaces?: string[];
}

export interface TelemetryService {
  namespace: string;
  name: string;
  port: number;
  scheme: 'http' | 'https';
}

export interface DiscoveredTelemetry {
  prometheusUrl?: string;
  jaegerUrl?: string;
  /** The Services behind discovered URLs (absent when the URL was given or nothing matched). */
  prometheus?: TelemetryService;
  jaeger?: TelemetryService;
  /** One human line for `--verbose`. */
  summary: string;
}

type Backend = 'prometheus' | 'jaeger';
type Port = NonNullable<NonNullable<Service['spec']>['ports']>[number];

const TELEMETRY_NAMESPACES = ['observe', 'monitoring', 'observability'];
/** Namespaces listed one by one when the observer may not list Services cluster-wide. */
const FALLBACK_NAMESPACES = [...TELEMETRY_NAMESPACES, 'prometheus', 'jaeger', 'tracing', 'default'];
const NOT_PROMETHEUS = /alertmanager|pushgateway|node-exporter|kube-state-metrics|operator|adapter|blackbox/;
const NOT_JAEGER_QUERY = /collector|agent|ingester|headless|operator/;

function labelsOf(svc: Service): Record<string, string> {
  return svc.metadata?.labels ?? {};
}

/** The tier a Service ranks in as Prometheus' query endpoint (lower is better), or undefined. */
function prometheusTier(svc: Service): number | undefined {
  const name = svc.metadata?.name ?? '';
  const l = labelsOf(svc);
  const component = l['app.kubernetes.io/component'] ?? l['component'];
  if (NOT_PROMETHEUS.test(name)) return undefined;
  if (component !== undefined && component !== 'server' && component !== 'prometheus') return undefined;
  if (l['app.kubernetes.io/name'] === 'prometheus' || (l['app'] === 'prometheus' && component === 'server'))
    return 0;
  if (name === 'prometheus-operated' || l['operated-prometheus'] === 'true') return 1;
  if (/(^|-)prometheus(-server)?$/.test(name) || /-prometheus$/.test(l['app'] ?? '')) return 2;
  return undefined;
}

function jaegerTier(svc: Service): number | undefined {
  const name = svc.metadata?.name ?? '';
  const l = labelsOf(svc);
  const component = l['app.kubernetes.io/component'] ?? l['component'];
  const labelled = l['app.kubernetes.io/name'] === 'jaeger' || l['app'] === 'jaeger';
  if (NOT_JAEGER_QUERY.test(name) || (component !== undefined && NOT_JAEGER_QUERY.test(component)))
    return undefined;
  if (/(^|-)jaeger-query$/.test(name) || (labelled && component === 'query')) return 0;
  if (/(^|-)jaeger$/.test(name) || labelled) return 1;
  return undefined;
}

/** The Service port that serves the query API, by name, then number, then target port. */
function queryPort(svc: Service, backend: Backend): Port | undefined {
  const ports = (svc.spec?.ports ?? []).filter((p) => typeof p.port === 'number');
  const tests: ((p: Port) => boolean)[] =
    backend === 'prometheus'
      ? [
          (p) => ['http', 'web', 'http-web'].includes(p.name ?? ''),
          (p) => p.port === 9090,
          (p) => p.targetPort === 9090 || p.targetPort === 'web',
          (p) => p.port === 80,
        ]
      : [
          (p) => ['query', 'http-query'].includes(p.name ?? ''),
          (p) => p.port === 16686,
          (p) => p.targetPort === 16686,
        ];
  for (const test of tests) {
    const found = ports.find(test);
    if (found) return found;
  }
  return undefined;
}

/** The base URL of a Service port through the API server's service proxy. */
export function serviceProxyUrl(apiServer: string, s: TelemetryService): string {
  const scheme = s.scheme === 'https' ? 'https:' : '';
  return `${apiServer.replace(/\/+$/, '')}/api/v1/namespaces/${s.namespace}/services/${scheme}${s.name}:${s.port}/proxy`;
}

/** The best Service for `backend` among `services`, in the order the module comment gives. */
export function chooseService(
  services: Service[],
  backend: Backend,
  preferred: string[] = [],
): TelemetryService | undefined {
  const tierOf = backend === 'prometheus' ? prometheusTier : jaegerTier;
  const rank = (ns: string, list: string[]) => (list.includes(ns) ? list.indexOf(ns) : list.length);
  const candidates = services.flatMap((svc) => {
    const tier = tierOf(svc);
    const port = tier === undefined ? undefined : queryPort(svc, backend);
    const namespace = svc.metadata?.namespace;
    const name = svc.metadata?.name;
    if (tier === undefined || !port || namespace === undefined || name === undefined) return [];
    const key = [rank(namespace, preferred), tier, rank(namespace, TELEMETRY_NAMESPACES)];
    const scheme: 'http' | 'https' = (port.name ?? '').startsWith('https') ? 'https' : 'http';
    return [{ key, service: { namespace, name, port: port.port!, scheme } }];
  });
  candidates.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return a.key[i]! - b.key[i]!;
    const x = `${a.service.namespace}/${a.service.name}`;
    const y = `${b.service.namespace}/${b.service.name}`;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return candidates[0]?.service;
}

/** Every Service the observer may list: cluster-wide, else namespace by namespace (refusals skipped). */
async function listServices(
  reader: ClusterReader,
  namespaces: string[],
): Promise<{ services: Service[]; note?: string }> {
  const all = await reader.list('services', undefined, { slim: true });
  if (all.ok) return { services: all.value };
  if (all.error.code !== 'forbidden')
    return { services: [], note: `Service list failed (${all.error.code}): ${all.error.message}` };
  const services: Service[] = [];
  for (const ns of [...new Set([...namespaces, ...FALLBACK_NAMESPACES])]) {
    const listed = await reader.list('services', ns, { slim: true });
    if (listed.ok) services.push(...listed.value);
  }
  return { services, note: `cluster-wide Service list refused (${all.error.code}); listed known namespaces` };
}

function describe(what: string, given: string | undefined, found: TelemetryService | undefined): string {
  if (given !== undefined) return `${what} from its URL option`;
  if (!found) return `${what} not found`;
  return `${what} at service ${found.namespace}/${found.name}:${found.port} (API server proxy)`;
}

/**
 * Discovers the telemetry query endpoints. Never fails: what cannot be found is absent, and the summary
 * says why. Only lists Services; the URLs it returns are read with GET.
 */
export async function discoverTelemetry(
  reader: ClusterReader,
  options: DiscoverTelemetryOptions,
): Promise<DiscoveredTelemetry> {
  const given = {
    ...(options.prometheusUrl === undefined ? {} : { prometheusUrl: options.prometheusUrl }),
    ...(options.jaegerUrl === undefined ? {} : { jaegerUrl: options.jaegerUrl }),
  };
  if (options.prometheusUrl !== undefined && options.jaegerUrl !== undefined)
    return { ...given, summary: 'telemetry: Prometheus and Jaeger from their URL options' };
  const preferred = options.namespaces ?? [];
  const { services, note } = await listServices(reader, preferred);
  const prometheus =
    options.prometheusUrl === undefined ? chooseService(services, 'prometheus', preferred) : undefined;
  const jaeger = options.jaegerUrl === undefined ? chooseService(services, 'jaeger', preferred) : undefined;
  const parts = [
    describe('Prometheus', options.prometheusUrl, prometheus),
    describe('Jaeger', options.jaegerUrl, jaeger),
  ];
  return {
    ...given,
    ...(prometheus ? { prometheus, prometheusUrl: serviceProxyUrl(options.apiServer, prometheus) } : {}),
    ...(jaeger ? { jaeger, jaegerUrl: serviceProxyUrl(options.apiServer, jaeger) } : {}),
    summary: `telemetry: ${parts.join('; ')}${note ? ` (${note})` : ''}`,
  };
}
