/**
 * The words failures come out in: what a client library returns when a connection or a call fails (gRPC,
 * Thrift, mgo, the MongoDB C driver, memcache, Redis), how the caller's log line wraps it, and what the
 * server on the other side logs about it. Pure text; which failure happens is decided by the health model.
 */
import type { Dialect, Protocol } from './topology.js';
import { hashText } from './topology.js';

/** Why a call failed, as the caller experiences it. */
export type Failure =
  /** The Service name does not resolve. */
  | { kind: 'dns' }
  /** Cluster DNS has no ready endpoint: the resolver's query to it is refused (`from`: the caller's pod IP). */
  | { kind: 'dns-down'; from?: string }
  /** No ready endpoint, or nothing listens on the port the endpoints point at. */
  | { kind: 'refused' }
  /** The Service has no such port, or the packets are lost: the connection never completes. */
  | { kind: 'timeout' }
  /** mongod requires TLS and the client speaks plain TCP. */
  | { kind: 'mongo-tls' }
  /** The client's user does not exist (SASL fails). */
  | { kind: 'mongo-auth' }
  /** The user exists but lacks a role on the database. */
  | { kind: 'mongo-unauthorized'; db: string }
  /** The server's certificate is outside its validity period: the client's verification fails (times in ms). */
  | { kind: 'tls-expired'; notAfter: number; at: number }
  /** The callee answered, with an error of its own (a failure further down, or a fault in its code). */
  | { kind: 'upstream'; message: string };

/** Where the caller dialled: the Service name, its cluster IP and port. */
export interface Target {
  host: string;
  ip: string;
  port: number;
}

const KUBE_DNS = '10.96.0.10:53';

function grpcDial(detail: string): string {
  return `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: ${detail}"`;
}

function stripRpc(message: string): string {
  return message.replace(/^rpc error: code = \w+ desc = /, '');
}

function mongoCommand(db: string): string {
  const collection = db.replace(/-db$/, '');
  return `{ find: "${collection}", filter: { hotelId: "1" }, limit: 1, $db: "${db}" }`;
}

/** The error a client library hands its caller. */
export function clientError(dialect: Dialect, protocol: Protocol, failure: Failure, to: Target): string {
  const addr = `${to.ip}:${to.port}`;
  if (failure.kind === 'upstream')
    return dialect === 'thrift'
      ? failure.message
      : `rpc error: code = Unknown desc = ${stripRpc(failure.message)}`;
  if (protocol === 'mongodb') {
    if (failure.kind === 'mongo-auth')
      return dialect === 'thrift'
        ? 'Authentication failed.'
        : 'server returned error on SASL authentication step: Authentication failed.';
    if (failure.kind === 'mongo-unauthorized')
      return `not authorized on ${failure.db} to execute command ${mongoCommand(failure.db)}`;
    if (dialect !== 'thrift') return 'no reachable servers';
    if (failure.kind === 'dns-down')
      return `No suitable servers found (\`serverSelectionTryOnce\` set): [Failed to resolve '${to.host}']`;
    const why =
      failure.kind === 'refused'
        ? 'connection refused'
        : failure.kind === 'mongo-tls'
          ? 'connection closed'
          : 'socket timeout';
    return `No suitable servers found (\`serverSelectionTryOnce\` set): [${why} calling hello on '${to.host}:${to.port}']`;
  }
  if (failure.kind === 'tls-expired') return tlsExpired(dialect, failure);
  if (failure.kind === 'dns-down') return resolverRefused(dialect, protocol, failure.from, to);
  const tcp =
    failure.kind === 'dns'
      ? `dial tcp: lookup ${to.host} on ${KUBE_DNS}: no such host`
      : failure.kind === 'refused'
        ? `dial tcp ${addr}: connect: connection refused`
        : `dial tcp ${addr}: i/o timeout`;
  if (protocol === 'memcached')
    return failure.kind === 'timeout' ? `memcache: connect timeout to ${addr}` : tcp;
  if (protocol === 'redis')
    return dialect === 'thrift'
      ? `Failed to connect to Redis: ${failure.kind === 'refused' ? 'Connection refused' : 'Connection timed out'}`
      : tcp;
  if (dialect === 'thrift') {
    if (failure.kind === 'dns')
      return `TSocket::open() getaddrinfo() <Host: ${to.host} Port: ${to.port}>: Name or service not known`;
    if (failure.kind === 'refused')
      return `TSocket::open() connect() <Host: ${to.host} Port: ${to.port}>: Connection refused`;
    return 'THRIFT_EAGAIN (timed out)';
  }
  return grpcDial(tcp);
}

/**
 * A lookup whose query the cluster DNS Service refuses (no endpoints: kube-proxy's REJECT). Go's resolver
 * reports the UDP exchange ("lookup <host> on <server>:53: read udp <client>->10.96.0.10:53: read: connection
 * refused", net/dnsclient_unix.go); glibc's getaddrinfo gives EAI_AGAIN, "Temporary failure in name resolution".
 */
