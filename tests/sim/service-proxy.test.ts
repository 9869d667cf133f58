/**
 * The simulator's service proxy: GET by the observer reaches the telemetry behind `prometheus-server` and
 * `jaeger-query`; other roles, other verbs and other Services get Kubernetes Status errors.
 */
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getApp } from '../../aiopslab-harness/sim/apps/index.js';
import { SimCluster } from '../../aiopslab-harness/sim/cluster.js';
import { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import { parseProxyPath } from '../../aiopslab-harness/sim/server/service-proxy.js';

const NS = 'test-hotel-reservation';
const PROM = '/api/v1/namespaces/observe/services/prometheus-server:80/proxy';
let server: SimServer;

beforeAll(async () => {
  const cluster = new SimCluster({ seed: 2, telemetryServices: true });
  cluster.deployApp(getApp('hotel-reservation')!);
  cluster.settle();
  cluster.advance(2 * 60_000);
  server = await SimServer.start({ cluster });
});

afterAll(() => server.close());

function call(
  path: string,
  role: 'observer' | 'executor' | 'admin' = 'observer',
  method = 'GET',
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      { method, ca: server.caPem, headers: { Authorization: `Bearer ${server.tokens[role]}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown>;
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = { text };
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    req.end(method === 'POST' ? 'query=up' : undefined);
  });
}

describe('service proxy', () => {
  it('parses name, name:port and scheme:name:port as the API server does', () => {
    expect(parseProxyPath('/api/v1/namespaces/a/services/b/proxy')).toEqual({
      namespace: 'a',
      service: 'b',
      rest: '/',
    });
    expect(parseProxyPath('/api/v1/namespaces/a/services/b:web/proxy/x/y')).toEqual({
      namespace: 'a',
      service: 'b',
      port: 'web',
      rest: '/x/y',
    });
    expect(parseProxyPath('/api/v1/namespaces/a/services/https:b:443/proxy/')).toMatchObject({
      service: 'b',
      port: '443',
    });
    expect(parseProxyPath('/api/v1/namespaces/a/services/b')).toBeUndefined();
  });

  it('lets the observer GET Prometheus and Jaeger, by port number or name', async () => {
    const prom = await call(`${PROM}/api/v1/query?query=up`);
    expect(prom.status).toBe(200);
    expect(prom.json['status']).toBe('success');
    const byName = await call(
      `/api/v1/namespaces/observe/services/prometheus-server:http/proxy/api/v1/query?query=up`,
    );
    expect(byName.status).toBe(200);
    const jaeger = await call('/api/v1/namespaces/observe/services/jaeger-query:16686/proxy/api/services');
    expect(jaeger.status).toBe(200);
    expect(jaeger.json['data']).toContain('frontend');
  });

  it.each([
    ['the executor', `${PROM}/api/v1/query?query=up`, 'executor', 'GET', 403, 'Forbidden'],
    ['a POST by the observer', `${PROM}/api/v1/query`, 'observer', 'POST', 403, 'Forbidden'],
    ['a DELETE by the observer', `${PROM}/api/v1/query`, 'observer', 'DELETE', 403, 'Forbidden'],
    [
      'a Service with nothing behind it',
      `/api/v1/namespaces/${NS}/services/frontend:5000/proxy/`,
      'observer',
      'GET',
      503,
      'ServiceUnavailable',
    ],
    [
      'a Service that does not exist',
      '/api/v1/namespaces/observe/services/nope:80/proxy/',
      'observer',
      'GET',
      404,
      'NotFound',
    ],
  ] as const)('refuses %s with a Status', async (_, path, role, method, code, reason) => {
    const reply = await call(path, role, method);
    expect(reply.status).toBe(code);
    expect(reply.json).toMatchObject({ kind: 'Status', status: 'Failure', reason, code });
  });

  it('says in the Forbidden message what RBAC lacks, and logs the attempt with its verb', async () => {
    const reply = await call(`${PROM}/api/v1/query`, 'executor', 'GET');
    expect(reply.json['message']).toBe(
      'services "prometheus-server" is forbidden: User "system:serviceaccount:aoi-system:aoi-executor" cannot get resource "services/proxy" in API group "" in the namespace "observe"',
    );
    const post = server.requestLog.filter((e) => e.subresource === 'proxy' && e.method === 'POST');
    expect(post[0]).toMatchObject({ role: 'observer', verb: 'create', resource: 'services', status: 403 });
  });

  it('lets the admin POST a query form through the proxy', async () => {
    const reply = await call(`${PROM}/api/v1/query`, 'admin', 'POST');
    expect(reply.status).toBe(200);
  });
});
