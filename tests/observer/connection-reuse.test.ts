/**
 * The API reader keeps one TLS connection for its requests (issue 14, item 4): client-node makes a new Agent
 * per request, and a handshake per GET was the largest share of a 100-pod diagnosis's CPU.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createServingCertificate } from '../../aiopslab-harness/sim/server/tls.js';
import { createApiReader } from '../../src/observer/api-reader.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** An HTTPS server answering every GET with an empty list, counting TLS handshakes and requests. */
async function listServer(): Promise<{
  url: string;
  caPem: string;
  handshakes: () => number;
  gets: () => number;
}> {
  const certificate = createServingCertificate(['127.0.0.1']);
  let handshakes = 0;
  let gets = 0;
  server = createServer({ cert: certificate.certPem, key: certificate.keyPem }, (_req, res) => {
    gets++;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: {}, items: [] }));
  });
  server.on('secureConnection', () => handshakes++);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    caPem: certificate.certPem,
    handshakes: () => handshakes,
    gets: () => gets,
  };
}

function kubeConfigFor(url: string, caPem: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(
    { name: 'c', server: url, caData: Buffer.from(caPem).toString('base64'), skipTLSVerify: false },
    { name: 'u', token },
  );
  return kc;
}

describe('the API reader over HTTPS', () => {
  it('sends its requests over kept-alive TLS connections, not a new handshake per request', async () => {
    const api = await listServer();
    const made = createApiReader({ kubeConfig: kubeConfigFor(api.url, api.caPem, 'secret-token') });
    if (!made.ok) throw new Error(made.error.message);
    const reader = made.value;
    for (const kind of ['pods', 'services', 'events', 'deployments', 'nodes'] as const) {
      const result = await reader.list(kind, 'shop');
      expect(result.ok, kind).toBe(true);
    }
    expect(api.gets()).toBe(5);
    expect(api.handshakes()).toBe(1);
    // A burst of concurrent reads opens a socket per request in flight; the next burst reuses them all.
    const burst = async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => reader.list('pods', 'shop')));
      expect(results.every((r) => r.ok)).toBe(true);
    };
    await burst();
    const afterFirstBurst = api.handshakes();
    await burst();
    await burst();
    expect(api.gets()).toBe(5 + 3 * 8);
    expect(api.handshakes()).toBe(afterFirstBurst);
  });

  it("with the observer's own kubeconfig reader (CA read from a file per request), one handshake too", async () => {
    const api = await listServer();
    const dir = await mkdtemp(join(tmpdir(), 'aoi-connection-reuse-'));
    try {
      await writeFile(join(dir, 'ca.crt'), api.caPem);
      await writeFile(
        join(dir, 'config'),
        stringify({
          clusters: [{ name: 'c', cluster: { server: api.url, 'certificate-authority': 'ca.crt' } }],
          users: [{ name: 'u', user: { token: 'secret-token' } }],
          contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
          'current-context': 'x',
        }),
      );
      const made = createApiReader({ kubeconfig: join(dir, 'config') });
      if (!made.ok) throw new Error(made.error.message);
      for (const kind of ['pods', 'services', 'events', 'deployments', 'nodes'] as const)
        expect((await made.value.list(kind, 'shop')).ok, kind).toBe(true);
      expect(api.gets()).toBe(5);
      expect(api.handshakes()).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('still refuses a server whose certificate the kubeconfig does not trust', async () => {
    const api = await listServer();
    const stranger = createServingCertificate(['127.0.0.1']);
    const made = createApiReader({ kubeConfig: kubeConfigFor(api.url, stranger.certPem, 't') });
    if (!made.ok) throw new Error(made.error.message);
    const result = await made.value.list('pods', 'shop');
    expect(result.ok).toBe(false);
    expect(api.gets()).toBe(0);
  });
});
