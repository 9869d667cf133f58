import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { JsonObject } from '../api/json.js';
import { cloneJson } from '../api/json.js';
import {
  ApiError,
  badRequest,
  forbidden,
  internalError,
  methodNotAllowed,
  notFound,
  unauthorized,
} from '../api/status.js';
import { toTable, wantsTable } from '../api/tables.js';
import { SimCluster } from '../cluster.js';
import type { Reply } from '../telemetry/reply.js';
import { handleTelemetry, isTelemetryPath } from '../telemetry/routes.js';
import { WallFollower } from './wall-follower.js';
import type { Identity, Tokens } from './auth.js';
import { authenticate, authorize, generateTokens, mayReadTelemetry, redactsSecretData } from './auth.js';
import { discovery } from './discovery.js';
import type { ResourceRequest } from './handlers.js';
import { ResourceHandlers } from './handlers.js';
import { parseRoute } from './routes.js';
import type { ProxyLogFields } from './service-proxy.js';
import { parseProxyPath, serveProxy } from './service-proxy.js';
import { createServingCertificate } from './tls.js';
import { serveWatch } from './watch.js';

export interface RequestLogEntry {
  seq: number;
  at: string;
  identity: string;
  role: Identity['role'] | 'anonymous';
  verb: string;
  method: string;
  path: string;
  query: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  status: number;
  dryRun: boolean;
}

export interface SimServerOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  cluster?: SimCluster;
  tokens?: Tokens;
  /** Let simulated time follow the wall clock (times `speed`); tests leave it off and advance by hand. */
  realtime?: boolean;
  speed?: number;
  /** The wall clock realtime follows (Date.now); a test drives a fake one to make late ticks certain. */
  wall?: () => number;
  /** How often the ticker follows the wall without a request (200 ms). */
  tickMs?: number;
  /** Resources (plural) the observer may not read, as if its Role left them out: a partial look. */
  observerDenied?: readonly string[];
}

const MAX_BODY_BYTES = 3 * 1024 * 1024;
const READ_VERBS = new Set(['get', 'list', 'watch']);

function sendJson(res: ServerResponse, status: number, body: JsonObject): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

