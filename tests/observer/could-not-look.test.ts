/**
 * Issue 14, in-process: why a look fails (no kubeconfig, no current context, DNS, plain HTTP, an untrusted
 * certificate, a token that may read nothing) and what a partial look reports, against the simulator over HTTPS.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NOBODY_CONTEXT, renderKubeconfig, SimServer } from '../../aiopslab-harness/sim/index.js';
import { createApiReader, kubeNamespace } from '../../src/observer/api-reader.js';
import { loadKubeConfig } from '../../src/observer/client-node-kubeconfig.js';
import { observe } from '../../src/observer/observe.js';
import { prepareCluster } from './sim-helpers.js';

const NS = 'test-hotel-reservation';
let dir: string;
let server: SimServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-observer-look-'));
  server = await SimServer.start({
    ...prepareCluster({ app: 'hotel-reservation', fault: 'noop' }),
    observerDenied: ['events', 'configmaps'],
  });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function kubeconfig(name: string, url: string, caPem = server.caPem, namespace?: string) {
  const path = join(dir, name);
  const text = renderKubeconfig(url, server.tokens, caPem, namespace === undefined ? {} : { namespace });
  await writeFile(path, text, { mode: 0o600 });
  return path;
}

async function look(options: { kubeconfig: string; context?: string }) {
  const reader = createApiReader(options);
  if (!reader.ok) throw new Error(reader.error.message);
  return observe(reader.value, { namespace: NS });
}

describe('a kubeconfig that names no cluster', () => {
  // Inside a pod the service account's token is a kubeconfig of its own (client-node's in-cluster config).
  it.skipIf(existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token'))(
    'no $KUBECONFIG and no ~/.kube/config: no-kubeconfig, not a fallback to localhost:8080',
    () => {
      vi.stubEnv('KUBECONFIG', '');
      vi.stubEnv('HOME', dir);
      try {
        const loaded = loadKubeConfig({});
        expect(loaded).toMatchObject({ ok: false, error: { code: 'no-kubeconfig' } });
        expect(!loaded.ok && loaded.error.message).toContain(join(dir, '.kube', 'config'));
      } finally {
        vi.unstubAllEnvs();
      }
    },
  );

  it('no current context: no-context, listing the contexts there are', async () => {
    const path = join(dir, 'no-context.kubeconfig');
    await writeFile(
      path,
      renderKubeconfig(server.url, server.tokens, server.caPem).replace(/^current-context: .*$/m, ''),
    );
    const loaded = loadKubeConfig({ kubeconfig: path });
    expect(loaded).toMatchObject({ ok: false, error: { code: 'no-context' } });
    expect(!loaded.ok && loaded.error.message).toMatch(/contexts: aoi-observer, aoi-executor, aoi-nobody/);
  });

  it("the current context's namespace, or none", async () => {
    expect(
      kubeNamespace({ kubeconfig: await kubeconfig('ns.kubeconfig', server.url, server.caPem, NS) }),
    ).toEqual({
      ok: true,
      value: NS,
    });
    expect(kubeNamespace({ kubeconfig: await kubeconfig('no-ns.kubeconfig', server.url) })).toEqual({
      ok: true,
      value: undefined,
    });
  });
});

describe('a look that cannot read the core kinds fails, naming why', () => {
  it.each([
    ['DNS', 'https://no-such-host.invalid:6443', /ENOTFOUND|EAI_AGAIN/],
    ['a plain-HTTP server address', 'http://127.0.0.1:9', /HTTP protocol is not allowed/],
  ])('%s: cluster-unreachable', async (name, url, message) => {
    const result = await look({ kubeconfig: await kubeconfig(`${name}.kubeconfig`, url) });
    expect(result).toMatchObject({ ok: false, error: { code: 'cluster-unreachable' } });
    expect(!result.ok && result.error.message).toMatch(message);
  });

  it('an untrusted certificate (TLS): cluster-unreachable', async () => {
    const other = await SimServer.start();
    try {
      const result = await look({
        kubeconfig: await kubeconfig('wrong-ca.kubeconfig', server.url, other.caPem),
      });
      expect(result).toMatchObject({ ok: false, error: { code: 'cluster-unreachable' } });
      expect(!result.ok && result.error.message).toMatch(/certificate/i);
    } finally {
      await other.close();
    }
  });

  it('a token that may read nothing: cluster-forbidden, naming the identity', async () => {
    const result = await look({
      kubeconfig: await kubeconfig('nobody.kubeconfig', server.url),
      context: NOBODY_CONTEXT,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'cluster-forbidden' } });
    expect(!result.ok && result.error.message).toMatch(
      /^the observer may not read pods, deployments, statefulsets, replicasets or events in namespace test-hotel-reservation: HTTP 403: .*aoi-nobody/,
    );
  });
});

describe('a look that reads part of the cluster', () => {
  it('says what it read and what it could not, and is not complete', async () => {
    const result = await look({ kubeconfig: await kubeconfig('partial.kubeconfig', server.url) });
    if (!result.ok) throw new Error(result.error.message);
    const { coverage } = result.value;
    expect(coverage.complete).toBe(false);
    expect(coverage.kinds).toMatchObject({ events: null, configmaps: null });
    expect(coverage.kinds['pods']).toBeGreaterThan(0);
    expect(coverage.logs.read).toBeGreaterThan(0);
    expect(coverage.gaps.map((g) => [g.what, g.code])).toEqual([
      ['events', 'forbidden'],
      ['configmaps', 'forbidden'],
    ]);
    expect(coverage.telemetry).toEqual({
      prometheus: { via: null, found: false, gaps: 0 },
      jaeger: { via: null, found: false, gaps: 0 },
    });
    expect(result.value.gaps).toEqual(coverage.gaps);
  });
});
