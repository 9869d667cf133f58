import type { ClientRequest, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { RequestOptions } from 'node:https';
import { request as httpsRequest } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Result } from '../core/errors.js';
import { fail, ok } from '../core/errors.js';
import type { ClusterReader, ListOptions, LogOptions, WatchEvent } from './cluster-reader.js';
import { CLUSTER_SCOPED, collectionPath } from './cluster-reader.js';
import { endpoint } from './https-json.js';
import { keepAliveAgent } from './keep-alive-agent.js';
import type { KubeAccess, PlainAccess } from './kubeconfig.js';
import { applyPlainAccess, plainCredentials, readKubeconfig } from './kubeconfig.js';
import { ListBodyParser } from './json-stream.js';
import type { Interner, KObject } from './k8s-types.js';
import { slimObject } from './k8s-types.js';
import type { RetryPolicy } from './retry.js';
import { DEFAULT_RETRY, withRetry } from './retry.js';

export interface ApiReaderOptions {
  kubeconfig?: string;
  context?: string;
  /** A ready KubeConfig (tests, in-process callers); wins over `kubeconfig`. */
  kubeConfig?: KubeConfig;
  /** Items per list request; 0 (the default) reads each list in one streamed request. */
  pageSize?: number;
  retry?: RetryPolicy;
}

/** What a request is sent with: the kubeconfig's server and a function filling in its TLS and credentials. */
interface Access {
  server: string;
  namespace?: string;
  credentials: () => { token?: string; caPem?: string };
  apply: (opts: RequestOptions) => Promise<void>;
  /** client-node's KubeConfig, loaded on first use (watches, and kubeconfigs only client-node understands). */
  kubeConfig: () => Promise<KubeConfig>;
}

/** Loads client-node (and its ~800 modules) only when something needs it. */
async function clientNodeKubeConfig(options: ApiReaderOptions): Promise<KubeConfig> {
  const { loadKubeConfig } = await import('./client-node-kubeconfig.js');
  const loaded = loadKubeConfig(options);
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.value;
}

/**
 * Resolves the kubeconfig with the observer's own reader: no kubeconfig (`no-kubeconfig`), no current context
 * (`no-context`), a missing file or context (`config`) are failures. A ready KubeConfig (tests, in-process
 * callers) is used as it is; a kubeconfig the reader hands over (exec, auth-provider, proxy-url, …) goes to
 * client-node's KubeConfig on the first request.
 */
function resolveAccess(options: ApiReaderOptions): Result<Access> {
  const given = options.kubeConfig;
  if (given) {
    const namespace = given.getContextObject(given.getCurrentContext())?.namespace;
    const token = given.getCurrentUser()?.token;
    const caData = given.getCurrentCluster()?.caData;
    return ok({
      server: given.getCurrentCluster()?.server ?? '',
      ...(namespace ? { namespace } : {}),
      credentials: () => ({
        ...(token ? { token } : {}),
        ...(caData ? { caPem: Buffer.from(caData, 'base64').toString('utf8') } : {}),
      }),
      apply: (opts) => given.applyToHTTPSOptions(opts),
      kubeConfig: () => Promise.resolve(given),
    });
  }
  const read = readKubeconfig(options);
  if (!read.ok) return read;
  const access: KubeAccess = read.value;
  let loading: Promise<KubeConfig> | undefined;
  const kubeConfig = () => (loading ??= clientNodeKubeConfig(options));
  const base = {
    server: access.server,
    ...(access.namespace === undefined ? {} : { namespace: access.namespace }),
    kubeConfig,
  };
  const plain = access.plain;
  if (plain === undefined)
    return ok({
      ...base,
      credentials: () => ({}),
      apply: async (opts) => (await kubeConfig()).applyToHTTPSOptions(opts),
    });
  const withPlain = access as KubeAccess & { plain: PlainAccess };
  return ok({
    ...base,
    credentials: () => plainCredentials(plain),
    apply: (opts) => applyPlainAccess(withPlain, opts),
  });
}

/** The namespace the current context sets (kubectl's default for commands without -n), if it sets one. */
export function kubeNamespace(options: ApiReaderOptions): Result<string | undefined> {
  const access = resolveAccess(options);
  return access.ok ? ok(access.value.namespace) : access;
}

/** Maps what client-node throws to a read failure code. */
export function classifyError(error: unknown): { code: string; message: string } {
  // client-node's ApiException (duck-typed: the package loads only when a watch or fallback needs it).
  const status = (error as { code?: unknown } | null)?.code;
  if (error instanceof Error && typeof status === 'number' && 'body' in error)
    return statusError(status, String(error.body));
  const text = error instanceof Error ? error.message : String(error);
  // Refused, no route, DNS, TLS (an untrusted or mismatched certificate) and a plain-HTTP server address.
  if (
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|certificate|self[- ]signed|ERR_TLS|EPROTO|HTTP protocol is not allowed/i.test(
      text,
    )
  )
    return { code: 'unreachable', message: text };
  if (/ETIMEDOUT|timeout|ECONNRESET|socket hang up/i.test(text)) return { code: 'timeout', message: text };
  return { code: 'failed', message: text };
}