function sendReply(res: ServerResponse, reply: Reply): number {
  res.writeHead(reply.status, {
    'Content-Type': reply.contentType,
    'Content-Length': Buffer.byteLength(reply.body),
  });
  res.end(reply.body);
  return reply.status;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES)
      throw new ApiError(
        {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'Request entity too large: limit is 3145728',
          reason: 'RequestEntityTooLarge',
          code: 413,
        },
        413,
      );
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function verbOf(method: string, hasName: boolean, watch: boolean): string | undefined {
  switch (method) {
    case 'GET':
      return watch ? 'watch' : hasName ? 'get' : 'list';
    case 'POST':
      return hasName ? undefined : 'create';
    case 'PUT':
      return hasName ? 'update' : undefined;
    case 'PATCH':
      return hasName ? 'patch' : undefined;
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

/**
 * The simulated cluster behind a real HTTPS server speaking the Kubernetes REST API on loopback. It serves a
 * certificate made at start-up (`caPem`), because kubectl sends kubeconfig tokens over TLS only.
 */
export class SimServer {
  readonly requestLog: RequestLogEntry[] = [];
  private readonly handlers: ResourceHandlers;
  private readonly watches = new Set<() => void>();
  private ticker: NodeJS.Timeout | undefined;
  private follower: WallFollower | undefined;
  private seq = 0;
  private observerDenied: ReadonlySet<string> = new Set();

  private constructor(
    private readonly server: Server,
    readonly cluster: SimCluster,
    readonly tokens: Tokens,
    readonly url: string,
    /** The serving certificate, which is its own CA: put it in kubeconfigs as certificate-authority-data. */
    readonly caPem: string,
  ) {
    this.handlers = new ResourceHandlers(cluster);
  }

  static async start(options: SimServerOptions = {}): Promise<SimServer> {
    const cluster = options.cluster ?? new SimCluster();
    const tokens = options.tokens ?? generateTokens();
    const host = options.host ?? '127.0.0.1';
    const hosts = [...new Set([host, '127.0.0.1', 'localhost'])].filter((h) => h !== '0.0.0.0');
    const certificate = createServingCertificate(hosts);
    // The request handler needs the instance, which needs the bound port; the holder bridges the two.
    const holder: { instance?: SimServer } = {};
    const server = createServer({ cert: certificate.certPem, key: certificate.keyPem }, (req, res) => {
      void holder.instance?.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    const instance = new SimServer(
      server,
      cluster,
      tokens,
      `https://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
      certificate.certPem,
    );
    holder.instance = instance;
    instance.observerDenied = new Set(options.observerDenied ?? []);
    if (options.realtime) instance.startTicker(options.speed ?? 1, options.wall, options.tickMs ?? 200);
    return instance;
  }

  async close(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    for (const stop of this.watches) stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Takes resources out of the observer's reads from now on, as when its Role is edited mid-incident. */
  setObserverDenied(resources: readonly string[]): void {
    this.observerDenied = new Set(resources);
  }

  /** Writes by anyone but the admin (the harness) recorded so far. */
  writesBy(role: Identity['role']): RequestLogEntry[] {
    return this.requestLog.filter(
      (e) => e.role === role && !READ_VERBS.has(e.verb) && e.verb !== 'discovery',
    );
  }

  private startTicker(speed: number, wall: (() => number) | undefined, tickMs: number): void {
    const cluster = this.cluster;
    const follower = new WallFollower(
      { now: () => cluster.clock.now(), advance: (ms) => cluster.advance(ms) },
      speed,
      wall,
    );
    this.follower = follower;
    this.ticker = setInterval(() => follower.catchUp(), tickMs);
    this.ticker.unref();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = req.method ?? 'GET';
    const entry: RequestLogEntry = {
      seq: ++this.seq,
      at: new Date().toISOString(),
      identity: 'system:anonymous',
      role: 'anonymous',
      verb: 'unknown',
      method,
      path: url.pathname,
      query: url.search,
      status: 0,
      dryRun: url.searchParams.has('dryRun'),
    };
    this.requestLog.push(entry);
    // Each request sees the cluster as of the wall time it is answered at, however late the last tick ran.
    this.follower?.catchUp();
    // Every reply is stamped with the simulated clock, as a real server stamps its own (Go's net/http
    // sets Date): clients that measure windows on the server's clock see the simulated time.
    res.setHeader('Date', new Date(this.cluster.clock.now()).toUTCString());
    try {
      if (['/healthz', '/livez', '/readyz'].includes(url.pathname)) {
        entry.verb = 'get';
        entry.status = 200;
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
        return;
      }
      const identity = authenticate(req.headers.authorization, this.tokens);
      if (!identity) throw unauthorized();
      entry.identity = identity.user;
      entry.role = identity.role;
      if (url.pathname.startsWith('/sim/v1/')) {
        entry.verb = 'admin';
        entry.status = this.admin(identity, method, url, res);
        return;
      }
      const proxied = parseProxyPath(url.pathname);
      if (proxied) {
        const log = (fields: ProxyLogFields) => Object.assign(entry, fields);
        const reply = await serveProxy(this.cluster, identity, req, url, proxied, readBody, log);
        entry.status = sendReply(res, reply);
        return;
      }
      if (isTelemetryPath(url.pathname)) {
        // Prometheus, Jaeger and pod metrics: readable by every role, logged as reads.
        entry.verb = 'get';
        if (!mayReadTelemetry(identity))
          throw forbidden({
            user: identity.user,
            verb: 'get',
            resource: 'services',
            group: '',
            subresource: 'proxy',
          });
        const body = method === 'POST' ? await readBody(req) : undefined;
        this.follower?.catchUp();
        const now = this.cluster.clock.now();
        const reply = handleTelemetry(this.cluster.world, now, method, url, body, this.follower?.wallOf(now));
        entry.status = sendReply(res, reply);
        return;
      }
      entry.status = await this.api(identity, method, url, req, res, entry);
    } catch (error) {
      const apiError =
        error instanceof ApiError
          ? error
          : internalError(error instanceof Error ? error.message : String(error));
      entry.status = apiError.code;
      if (!res.headersSent) sendJson(res, apiError.code, apiError.status);
      else res.end();
    }
  }

  private async api(
    identity: Identity,
    method: string,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
    entry: RequestLogEntry,
  ): Promise<number> {
    const route = parseRoute(url.pathname);
    if (route.kind === 'discovery') {
      entry.verb = 'discovery';
      if (method !== 'GET') throw methodNotAllowed();
      const doc = discovery(route.path, url.host);
      if (!doc) throw notFound({ group: '', plural: '', kind: '' }, '');
      sendJson(res, 200, doc);
      return 200;
    }
    if (route.kind === 'not-found') throw notFound({ group: '', plural: '', kind: '' }, '');
    if (route.kind === 'unknown-resource') {
      throw new ApiError(
        {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'the server could not find the requested resource',
          reason: 'NotFound',
          details: {},
          code: 404,
        },
        404,
      );
    }
    const watch = ['true', '1'].includes(url.searchParams.get('watch') ?? '');
    const verb = verbOf(method, route.name !== undefined, watch);
    if (!verb) throw methodNotAllowed();
    const rr: ResourceRequest = { type: route.type, query: url.searchParams, identity };
    if (route.namespace !== undefined) rr.namespace = route.namespace;
    if (route.name !== undefined) rr.name = route.name;
    if (route.subresource !== undefined) rr.subresource = route.subresource;
    Object.assign(entry, {
      verb,
      resource: route.type.plural,
      ...(route.subresource ? { subresource: route.subresource } : {}),
      ...(route.namespace ? { namespace: route.namespace } : {}),
      ...(route.name ? { name: route.name } : {}),
    });
    if (
      route.type.namespaced &&
      route.namespace === undefined &&
      (route.name !== undefined || verb === 'create')
    ) {
      throw notFound(route.type, route.name ?? '');
    }
    if (route.subresource === 'log' && verb !== 'get') throw methodNotAllowed();
    const access = {
      verb,
      group: route.type.group,
      resource: route.type.plural,
      ...(route.subresource ? { subresource: route.subresource } : {}),
      ...(route.namespace ? { namespace: route.namespace } : {}),
    };
    if (!authorize(identity, access, this.observerDenied)) {
      throw forbidden({
        user: identity.user,
        verb,
        resource: route.type.plural,
        group: route.type.group,
        ...(route.namespace ? { namespace: route.namespace } : {}),
        ...(route.name ? { name: route.name } : {}),
        ...(route.subresource ? { subresource: route.subresource } : {}),
      });
    }
    const table = wantsTable(req.headers.accept);
    const includeObject = (url.searchParams.get('includeObject') ?? 'Metadata') as
      'None' | 'Metadata' | 'Object';
    const asTable = (objects: JsonObject[]) =>
      toTable(route.type.plural, objects, {
        now: this.cluster.clock.now(),
        includeObject,
        resourceVersion: this.cluster.store.resourceVersion(),
      });
    switch (verb) {
      case 'watch': {
        const present = (obj: JsonObject) =>
          route.type.kind === 'Secret' && redactsSecretData(identity, obj['type']) ? stripSecret(obj) : obj;
        serveWatch(this.cluster.store, rr, res, present, (stop) => {
          this.watches.add(stop);
          res.on('close', () => this.watches.delete(stop));
        });
        return 200;
      }
      case 'get': {
        if (route.subresource === 'log') {
          const text = this.handlers.log(rr);
          res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
          res.end(text);
          return 200;
        }
        const obj = route.subresource === 'scale' ? this.handlers.getScale(rr) : this.handlers.get(rr);
        sendJson(res, 200, table && !route.subresource ? asTable([obj]) : obj);
        return 200;
      }
      case 'list': {
        if (table) {
          const { items } = this.handlers.select(rr);
          sendJson(res, 200, asTable(items));
        } else sendJson(res, 200, this.handlers.list(rr));
        return 200;
      }
      case 'create': {
        const reply = this.handlers.create(rr, await readBody(req));
        sendJson(res, reply.status, reply.body as JsonObject);
        return reply.status;
      }
      case 'update':
        sendJson(res, 200, this.handlers.update(rr, await readBody(req)));
        return 200;
      case 'patch': {
        const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
        sendJson(res, 200, this.handlers.patch(rr, await readBody(req), contentType));
        return 200;
      }
      case 'delete':
        sendJson(res, 200, this.handlers.delete(rr, await readBody(req)));
        return 200;
      case 'deletecollection':
        sendJson(res, 200, this.handlers.deleteCollection(rr, await readBody(req)));
        return 200;
      default:
        throw methodNotAllowed();
    }
  }

  private admin(identity: Identity, method: string, url: URL, res: ServerResponse): number {
    if (identity.role !== 'admin')
      throw forbidden({
        user: identity.user,
        verb: method.toLowerCase(),
        resource: url.pathname,
        group: 'sim.aoi',
      });
    const action = url.pathname.slice('/sim/v1/'.length);
    if (method === 'GET' && action === 'requests') {
      sendJson(res, 200, { items: cloneJson(this.requestLog as unknown as JsonObject[]) });
      return 200;
    }
    if (method === 'POST' && action === 'advance') {
      const msText = url.searchParams.get('ms');
      const secondsText = url.searchParams.get('seconds');
      const ms = msText !== null ? Number(msText) : secondsText !== null ? Number(secondsText) * 1000 : NaN;
      if (!Number.isFinite(ms) || ms < 0)
        throw badRequest('advance needs ?ms=N or ?seconds=N with a non-negative number');
      this.cluster.advance(ms);
      sendJson(res, 200, { now: this.cluster.clock.iso() });
      return 200;
    }
    if (method === 'POST' && action === 'settle') {
      sendJson(res, 200, { settled: this.cluster.settle(), now: this.cluster.clock.iso() });
      return 200;
    }
    throw notFound({ group: 'sim.aoi', plural: 'admin', kind: 'Admin' }, action);
  }
}

function stripSecret(obj: JsonObject): JsonObject {
  const copy = { ...obj };
  delete copy['data'];
  delete copy['stringData'];
  return copy;
}
