/**
 * Which credentials a telemetry URL gets. The kubeconfig's bearer token belongs to the API server: it goes
 * to that origin (its service proxy included, which is how a Prometheus or Jaeger found in the cluster is
 * read) and nowhere else unless the user says so, by a token file of its own or an explicit "use the kube
 * token" opt-in. No token ever goes over plain http, except to loopback with an explicit opt-in.
 */
import type { Result } from '../core/errors.js';
import { fail, ok } from '../core/errors.js';
import { isLoopbackHost } from './https-json.js';

export interface TelemetryAuth {
  /** A token of this backend's own (read from --prometheus-token-file, --jaeger-token-file or config). */
  token?: string;
  /** Send the kubeconfig's token to this backend even though it is not the API server. */
  useKubeToken?: boolean;
}

export interface CredentialContext {
  /** The API server's URL (the kubeconfig cluster's `server`), when known. */
  apiServer?: string;
  /** The kubeconfig's (observer's) token and CA. */
  kubeToken?: string;
  kubeCaPem?: string;
  /** Let a token go over plain http to a loopback address. */
  allowInsecureLoopback?: boolean;
}

export interface ReaderCredentials {
  token?: string;
  caPem?: string;
  allowTokenOverLoopbackHttp?: boolean;
  /** One human line: what goes where (never the token itself). */
  note: string;
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** True when `url` is served by the API server itself (same scheme, host and port). */
export function isApiServerUrl(url: string, apiServer: string | undefined): boolean {
  const origin = originOf(url);
  return apiServer !== undefined && origin !== undefined && origin === originOf(apiServer);
}

/**
 * The token and CA a reader of `url` may use, or a failure (with a hint in its message) when the only way
 * to send the chosen token would be plain http.
 */
export function credentialsFor(
  what: string,
  url: string,
  ctx: CredentialContext,
  auth: TelemetryAuth = {},
): Result<ReaderCredentials> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('usage', `${what} URL is not a URL: ${url}`);
  }
  const atApiServer = isApiServerUrl(url, ctx.apiServer);
  // The cluster's CA vouches for the API server only; another host is checked against the system roots.
  const caPem = atApiServer ? ctx.kubeCaPem : undefined;
  let token: string | undefined;
  let source: string;
  if (auth.token !== undefined) [token, source] = [auth.token, 'its own token file'];
  else if (atApiServer) [token, source] = [ctx.kubeToken, "the kubeconfig's token (API server)"];
  else if (auth.useKubeToken) [token, source] = [ctx.kubeToken, "the kubeconfig's token (opted in)"];
  else [token, source] = [undefined, 'no credentials'];
  if (token !== undefined && parsed.protocol === 'http:') {
    const loopback = isLoopbackHost(parsed.hostname);
    if (!loopback || !ctx.allowInsecureLoopback)
      return fail(
        'usage',
        `refusing to send ${source === 'no credentials' ? 'a token' : source} to ${what} at ${parsed.origin} over plain http` +
          (loopback
            ? '; pass --allow-insecure-token-to-loopback if this Prometheus or Jaeger really runs on this machine'
            : '; use an https URL, or leave out the token options to read it without credentials'),
      );
  }
  return ok({
    ...(token === undefined ? {} : { token }),
    ...(caPem === undefined ? {} : { caPem }),
    ...(token !== undefined && ctx.allowInsecureLoopback ? { allowTokenOverLoopbackHttp: true } : {}),
    note: `${what}: ${token === undefined ? 'no credentials' : source}`,
  });
}
