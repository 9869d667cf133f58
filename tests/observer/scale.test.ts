import { afterEach, describe, expect, it } from 'vitest';
import { getApp, SimCluster, SimServer } from '../../aiopslab-harness/sim/index.js';
import { injectFault } from '../../aiopslab-harness/sim/faults/index.js';
import { ListBodyParser } from '../../src/observer/json-stream.js';
import { slimObject } from '../../src/observer/k8s-types.js';
import { observe } from '../../src/observer/observe.js';
import { collectSnapshot } from '../../src/observer/snapshot.js';
import { apiReader } from './sim-helpers.js';

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** `copies` of hotel-reservation (about 19 pods each), geo's targetPort broken in the first. */
async function serve(copies: number): Promise<SimServer> {
  const app = getApp('hotel-reservation')!;
  const cluster = new SimCluster({ seed: 1, workers: Math.max(3, Math.ceil((copies * 19) / 60)) });
  for (let i = 0; i < copies; i++) cluster.deployApp(app, `hotel-${i}`);
  cluster.settle();
  cluster.advance(5 * 60_000);
  injectFault(cluster, 'hotel-0', { kind: 'misconfig_k8s_target_port', target: 'geo', params: {} });
  cluster.advance(3 * 60_000);
  server = await SimServer.start({ cluster });
  return server;
}

describe('observing a larger cluster', () => {
  it('sends as many requests for 8 copies of an app as for 1: one per kind, logs capped', async () => {
    const counts: number[] = [];
    for (const copies of [1, 8]) {
      const sim = await serve(copies);
      const reader = apiReader(sim);
      const snapshot = await collectSnapshot(reader, { maxLogReads: 10 });
      if (!snapshot.ok) throw new Error(snapshot.error.message);
      expect(snapshot.value.pods.length).toBeGreaterThan(copies * 15);
      counts.push(reader.requestCount());
      await sim.close();
      server = undefined;
    }
    // 16 lists (one request each, however many items) and 10 logs.
    expect(counts).toEqual([26, 26]);
  });

  it('observes 8 and 16 copies with the same number of requests and the fault first', async () => {
    const counts: number[] = [];
    for (const copies of [8, 16]) {
      const sim = await serve(copies);
      const reader = apiReader(sim);
      const result = await observe(reader, {});
      if (!result.ok) throw new Error(result.error.message);
      expect(result.value.evidence[0]).toMatchObject({
        signal: 'TargetPortMismatch',
        subject: { namespace: 'hotel-0', name: 'geo' },
      });
      counts.push(reader.requestCount());
      await sim.close();
      server = undefined;
    }
    expect(counts[1]).toBe(counts[0]);
  });

  it('asks the API for Warning events only, and each list once', async () => {
    const sim = await serve(1);
    await collectSnapshot(apiReader(sim), { maxLogReads: 0 });
    const lists = sim.requestLog.filter((e) => e.role === 'observer' && e.verb === 'list');
    expect(lists).toHaveLength(16);
    expect(lists.find((e) => e.path === '/api/v1/events')?.query).toContain('fieldSelector=type%21%3DNormal');
  });
});

describe('ListBodyParser', () => {
  const body = JSON.stringify({
    kind: 'PodList',
    metadata: { continue: 'abc', note: '"items":[' },
    items: [
      { metadata: { name: 'a\\"}{][', labels: { 'x"items"': 'ü€𝄞' } } },
      { metadata: { name: 'b\\\\' }, status: { phase: 'Running' } },
      {},
    ],
    trailer: [1, { x: '}' }],
  });

  it('yields the same items and metadata wherever the body is split', () => {
    const bytes = Buffer.from(body, 'utf8');
    const expected = JSON.parse(body) as { items: unknown[]; metadata: unknown };
    for (const size of [1, 2, 3, 5, 7, 16, bytes.length]) {
      const items: unknown[] = [];
      const parser = new ListBodyParser((item) => items.push(item));
      for (let i = 0; i < bytes.length; i += size) parser.write(bytes.subarray(i, i + size));
      const rest = parser.end();
      expect(items).toEqual(expected.items);
      expect(rest).toEqual({
        ok: true,
        value: { kind: 'PodList', metadata: expected.metadata, items: [], trailer: [1, { x: '}' }] },
      });
    }
  });

  it('reports a body that is not JSON', () => {
    const parser = new ListBodyParser(() => undefined);
    parser.write(Buffer.from('<html>'));
    expect(parser.end().ok).toBe(false);
  });
});

describe('slimObject', () => {
  it('keeps the fields the analyzers read and drops the rest', () => {
    const pod = {
      metadata: {
        name: 'p',
        namespace: 'n',
        annotations: { big: 'x'.repeat(1000) },
        managedFields: [{}],
        ownerReferences: [{ kind: 'ReplicaSet', name: 'rs', uid: 'u' }],
      },
      spec: {
        containers: [
          {
            name: 'c',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            resources: { limits: { memory: '64Mi' }, claims: [{ name: 'gpu' }] },
            terminationMessagePath: '/dev/termination-log',
          },
        ],
      },
      status: {
        phase: 'Running',
        hostIP: '1.2.3.4',
        containerStatuses: [{ name: 'c', state: { waiting: { reason: 'CrashLoopBackOff' } }, imageID: 'x' }],
      },
    };
    expect(slimObject('pods', pod)).toEqual({
      metadata: { name: 'p', namespace: 'n', ownerReferences: [{ kind: 'ReplicaSet', name: 'rs' }] },
      spec: {
        containers: [
          { name: 'c', ports: [{ containerPort: 80 }], resources: { limits: { memory: '64Mi' } } },
        ],
      },
      status: {
        phase: 'Running',
        containerStatuses: [{ name: 'c', state: { waiting: { reason: 'CrashLoopBackOff' } } }],
      },
    });
  });
});