/** A reply's body goes to a sink as it arrives; an error status's body is kept (bounded) for its message. */
type Sink = (chunk: Buffer) => void;

const ERROR_BODY_BYTES = 64 * 1024;
const IDLE_TIMEOUT_MS = 60_000;

/** What an HTTP error status means to the observer, with the API's own message when it sent a Status. */
function statusError(status: number, body: string): { code: string; message: string } {
  let message = `HTTP ${status}`;
  try {
    const parsed = JSON.parse(body) as { message?: string };
    if (parsed.message) message = `${message}: ${parsed.message}`;
  } catch {
    // Not a Kubernetes Status; the status code says enough.
  }
  // 401: the credential itself is refused (expired, revoked, wrong); 403: valid, but not allowed this read.
  if (status === 401) return { code: 'unauthorized', message };
  if (status === 403) return { code: 'forbidden', message };
  if (status === 404) return { code: 'not-found', message };
  if (status === 429) return { code: 'throttled', message };
  if (status === 408 || status === 504) return { code: 'timeout', message };
  if (status >= 500) return { code: 'server', message };
  return { code: 'failed', message };
}

/**
 * The observer's reader over the Kubernetes API. Authentication is the observer's own kubeconfig reader
 * (kubeconfig.ts), or client-node's KubeConfig for what it hands over (exec plugins, proxies); the GETs themselves are plain HTTPS with the body parsed as it arrives,
 * because client-node's generated clients buffer whole lists and deserialize them into class instances (most of
 * the observer's memory at ten thousand pods). Each list is one request, streamed and cut down to the fields the
 * caller asks for as each item arrives. Watches still use client-node, loaded when one starts.
 */
