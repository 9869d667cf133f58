/**
 * The API server's service proxy, `/api/v1/namespaces/{ns}/services/[scheme:]{name}[:port]/proxy/{rest}`,
 * for the Services that front the simulated telemetry: a Prometheus Service's query port reaches the
 * Prometheus API, a Jaeger Service's port 16686 the Jaeger query API. Nothing else serves anything here, so
 * any other Service answers 503 as a real server does for a Service without endpoints; a missing one, 404.
 * RBAC sees the verb on `services/proxy`, as Kubernetes does (GET is `get`).
 */
import type { IncomingMessage } from 'node:http';
import { resourceByKind } from '../api/resources.js';
import { forbidden, methodNotAllowed, notFound, serviceUnavailable } from '../api/status.js';
import type { SimCluster } from '../cluster.js';
import type { Service, ServicePort } from '../model.js';
import { asView } from '../model.js';
import type { Reply } from '../telemetry/reply.js';
import { text } from '../telemetry/reply.js';
import { handleTelemetry, telemetryBackend } from '../telemetry/routes.js';
import type { Identity } from './auth.js';
import { authorize } from './auth.js';

const SERVICES = resourceByKind('Service');
const PROXY = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)\/proxy(\/.*)?$/;
const VERBS: Record<string, string> = {
  GET: 'get',
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

export interface ProxyTarget {
  namespace: string;
  service: string;
  /** The Service port, by name or number; absent or empty: the Service's only (or unnamed) port. */
  port?: string;
  /** The path under the proxy, starting with `/`. */
  rest: string;
}

/** The proxy target of a request path, or undefined if the path is not a service-proxy path. */
export function parseProxyPath(pathname: string): ProxyTarget | undefined {
  const match = PROXY.exec(pathname);
  if (!match) return undefined;
  // As the API server splits it: name, name:port, or scheme:name:port.
  const parts = decodeURIComponent(match[2]!).split(':');
  const [name, port] = parts.length === 3 ? [parts[1]!, parts[2]!] : [parts[0]!, parts[1]];
  return {
    namespace: decodeURIComponent(match[1]!),
    service: name,
    ...(port ? { port } : {}),
    rest: match[3] ?? '/',
  };
}

function portOf(svc: Service, port: string | undefined): ServicePort | undefined {
  const ports = svc.spec.ports ?? [];
  if (port === undefined) return ports.length === 1 ? ports[0] : ports.find((p) => !p.name);
  return ports.find((p) => p.name === port || String(p.port) === port);
}

/** Which simulated query API a Service port fronts, judged as a human would: by labels, name and port. */
function backendOf(svc: Service, port: ServicePort): 'prometheus' | 'jaeger' | undefined {
  const labels = svc.metadata.labels ?? {};
  const named = (what: string) =>
    labels['app.kubernetes.io/name'] === what || labels['app'] === what || svc.metadata.name.includes(what);
  const target = String(port.targetPort ?? port.port);
  if (named('prometheus') && (target === '9090' || target === 'web')) return 'prometheus';
  if (named('jaeger') && (target === '16686' || port.port === 16686)) return 'jaeger';
  return undefined;
}

/** Answers a proxied request as the Service's backend would. Throws a Status for 404 and 503. */
export function proxyReply(
  cluster: SimCluster,
  target: ProxyTarget,
  method: string,
  url: URL,
  body?: string,
): Reply {
  const json = cluster.store.peek(SERVICES, target.namespace, target.service);
  if (!json) throw notFound(SERVICES, target.service);
  const svc = asView<Service>(json);
  const port = portOf(svc, target.port);
  const backend = port ? backendOf(svc, port) : undefined;
  if (!backend) throw serviceUnavailable(`no endpoints available for service "${target.service}"`);
  if (telemetryBackend(target.rest) !== backend) return text(404, '404 page not found\n');
  const inner = new URL(`http://sim${target.rest}${url.search}`);
  return handleTelemetry(cluster.world, cluster.clock.now(), method, inner, body);
}

/** What the request log records of a proxied request. */
export interface ProxyLogFields {
  verb: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

/**
 * Checks the method and RBAC (`services/proxy` with the request's verb), then answers. `log` receives the
 * fields before any refusal, so refused requests are recorded with their verb too.
 */
export async function serveProxy(
  cluster: SimCluster,
  identity: Identity,
  req: IncomingMessage,
  url: URL,
  target: ProxyTarget,
  readBody: (req: IncomingMessage) => Promise<string>,
  log: (fields: ProxyLogFields) => void,
): Promise<Reply> {
  const method = req.method ?? 'GET';
  const verb = VERBS[method];
  if (!verb) throw methodNotAllowed();
  const { namespace, service } = target;
  log({ verb, resource: 'services', subresource: 'proxy', namespace, name: service });
  const access = { verb, group: '', resource: 'services', subresource: 'proxy', namespace };
  if (!authorize(identity, access))
    throw forbidden({
      user: identity.user,
      verb,
      resource: 'services',
      group: '',
      namespace,
      name: service,
      subresource: 'proxy',
    });
  const body = verb === 'get' ? undefined : await readBody(req);
  return proxyReply(cluster, target, method, url, body);
}
