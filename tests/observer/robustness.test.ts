import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../src/core/errors.js';
import { fail, ok } from '../../src/core/errors.js';
import { createApiReader } from '../../src/observer/api-reader.js';
import type { ClusterReader, ResourceKind } from '../../src/observer/cluster-reader.js';
import type { KObject } from '../../src/observer/k8s-types.js';
import { splitJsonValues } from '../../src/observer/json-stream.js';
import { observe } from '../../src/observer/observe.js';
import { depths } from '../../src/observer/rank.js';

/** A reader over fixed objects (the interface is the seam; no module is mocked). */
function fixedReader(
  objects: Partial<Record<ResourceKind, unknown[]>>,
  denied: ResourceKind[] = [],
): ClusterReader {
  let requests = 0;
  return {
    transport: 'api',
    requestCount: () => requests,
    list(kind): Promise<Result<KObject[]>> {
      requests++;
      if (denied.includes(kind)) return Promise.resolve(fail('forbidden', `HTTP 403: ${kind} is forbidden`));
      return Promise.resolve(ok((objects[kind] ?? []) as KObject[]));
    },
    get: () => Promise.resolve(fail('not-found', 'not found')),
    log: () => Promise.resolve(ok('')),
    watch: () => Promise.resolve(ok([])),
  };
}

describe('observe() on odd input', () => {
  it('turns a forbidden kind into a gap evidence item and goes on', async () => {
    const reader = fixedReader(
      { pods: [{ metadata: { name: 'web-1', namespace: 'shop' }, status: { phase: 'Pending' } }] },
      ['events', 'persistentvolumes'],
    );
    const result = await observe(reader, { namespace: 'shop' });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.gaps.map((g) => g.what).sort()).toEqual(['events', 'persistentvolumes']);
    const gaps = result.value.evidence.filter((e) => e.signal === 'gap');
    expect(gaps).toHaveLength(2);
    expect(result.value.evidence[0]).toMatchObject({
      id: 'ev-1',
      signal: 'PodPending',
      subject: { name: 'web-1' },
    });
  });

  it('does not crash on objects with missing or mistyped fields', async () => {
    const odd = [
      {},
      { metadata: null },
      { metadata: { name: 'x' }, status: { containerStatuses: 'nope', phase: 7 } },
      { metadata: { name: 'y', ownerReferences: [{}] }, spec: { containers: [{ ports: [{}] }] } },
    ];
    const reader = fixedReader({
      pods: odd,
      services: [
        { metadata: { name: 's' }, spec: { selector: { app: 'y' }, ports: [{ targetPort: 'http' }] } },
        ...odd,
      ],
      deployments: [
        { metadata: { name: 'd' }, spec: { replicas: 0, template: { spec: { containers: [{}] } } } },
        ...odd,
      ],
      events: [
        { type: 'Warning' },
        { type: 'Warning', reason: 'FailedScheduling', involvedObject: {} },
        ...odd,
      ],
      nodes: [
        { metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } },
        ...odd,
      ],
      persistentvolumeclaims: odd,
      persistentvolumes: odd,
      endpoints: [{ subsets: [{ addresses: null }] }, ...odd],
    });
    const result = await observe(reader, { namespace: 'shop' });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.evidence.map((e) => e.signal)).toContain('NodeNotReady');
  });

  it('reports an unreachable API server as cluster-unreachable, without retrying forever', async () => {
    const kc = new KubeConfig();
    kc.loadFromClusterAndUser(
      { name: 'gone', server: 'https://127.0.0.1:1', skipTLSVerify: true },
      { name: 'o', token: 't' },
    );
    const reader = createApiReader({ kubeConfig: kc, retry: { tries: 2, baseMs: 1 } });
    if (!reader.ok) throw new Error(reader.error.message);
    const result = await observe(reader.value, { namespace: 'default' });
    expect(result).toMatchObject({ ok: false, error: { code: 'cluster-unreachable' } });
  });

  it('reports a missing kubeconfig or context as a config failure', () => {
    expect(createApiReader({ kubeconfig: '/nonexistent/kubeconfig' })).toMatchObject({
      ok: false,
      error: { code: 'config' },
    });
  });
});

describe('blame depth', () => {
  it('gives the deepest failing component the largest depth, and ends on cycles', () => {
    const graph = new Map([
      ['frontend', new Set(['search'])],
      ['search', new Set(['geo'])],
      ['geo', new Set(['mongodb-geo'])],
      ['a', new Set(['b'])],
      ['b', new Set(['a'])],
    ]);
    const d = depths(graph);
    expect(d.get('mongodb-geo')).toBe(3);
    expect(d.get('geo')).toBe(2);
    expect(d.get('frontend')).toBeUndefined();
    expect(d.get('a')).toBeLessThanOrEqual(5);
  });
});

describe('splitJsonValues', () => {
  it('splits pretty-printed values, keeps braces inside strings, and drops a cut-off tail', () => {
    const text =
      '{\n  "type": "ADDED",\n  "object": {"msg": "a } { \\" b"}\n}\n{"type": "MODIFIED", "object": {}}\n{"type": "DEL';
    expect(splitJsonValues(text)).toEqual([
      { type: 'ADDED', object: { msg: 'a } { " b' } },
      { type: 'MODIFIED', object: {} },
    ]);
  });
});
