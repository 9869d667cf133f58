/**
 * What spans are called, derived from component names the way each app's stack names them: HTTP routes at
 * a frontend (`/hotels`), gRPC methods (`geo.Geo/Nearby`), Thrift methods (`UserService.login`), and
 * database client calls (`mongo.find`). Databases, caches and infra emit no spans of their own.
 */
import type { AppSpec, ComponentSpec } from '../apps/types.js';

const ROUTES: Record<string, string> = {
  search: '/hotels',
  recommendation: '/recommendations',
  user: '/user',
  reservation: '/reservation',
  'compose-post-service': '/wrk2-api/post/compose',
  'home-timeline-service': '/wrk2-api/home-timeline/read',
  'user-timeline-service': '/wrk2-api/user-timeline/read',
  'user-service': '/wrk2-api/user/login',
  frontend: '/',
  'image-provider': '/images',
};

const GRPC_METHODS: Record<string, string> = {
  search: 'Nearby',
  geo: 'Nearby',
  rate: 'GetRates',
  profile: 'GetProfiles',
  recommendation: 'GetRecommendations',
  user: 'CheckUser',
  reservation: 'MakeReservation',
  cart: 'GetCart',
  checkout: 'PlaceOrder',
  currency: 'Convert',
  email: 'SendOrderConfirmation',
  payment: 'Charge',
  'product-catalog': 'ListProducts',
  shipping: 'GetQuote',
  quote: 'GetQuote',
  ad: 'GetAds',
};

const THRIFT_METHODS: Record<string, string> = {
  'user-service': 'login',
  'compose-post-service': 'compose_post',
  'home-timeline-service': 'read_home_timeline',
  'user-timeline-service': 'read_user_timeline',
  'post-storage-service': 'read_posts',
  'social-graph-service': 'get_followers',
  'text-service': 'compose_text',
  'media-service': 'compose_media',
  'unique-id-service': 'compose_unique_id',
  'url-shorten-service': 'compose_urls',
  'user-mention-service': 'compose_user_mentions',
};

const pascal = (name: string): string =>
  name
    .split(/[-_]/)
    .map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : ''))
    .join('');

/**
 * How an app's spans are recorded: the OpenTelemetry demo (astronomy-shop) uses OpenTelemetry SDKs, whose
 * spans reach Jaeger as OTLP and carry current semantic-convention tags and 128-bit trace ids; the
 * DeathStarBench apps use Jaeger clients (`error=true`, `http.status_code`, `peer.service`, 64-bit ids).
 */
export function usesOpenTelemetry(app: AppSpec): boolean {
  return app.name === 'astronomy-shop';
}

/** Components that report spans: frontends and services. */
export function emitsSpans(c: ComponentSpec): boolean {
  return c.role === 'frontend' || c.role === 'service';
}

/** Callees a request to `c` goes on to (infra calls such as tracing and the registry are not traced). */
export function tracedCallees(app: AppSpec, c: ComponentSpec): ComponentSpec[] {
  return c.calls.flatMap((name) => {
    const callee = app.components.find((x) => x.name === name);
    return callee && callee.role !== 'infra' ? [callee] : [];
  });
}

/** Components whose spans traces started at the app's entry frontends can reach. */
export function tracedComponents(app: AppSpec, entries: readonly ComponentSpec[]): ComponentSpec[] {
  const seen = new Set<ComponentSpec>();
  const queue = [...entries];
  for (let c = queue.shift(); c; c = queue.shift()) {
    if (seen.has(c) || !emitsSpans(c)) continue;
    seen.add(c);
    queue.push(...tracedCallees(app, c));
  }
  return app.components.filter((c) => seen.has(c));
}

/** The root span's operation at a frontend when the request goes on to `backend`. */
export function routeOperation(backend: string): string {
  return ROUTES[backend] ?? `/${backend.replace(/-service$/, '')}`;
}

/** The operation a service's server span (and its callers' client spans) carries. */
export function serverOperation(app: AppSpec, c: ComponentSpec): string {
  if (app.name === 'social-network') {
    const method = THRIFT_METHODS[c.name] ?? c.name.replace(/-service$/, '').replace(/-/g, '_');
    return `${pascal(c.name.replace(/-service$/, ''))}Service.${method}`;
  }
  const method = GRPC_METHODS[c.name] ?? 'Handle';
  return `${c.name.replace(/-/g, '')}.${pascal(c.name)}/${method}`;
}

/** The client span's operation for a call to `callee`. */
export function clientOperation(app: AppSpec, callee: ComponentSpec): string {
  if (emitsSpans(callee)) return serverOperation(app, callee);
  const image = callee.image.toLowerCase();
  if (image.includes('mongo')) return 'mongo.find';
  if (image.includes('memcached')) return 'memcached.get';
  if (image.includes('redis') || image.includes('valkey')) return 'redis.GET';
  return `${callee.name}.query`;
}

/** What kind of client a call to `callee` uses (the span's `component` tag). */
export function clientComponent(app: AppSpec, callee: ComponentSpec): string {
  const image = callee.image.toLowerCase();
  if (image.includes('mongo')) return 'mongodb';
  if (image.includes('memcached')) return 'memcached';
  if (image.includes('redis') || image.includes('valkey')) return 'redis';
  return app.name === 'social-network' ? 'thrift' : 'gRPC';
}

/** Every operation a component's spans carry, with their kind. */
export function operationsOf(app: AppSpec, c: ComponentSpec): { name: string; spanKind: string }[] {
  const callees = tracedCallees(app, c);
  const server =
    c.role === 'frontend' ? callees.map((x) => routeOperation(x.name)) : [serverOperation(app, c)];
  const ops = new Map<string, string>();
  for (const name of server) ops.set(name, 'server');
  for (const callee of callees)
    if (!ops.has(clientOperation(app, callee))) ops.set(clientOperation(app, callee), 'client');
  return [...ops]
    .map(([name, spanKind]) => ({ name, spanKind }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
