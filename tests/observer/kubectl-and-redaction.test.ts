import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderKubeconfig, SimServer } from '../../aiopslab-harness/sim/index.js';
import type { SimCluster } from '../../aiopslab-harness/sim/index.js';
import { resourceByKind } from '../../aiopslab-harness/sim/api/resources.js';
import { createKubectlReader } from '../../src/observer/kubectl-reader.js';
import { observe } from '../../src/observer/observe.js';
import { apiReader, prepareCluster } from './sim-helpers.js';

const CANARY = 'canary-7f3a9c2e51b84d06';
let dir: string;
let server: SimServer;
let cluster: SimCluster;
let namespace: string;
let kubeconfig: string;

/** Plants the canary in the geo Deployment's env (a value) and in a mongodb-geo log line. */
function plantCanary(): void {
  const DEPLOYMENTS = resourceByKind('Deployment');
  cluster.store.mutate(DEPLOYMENTS, namespace, 'geo', (obj) => {
    const spec = obj['spec'] as {
      template: { spec: { containers: { env?: { name: string; value: string }[] }[] } };
    };
    const container = spec.template.spec.containers[0]!;
    container.env = [...(container.env ?? []), { name: 'DB_PASSWORD', value: CANARY }];
  });
  cluster.advance(30_000);
  const pod = cluster.store
    .peekAll(resourceByKind('Pod'), namespace)
    .find((p) => (p['metadata'] as { name: string }).name.startsWith('mongodb-geo-'))!;
  const meta = pod['metadata'] as { uid: string };
  const container = (pod['spec'] as { containers: { name: string }[] }).containers[0]!.name;
  for (let i = 0; i < 3; i++)
    cluster.logs.append(meta.uid, container, {
      at: cluster.clock.now(),
      text: `ERROR connection failed password=${CANARY} authentication failed`,
    });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-observer-'));
  ({ cluster, namespace } = prepareCluster({
    app: 'hotel-reservation',
    fault: 'revoke_auth_mongodb',
    target: 'mongodb-geo',
  }));
  plantCanary();
  server = await SimServer.start({ cluster });
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, renderKubeconfig(server.url, server.tokens, server.caPem), { mode: 0o600 });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the kubectl transport', () => {
  it('gives the same top signals as the API transport', async () => {
    const kubectl = createKubectlReader({ kubeconfig, env: { PATH: process.env.PATH ?? '', HOME: dir } });
    const [viaApi, viaKubectl] = await Promise.all([
      observe(apiReader(server), { namespace }),
      observe(kubectl, { namespace }),
    ]);
    if (!viaApi.ok || !viaKubectl.ok) throw new Error('observation failed');
    const top = (r: typeof viaApi) =>
      r.ok ? r.value.evidence.slice(0, 5).map((e) => `${e.signal} ${e.subject.kind}/${e.subject.name}`) : [];
    expect(top(viaKubectl)).toEqual(top(viaApi));
    expect(viaKubectl.value.transport).toBe('kubectl');
    expect(viaKubectl.value.stats.requests).toBeGreaterThan(5);
    expect(server.writesBy('observer')).toEqual([]);
  });

  it('gets one object, and a missing one as not-found, on both transports', async () => {
    const kubectl = createKubectlReader({ kubeconfig, env: { PATH: process.env.PATH ?? '', HOME: dir } });
    for (const reader of [apiReader(server), kubectl]) {
      const found = await reader.get('services', 'mongodb-geo', namespace);
      expect(found.ok && found.value.metadata?.name).toBe('mongodb-geo');
      const node = await reader.get('nodes', 'kind-worker', undefined);
      expect(node.ok, reader.transport).toBe(true);
      const missing = await reader.get('deployments', 'nope', namespace);
      expect(missing).toMatchObject({ ok: false, error: { code: 'not-found' } });
    }
  });

  it('watches for a bounded window on both transports: existing objects, then changes', async () => {
    const kubectl = createKubectlReader({ kubeconfig, env: { PATH: process.env.PATH ?? '', HOME: dir } });
    for (const reader of [apiReader(server), kubectl]) {
      const watching = reader.watch('services', namespace, { durationMs: 2500 });
      await new Promise((resolve) => setTimeout(resolve, 1200));
      cluster.store.mutate(resourceByKind('Service'), namespace, 'geo', (obj) => {
        const meta = obj['metadata'] as { labels?: Record<string, string> };
        meta.labels = { ...meta.labels, touched: reader.transport };
      });
      const events = await watching;
      if (!events.ok) throw new Error(events.error.message);
      expect(events.value.some((e) => e.type === 'ADDED' && e.object.metadata?.name === 'mongodb-geo')).toBe(
        true,
      );
      expect(
        events.value.some(
          (e) => e.type === 'MODIFIED' && e.object.metadata?.labels?.['touched'] === reader.transport,
        ),
        reader.transport,
      ).toBe(true);
    }
    expect(server.requestLog.some((e) => e.role === 'observer' && e.verb === 'watch')).toBe(true);
    expect(server.writesBy('observer')).toEqual([]);
  });

  it('reports an unreachable cluster as a failure value', async () => {
    const bad = join(dir, 'bad.kubeconfig');
    await writeFile(bad, renderKubeconfig('https://127.0.0.1:1', server.tokens, server.caPem));
    const reader = createKubectlReader({
      kubeconfig: bad,
      env: { PATH: process.env.PATH ?? '', HOME: dir },
      retry: { tries: 1, baseMs: 1 },
    });
    const result = await observe(reader, { namespace });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('cluster-unreachable');
  });
});

describe('redaction', () => {
  it('never puts a secret value from env or logs into the evidence', async () => {
    const result = await observe(apiReader(server), { namespace, maxEvidenceTokens: 20_000 });
    if (!result.ok) throw new Error(result.error.message);
    const json = JSON.stringify(result.value);
    expect(json).toContain('DB_PASSWORD');
    expect(json).toContain('mongodb-geo');
    // The planted line is in the evidence, with its value masked.
    expect(json).toContain('password=[REDACTED]');
    expect(json).not.toContain(CANARY);
    expect(json).not.toContain(CANARY.slice(7));
  });
});