function resolverRefused(dialect: Dialect, protocol: Protocol, from: string | undefined, to: Target): string {
  if (dialect === 'thrift') {
    if (protocol === 'redis') return 'Failed to connect to Redis: Temporary failure in name resolution';
    return `TSocket::open() getaddrinfo() <Host: ${to.host} Port: ${to.port}>: Temporary failure in name resolution`;
  }
  const client = `${from ?? '10.244.1.2'}:${32768 + (hashText(`${from ?? ''}>${to.host}`) % 28000)}`;
  const tcp = `dial tcp: lookup ${to.host} on ${KUBE_DNS}: read udp ${client}->${KUBE_DNS}: read: connection refused`;
  return protocol === 'rpc' ? grpcDial(tcp) : tcp;
}

/** Go's time.RFC3339 in UTC, as crypto/x509 prints times: no fraction of a second. */
function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * A client's verification of an expired server certificate. Go: crypto/x509's CertificateInvalidError
 * (reason Expired) reads "x509: certificate has expired or is not yet valid: current time <now> is after
 * <notAfter>", which crypto/tls (Go 1.20+) wraps as "tls: failed to verify certificate: …" and gRPC as a
 * connection error, "transport: authentication handshake failed: …" (grpc-go credentials/tls.go). OpenSSL
 * clients (Thrift's TSSLSocket) fail SSL_connect with "certificate verify failed" and the verify result
 * X509_V_ERR_CERT_HAS_EXPIRED, "certificate has expired": no dates there.
 */
function tlsExpired(dialect: Dialect, failure: { notAfter: number; at: number }): string {
  if (dialect === 'thrift')
    return 'SSL_connect: error:0A000086:SSL routines::certificate verify failed (certificate has expired)';
  const x509 =
    `tls: failed to verify certificate: x509: certificate has expired or is not yet valid: ` +
    `current time ${rfc3339(failure.at)} is after ${rfc3339(failure.notAfter)}`;
  return `rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: ${x509}"`;
}

function pascal(name: string): string {
  return name
    .replace(/-service$/, '')
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** The line a caller logs when a call to `callee` fails with `message` (`{time}` is filled in on read). */
export function callerLogLine(
  dialect: Dialect,
  caller: string,
  callee: string,
  protocol: Protocol,
  message: string,
): string {
  const line = 40 + (hashText(`${caller}>${callee}`) % 260);
  switch (dialect) {
    case 'go-grpc': {
      const file = protocol === 'mongodb' ? 'db.go' : 'server.go';
      return `{time} ERR services/${caller}/${file}:${line} > ${message}`;
    }
    case 'thrift': {
      const handler = `${pascal(caller)}Handler`;
      if (protocol === 'mongodb')
        return `[{time}] <error>: (${pascal(caller)}Service.cpp:${line}:main) Failed to create mongodb index, try again`;
      return `[{time}] <error>: (${handler}.h:${line}:${pascal(callee)}) ${message}`;
    }
    case 'otel':
      return `{time} ERROR [${caller}] call to ${callee} failed: ${message}`;
    case 'generic':
      return `{time} ERROR ${caller}: call to ${callee} failed: ${message}`;
  }
}

/** What a server logs about clients it turned away, if anything (mongod logs auth and TLS refusals). */
export function calleeLogLine(protocol: Protocol, failure: Failure, remoteIP: string): string | undefined {
  if (protocol !== 'mongodb') return undefined;
  const conn = 10 + (hashText(remoteIP) % 90);
  const remote = `${remoteIP}:${40000 + (hashText(`${remoteIP}/port`) % 20000)}`;
  const head = (component: string, id: number) =>
    `{"t":{"$date":"{time}"},"s":"I",  "c":"${component}",${' '.repeat(Math.max(1, 9 - component.length))}"id":${id},   "ctx":"conn${conn}"`;
  switch (failure.kind) {
    case 'mongo-auth':
      return `${head('ACCESS', 20249)},"msg":"Authentication failed","attr":{"mechanism":"SCRAM-SHA-1","speculative":false,"principalName":"admin","authenticationDatabase":"admin","remote":"${remote}","extraInfo":{},"error":"UserNotFound: Could not find user \\"admin\\" for db \\"admin\\""}}`;
    case 'mongo-unauthorized':
      return `${head('ACCESS', 20436)},"msg":"Checking authorization failed","attr":{"error":{"code":13,"codeName":"Unauthorized","errmsg":"not authorized on ${failure.db} to execute command ${mongoCommand(failure.db).replace(/"/g, '\\"')}"}}}`;
    case 'mongo-tls':
      return `${head('NETWORK', 22988)},"msg":"Error receiving request from client. Ending connection from remote","attr":{"error":{"code":141,"codeName":"SSLHandshakeFailed","errmsg":"The server is configured to only allow SSL connections"},"remote":"${remote}","connectionId":${conn}}}`;
    case 'dns':
    case 'dns-down':
    case 'tls-expired':
    case 'refused':
    case 'timeout':
    case 'upstream':
      return undefined;
  }
}
