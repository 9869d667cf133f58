/**
 * A read-only HTTP(S) client for telemetry APIs: GET only (through `get`, which cannot send another
 * method), bearer token, optional CA, a deadline, a size cap, and bounded retries with backoff and jitter.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { Failure, Result } from '../core/errors.js';
import { fail, ok } from '../core/errors.js';
import { redactText } from './redact.js';

export interface HttpReaderOptions {
  url: string;
  token?: string;
  caPem?: string;
  timeoutMs?: number;
  /** Lets a token go over plain http, to a loopback address only (an explicit user opt-in). */
  allowTokenOverLoopbackHttp?: boolean;
  /** Reply size cap in bytes (default 8 MiB). */
  maxBytes?: number;
}

export interface HttpReply {
  status: number;
  body: string;
  /** The reply's `Date` header: the server's clock when it answered. */
  date?: string;
  contentType?: string;
}

/** True for 127.0.0.0/8, ::1 and `localhost`: a plain-http hop that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Why a bearer token must not go to `url`, if it must not: never over plain http, except to loopback
 * when the user opted in. Checked before every request, whoever built the options.
 */
export function insecureTokenReason(url: URL, options: HttpReaderOptions): string | undefined {
  if (!options.token || url.protocol !== 'http:') return undefined;
  if (options.allowTokenOverLoopbackHttp && isLoopbackHost(url.hostname)) return undefined;
  return isLoopbackHost(url.hostname)
    ? `refusing to send a bearer token over plain http to ${url.origin} without --allow-insecure-token-to-loopback`
    : `refusing to send a bearer token over plain http to ${url.origin}; use https`;
}

const MAX_BYTES = 8 * 1024 * 1024;
const MAX_TRIES = 3;
const BASE_BACKOFF_MS = 150;
const RETRY_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED']);

type Attempt = { reply: HttpReply } | { failure: Failure; retry: boolean };

/** The URL of `path` under the base URL, which may carry a path prefix (e.g. behind a proxy). */
export function endpoint(base: string, path: string, params: Record<string, string>): URL {
  const url = new URL(base);
  url.pathname = url.pathname.replace(/\/+$/, '') + path;
  url.search = new URLSearchParams(params).toString();
  return url;
}

function once(url: URL, options: HttpReaderOptions, maxBytes: number): Promise<Attempt> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.token) headers['Authorization'] = `Bearer ${options.token}`;
  const where = redactText(`${url.origin}${url.pathname}`);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (a: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(a);
    };
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes)
          finish({
            failure: { code: 'too-large', message: `${where}: reply over ${maxBytes} bytes` },
            retry: false,
          });
        else chunks.push(chunk);
      });
      res.on('end', () => {
        const { date, 'content-type': contentType } = res.headers;
        finish({
          reply: {
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            ...(date === undefined ? {} : { date }),
            ...(contentType === undefined ? {} : { contentType }),
          },
        });
      });
      res.on('error', (error) =>
        finish({ failure: { code: 'unreachable', message: `${where}: ${error.message}` }, retry: true }),
      );
    };
    let req: ClientRequest;
    try {
      req =
        url.protocol === 'https:'
          ? httpsGet(url, { headers, ...(options.caPem ? { ca: options.caPem } : {}) }, onResponse)
          : httpGet(url, { headers }, onResponse);
    } catch (error) {
      // Node refuses some requests up front, e.g. a token with a newline in it.
      const code = (error as NodeJS.ErrnoException).code ?? 'invalid request';
      resolve({ failure: { code: 'unreachable', message: `${where}: ${code}` }, retry: false });
      return;
    }
    const timer = setTimeout(
      () =>
        finish({
          failure: { code: 'timeout', message: `${where}: no reply within ${timeoutMs} ms` },
          retry: true,
        }),
      timeoutMs,
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish({
        failure: { code: 'unreachable', message: `${where}: ${error.code ?? error.message}` },
        retry: RETRY_CODES.has(error.code ?? ''),
      }),
    );
  });
}

const retryable = (status: number) => status === 429 || status >= 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** GETs `url`; any HTTP status comes back as a reply, transport problems as a failure. */
export async function getText(
  url: URL,
  options: HttpReaderOptions,
  maxBytes = options.maxBytes ?? MAX_BYTES,
): Promise<Result<HttpReply>> {
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return fail('unreachable', `unsupported URL scheme ${url.protocol}`);
  const insecure = insecureTokenReason(url, options);
  if (insecure) return fail('insecure-transport', insecure);
  let last: Attempt = { failure: { code: 'unreachable', message: 'no attempt made' }, retry: false };
  for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
    if (attempt > 0) await sleep(BASE_BACKOFF_MS * 2 ** (attempt - 1) * (1 + Math.random()));
    last = await once(url, options, maxBytes);
    if ('reply' in last ? !retryable(last.reply.status) : !last.retry) break;
  }
  return 'reply' in last ? ok(last.reply) : { ok: false, error: last.failure };
}

/** The failure an HTTP error status stands for; `detail` is the API's own error text, if any. */
export function statusFailure(status: number, detail: string): Failure {
  const text = detail ? `: ${redactText(detail).slice(0, 500)}` : '';
  if (status === 401 || status === 403) return { code: 'denied', message: `HTTP ${status}${text}` };
  if (status === 400 || status === 422)
    return { code: 'bad-query', message: detail ? redactText(detail).slice(0, 500) : `HTTP ${status}` };
  if (status === 429 || status >= 500) return { code: 'unreachable', message: `HTTP ${status}${text}` };
  return { code: 'bad-response', message: `HTTP ${status}${text}` };
}

/**
 * GETs `path` under `base` and parses the body as JSON. An invalid URL or a reply that is not JSON is a
 * failure (an error status with a plain-text body becomes that status's failure); otherwise the status
 * comes back with the JSON for the caller's own envelope checks.
 */
export async function getJson(
  base: string,
  path: string,
  params: Record<string, string>,
  options: HttpReaderOptions,
  what: string,
): Promise<Result<{ status: number; json: unknown; date?: string }>> {
  let url: URL;
  try {
    url = endpoint(base, path, params);
  } catch {
    return fail('unreachable', `invalid ${what} URL`);
  }
  const reply = await getText(url, options);
  if (!reply.ok) return reply;
  const { status, body, date } = reply.value;
  try {
    return ok({ status, json: JSON.parse(body) as unknown, ...(date === undefined ? {} : { date }) });
  } catch {
    if (status < 200 || status >= 300) return { ok: false, error: statusFailure(status, body.trim()) };
    return fail('bad-response', `${path}: reply is not JSON`);
  }
}
