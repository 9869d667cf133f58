/**
 * Where the kubeconfig's token goes. `aoi observe` runs as a child process against the simulated API server,
 * with --prometheus-url / --jaeger-url pointing at local HTTP and HTTPS servers that record every request's
 * Authorization header: the kube token reaches the API server (its service proxy included) and nothing else
 * unless opted in, and no token ever goes over plain http except to loopback with the explicit flag.
 */
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttp } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderKubeconfig } from '../../aiopslab-harness/sim/index.js';
import type { SimServer } from '../../aiopslab-harness/sim/index.js';
import { createServingCertificate } from '../../aiopslab-harness/sim/server/tls.js';
import { credentialsFor } from '../../src/observer/telemetry-credentials.js';
import { spawnAoi } from '../cli/spawn-aoi.js';
import { prepareCluster } from './sim-helpers.js';
import { SimServer as Sim } from '../../aiopslab-harness/sim/server/http.js';

interface Seen {
  scheme: 'http' | 'https';
  path: string;
  authorization?: string;
}

const NS = 'test-hotel-reservation';
const FILE_TOKEN = 'prom-file-token-1234';
let dir: string;
let sim: SimServer;
let kubeconfig: string;
let caFile: string;
let tokenFile: string;
const seen: Seen[] = [];
const servers: Server[] = [];
let httpUrl: string;
let httpsUrl: string;

/** Answers as an empty Prometheus and an empty Jaeger would, recording who asked with what. */
function recorder(scheme: 'http' | 'https') {
  return (req: IncomingMessage, res: ServerResponse) => {
    seen.push({
      scheme,
      path: req.url ?? '',
      ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }),
    });
    const body = (req.url ?? '').startsWith('/api/v1/')
      ? { status: 'success', data: { resultType: 'vector', result: [] } }
      : { data: [], total: 0, limit: 0, offset: 0, errors: null };
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  };
}

async function listen(server: Server, scheme: string): Promise<string> {
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-credentials-'));
  const prepared = prepareCluster({ app: 'hotel-reservation', fault: 'noop' });
  prepared.cluster.deployTelemetryServices();
  sim = await Sim.start(prepared);
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, renderKubeconfig(sim.url, sim.tokens, sim.caPem), { mode: 0o600 });
  // The HTTPS server's own certificate, trusted by the child through NODE_EXTRA_CA_CERTS as a private CA
  // would be: the cluster's CA vouches for the API server only.
  const cert = createServingCertificate(['127.0.0.1']);
  caFile = join(dir, 'telemetry-ca.pem');
  await writeFile(caFile, cert.certPem);
  tokenFile = join(dir, 'prom-token');
  await writeFile(tokenFile, `${FILE_TOKEN}\n`, { mode: 0o600 });
  httpUrl = await listen(createHttp(recorder('http')), 'http');
  httpsUrl = await listen(createHttps({ cert: cert.certPem, key: cert.keyPem }, recorder('https')), 'https');
}, 60_000);

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((done) => s.close(() => done()));
  }
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

async function observe(args: string[]): Promise<{ exitCode: number; stderr: string; requests: Seen[] }> {
  const before = seen.length;
  const result = await spawnAoi(['observe', '--kubeconfig', kubeconfig, '-n', NS, ...args], dir, {
    env: { NODE_EXTRA_CA_CERTS: caFile },
    // A child process on a busy machine: generous, as the rules for real waits say.
    timeoutMs: 90_000,
  });
  return { exitCode: result.exitCode ?? -1, stderr: result.stderr, requests: seen.slice(before) };
}

const bearer = (token: string) => `Bearer ${token}`;