export function createApiReader(options: ApiReaderOptions): Result<ClusterReader> {
  const resolved = resolveAccess(options);
  if (!resolved.ok) return resolved;
  const access = resolved.value;
  const server = access.server;
  const pageSize = options.pageSize ?? 0;
  const policy = options.retry ?? DEFAULT_RETRY;
  const reuseConnection = keepAliveAgent();
  let requests = 0;
  /** The server's `Date` at its last reply: the cluster's clock, for certificate validity. */
  let lastDate: string | undefined;

  /** One GET; a 2xx body goes to `sink`, anything else becomes a failure. */
  async function exchange(
    path: string,
    params: Record<string, string>,
    sink: Sink,
    accept = 'application/json',
  ): Promise<Result<true>> {
    requests++;
    const opts: RequestOptions = { method: 'GET', headers: { Accept: accept } };
    let url: URL;
    try {
      await access.apply(opts);
      reuseConnection(opts);
      url = endpoint(server, path, params);
    } catch (error) {
      const { code, message } = classifyError(error);
      return fail(code, message);
    }
    return new Promise((resolve) => {
      let done = false;
      const finish = (result: Result<true>) => {
        if (done) return;
        done = true;
        resolve(result);
      };
      const onResponse = (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (res.headers.date) lastDate = res.headers.date;
        const ok2xx = status >= 200 && status < 300;
        const errorChunks: Buffer[] = [];
        let errorBytes = 0;
        res.on('data', (chunk: Buffer) => {
          if (done) return;
          if (ok2xx) {
            try {
              sink(chunk);
            } catch (error) {
              finish(fail('failed', (error as Error).message));
              req.destroy();
            }
          } else if (errorBytes < ERROR_BODY_BYTES) {
            errorChunks.push(chunk);
            errorBytes += chunk.length;
          }
        });
        res.on('end', () => {
          if (ok2xx) finish(ok(true));
          else {
            const { code, message } = statusError(status, Buffer.concat(errorChunks).toString('utf8'));
            finish(fail(code, message));
          }
        });
        res.on('error', (error) => finish(fail(...spread(classifyError(error)))));
      };
      let req: ClientRequest;
      try {
        req =
          url.protocol === 'http:' ? httpRequest(url, opts, onResponse) : httpsRequest(url, opts, onResponse);
      } catch (error) {
        finish(fail(...spread(classifyError(error))));
        return;
      }
      req.setTimeout(IDLE_TIMEOUT_MS, () => {
        finish(fail('timeout', `no reply from ${url.pathname} within ${IDLE_TIMEOUT_MS} ms`));
        req.destroy();
      });
      req.on('error', (error) => finish(fail(...spread(classifyError(error)))));
      req.end();
    });
  }

  /** A GET whose JSON body is parsed whole (single objects, which are small). */
  async function getJson(path: string, params: Record<string, string>): Promise<Result<unknown>> {
    return withRetry(async () => {
      const chunks: Buffer[] = [];
      const sent = await exchange(path, params, (chunk) => chunks.push(chunk));
      if (!sent.ok) return sent;
      try {
        return ok(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      } catch {
        return fail('failed', `${path}: the reply is not JSON`);
      }
    }, policy);
  }

  return ok({
    transport: 'api',
    requestCount: () => requests,
    serverTime: () => {
      const at = lastDate === undefined ? NaN : Date.parse(lastDate);
      return Number.isNaN(at) ? undefined : new Date(at);
    },
    async list(kind, namespace, listOptions: ListOptions = {}) {
      const path = collectionPath(kind, CLUSTER_SCOPED.has(kind) ? undefined : namespace);
      const intern: Interner = new Map();
      const keep =
        listOptions.slim || kind === 'secrets'
          ? (item: unknown) => slimObject(kind, item, intern)
          : (item: unknown) => item as KObject;
      const max = listOptions.maxItems ?? Infinity;
      const items: KObject[] = [];
      let next: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const room = max - items.length;
        const limit = Math.min(pageSize > 0 ? pageSize : Infinity, room);
        const params: Record<string, string> = {
          ...(Number.isFinite(limit) ? { limit: String(limit) } : {}),
          ...(listOptions.fieldSelector === undefined ? {} : { fieldSelector: listOptions.fieldSelector }),
          ...(next === undefined ? {} : { continue: next }),
        };
        const before = items.length;
        let parser = new ListBodyParser((item) => items.push(keep(item)));
        const sent = await withRetry(async () => {
          // A retried page starts over: drop what a failed attempt delivered.
          items.length = before;
          parser = new ListBodyParser((item) => items.push(keep(item)));
          return exchange(path, params, (chunk) => parser.write(chunk));
        }, policy);
        if (!sent.ok) return sent;
        const rest = parser.end();
        if (!rest.ok) return fail('failed', `${path}: ${rest.message}`);
        const meta = rest.value['metadata'] as { continue?: unknown } | undefined;
        next = typeof meta?.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
        if (next === undefined || items.length >= max) break;
      }
      return ok(items);
    },
    async get(kind, name, namespace) {
      const ns = CLUSTER_SCOPED.has(kind) ? undefined : (namespace ?? 'default');
      const result = await getJson(`${collectionPath(kind, ns)}/${encodeURIComponent(name)}`, {});
      if (!result.ok) return result;
      return ok(kind === 'secrets' ? slimObject(kind, result.value) : (result.value as KObject));
    },
    async watch(kind, namespace, watchOptions) {
      requests++;
      const events: WatchEvent[] = [];
      let failure: string | undefined;
      let finish = () => undefined as void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      let controller: AbortController;
      try {
        const [{ Watch }, kc] = await Promise.all([import('@kubernetes/client-node'), access.kubeConfig()]);
        controller = await new Watch(kc).watch(
          collectionPath(kind, CLUSTER_SCOPED.has(kind) ? undefined : namespace),
          {},
          (type: string, object: unknown) => {
            events.push({ type, object: plain([object])[0] as KObject });
            if (watchOptions.maxEvents !== undefined && events.length >= watchOptions.maxEvents) finish();
          },
          (error: unknown) => {
            if (error) failure = classifyError(error).message;
            finish();
          },
        );
      } catch (error) {
        const { code, message } = classifyError(error);
        return fail(code, message);
      }
      const timer = setTimeout(finish, watchOptions.durationMs);
      await finished;
      clearTimeout(timer);
      controller.abort();
      return failure !== undefined && events.length === 0 ? fail('failed', failure) : ok(events);
    },
    async log(namespace, pod, logOptions: LogOptions) {
      const params: Record<string, string> = {
        tailLines: String(logOptions.tailLines),
        limitBytes: String(logOptions.limitBytes ?? 256 * 1024),
        ...(logOptions.container === undefined ? {} : { container: logOptions.container }),
        ...(logOptions.previous ? { previous: 'true' } : {}),
        ...(logOptions.sinceSeconds === undefined ? {} : { sinceSeconds: String(logOptions.sinceSeconds) }),
      };
      const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`;
      return withRetry(async () => {
        const chunks: Buffer[] = [];
        const sent = await exchange(path, params, (chunk) => chunks.push(chunk), 'text/plain, */*');
        return sent.ok ? ok(Buffer.concat(chunks).toString('utf8')) : sent;
      }, policy);
    },
  });
}

const MAX_PAGES = 1000;

function spread(e: { code: string; message: string }): [string, string] {
  return [e.code, e.message];
}

/** Watch events come from client-node, which turns timestamps into Date objects; the analyzers read plain JSON. */
function plain(items: unknown[] | undefined): unknown[] {
  return Array.isArray(items) ? (JSON.parse(JSON.stringify(items)) as unknown[]) : [];
}

/** The kubeconfig's bearer token and CA, for telemetry APIs served with the same credentials (the simulator). */
export function kubeCredentials(options: ApiReaderOptions): Result<{ token?: string; caPem?: string }> {
  const access = resolveAccess(options);
  return access.ok ? ok(access.value.credentials()) : access;
}

/** The API server's URL from the kubeconfig, the base of service-proxy URLs for discovered telemetry. */
export function kubeApiServer(options: ApiReaderOptions): Result<string> {
  const access = resolveAccess(options);
  if (!access.ok) return access;
  return access.value.server
    ? ok(access.value.server)
    : fail('config', 'the kubeconfig cluster has no server');
}