describe('no request to a non-API-server URL carries the kube token unless opted in; none over http', () => {
  it('https URLs given: no credentials by default', async () => {
    const r = await observe(['--prometheus-url', httpsUrl, '--jaeger-url', httpsUrl]);
    expect(r.exitCode, r.stderr).not.toBe(2);
    expect(r.requests.length).toBeGreaterThan(2);
    expect(r.requests.filter((q) => q.authorization !== undefined)).toEqual([]);
  }, 120_000);

  it('--prometheus-use-kube-token sends it to Prometheus only', async () => {
    const r = await observe([
      '--prometheus-url',
      httpsUrl,
      '--jaeger-url',
      httpsUrl,
      '--prometheus-use-kube-token',
    ]);
    expect(r.exitCode, r.stderr).not.toBe(2);
    const prom = r.requests.filter((q) => q.path.startsWith('/api/v1/'));
    const jaeger = r.requests.filter((q) => !q.path.startsWith('/api/v1/'));
    expect(prom.length).toBeGreaterThan(0);
    expect(jaeger.length).toBeGreaterThan(0);
    expect(new Set(prom.map((q) => q.authorization))).toEqual(new Set([bearer(sim.tokens.observer)]));
    expect(jaeger.filter((q) => q.authorization !== undefined)).toEqual([]);
  }, 120_000);

  it('--prometheus-token-file sends that token, never the kube token', async () => {
    const r = await observe(['--prometheus-url', httpsUrl, '--prometheus-token-file', tokenFile]);
    expect(r.exitCode, r.stderr).not.toBe(2);
    const auth = new Set(r.requests.map((q) => q.authorization));
    expect(auth).toEqual(new Set([bearer(FILE_TOKEN)]));
  }, 120_000);

  it('plain http to loopback: read without credentials', async () => {
    const r = await observe(['--prometheus-url', httpUrl, '--jaeger-url', httpUrl]);
    expect(r.exitCode, r.stderr).not.toBe(2);
    expect(r.requests.length).toBeGreaterThan(2);
    expect(r.requests.filter((q) => q.authorization !== undefined)).toEqual([]);
  }, 120_000);

  it('a token over plain http is refused, with a hint, before any request', async () => {
    for (const args of [
      ['--prometheus-url', httpUrl, '--prometheus-use-kube-token'],
      ['--jaeger-url', httpUrl, '--jaeger-token-file', tokenFile],
    ]) {
      const r = await observe(args);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain('over plain http');
      expect(r.stderr).toContain('--allow-insecure-token-to-loopback');
      expect(r.requests).toEqual([]);
    }
  }, 120_000);

  it('--allow-insecure-token-to-loopback lets it go to loopback over http, and nowhere else', async () => {
    const r = await observe([
      '--prometheus-url',
      httpUrl,
      '--prometheus-use-kube-token',
      '--allow-insecure-token-to-loopback',
    ]);
    expect(r.exitCode, r.stderr).not.toBe(2);
    const prom = r.requests.filter((q) => q.path.startsWith('/api/v1/'));
    expect(prom.length).toBeGreaterThan(0);
    expect(new Set(prom.map((q) => q.authorization))).toEqual(new Set([bearer(sim.tokens.observer)]));
    // 192.0.2.0/24 is TEST-NET-1: never loopback, so refused whatever the flag says.
    const remote = await observe([
      '--prometheus-url',
      'http://192.0.2.10:9090',
      '--prometheus-token-file',
      tokenFile,
      '--allow-insecure-token-to-loopback',
    ]);
    expect(remote.exitCode).toBe(2);
    expect(remote.stderr).toContain('use an https URL');
  }, 120_000);

  it('found in the cluster: read through the API server’s proxy, with the kube token, and nothing else', async () => {
    const before = sim.requestLog.length;
    const r = await observe([]);
    expect(r.exitCode, r.stderr).not.toBe(2);
    expect(r.stderr).toContain('Prometheus at service observe/prometheus-server:80 (API server proxy)');
    expect(r.requests).toEqual([]);
    const proxied = sim.requestLog.slice(before).filter((e) => e.subresource === 'proxy');
    expect(proxied.length).toBeGreaterThan(2);
    for (const e of proxied) expect(e).toMatchObject({ role: 'observer', method: 'GET' });
  }, 120_000);

  it('over the whole matrix: no token over http but the one opted in to loopback', () => {
    const overHttp = seen.filter((q) => q.scheme === 'http' && q.authorization !== undefined);
    expect(new Set(overHttp.map((q) => q.authorization))).toEqual(new Set([bearer(sim.tokens.observer)]));
    expect(seen.filter((q) => q.authorization === bearer(sim.tokens.executor))).toEqual([]);
  });
});

describe('credentialsFor', () => {
  const ctx = { apiServer: 'https://k8s.example:6443', kubeToken: 'kube', kubeCaPem: 'CA' };
  it.each([
    [
      'the API server',
      'https://k8s.example:6443/api/v1/namespaces/m/services/p:9090/proxy',
      {},
      { token: 'kube', caPem: 'CA' },
    ],
    ['another host', 'https://prom.example', {}, {}],
    ['another port of the same host', 'https://k8s.example:9090', {}, {}],
    ['another host, opted in', 'https://prom.example', { useKubeToken: true }, { token: 'kube' }],
    ['another host, own token', 'https://prom.example', { token: 'own' }, { token: 'own' }],
    [
      'the API server, own token',
      'https://k8s.example:6443',
      { token: 'own' },
      { token: 'own', caPem: 'CA' },
    ],
  ] as const)('%s', (_name, url, auth, expected) => {
    const got = credentialsFor('Prometheus', url, ctx, auth);
    expect(got.ok && { ...got.value, note: undefined }).toEqual({ ...expected, note: undefined });
  });

  it('refuses a token over http, even to loopback unless allowed', () => {
    expect(credentialsFor('Prometheus', 'http://prom.example', ctx, { token: 'own' }).ok).toBe(false);
    expect(credentialsFor('Prometheus', 'http://127.0.0.1:9090', ctx, { token: 'own' }).ok).toBe(false);
    const allowed = credentialsFor(
      'Prometheus',
      'http://127.0.0.1:9090',
      { ...ctx, allowInsecureLoopback: true },
      {
        token: 'own',
      },
    );
    expect(allowed.ok && allowed.value).toMatchObject({ token: 'own', allowTokenOverLoopbackHttp: true });
    expect(credentialsFor('Prometheus', 'http://prom.example', ctx).ok).toBe(true);
  });
});
