import { describe, expect, it } from 'vitest';
import { text } from '../../../aiopslab-harness/sim/api/json.js';
import { resourceByKind } from '../../../aiopslab-harness/sim/api/resources.js';
import { hotelReservation } from '../../../aiopslab-harness/sim/apps/hotel-reservation.js';
import type { SimCluster } from '../../../aiopslab-harness/sim/cluster.js';
import { injectFault } from '../../../aiopslab-harness/sim/faults/index.js';
import type { NodeObject, Pod } from '../../../aiopslab-harness/sim/model.js';
import { EVENTS, expectHealthy, patchDeployment, pods, rolloutRestart, up } from './helpers.js';

const HOTEL = hotelReservation.defaultNamespace;
const NODES = resourceByKind('Node');
const NODE = 'kind-worker2';
const EVICTION =
  /^The node was low on resource: memory\. Threshold quantity: 100Mi, available: \d+(Ki|Mi)\. Container \S+ was using \d+(Ki|Mi|Gi), request is \d+(Ki|Mi|Gi)?, has larger consumption of memory\. $/;

function node(cluster: SimCluster): NodeObject {
  return cluster.store.peek(NODES, undefined, NODE) as unknown as NodeObject;
}

function memoryPressure(cluster: SimCluster): Record<string, unknown> | undefined {
  return (node(cluster).status.conditions as unknown as Record<string, unknown>[]).find(
    (c) => c['type'] === 'MemoryPressure',
  );
}

function evicted(cluster: SimCluster): Pod[] {
  return pods(cluster, HOTEL).filter((p) => p.status.reason === 'Evicted');
}

describe('node_memory_pressure', () => {
  it('puts the node under MemoryPressure and evicts its pods; they come back elsewhere, a pinned one stays Pending until memory is freed', () => {
    const cluster = up(hotelReservation);
    // mongodb-geo's data lives on this node (a local volume): it may run nowhere else.
    patchDeployment(cluster, HOTEL, 'mongodb-geo', (d) => {
      d.spec.template.spec.nodeSelector = { 'kubernetes.io/hostname': NODE };
    });
    cluster.advance(30_000);
    expect(pods(cluster, HOTEL, 'mongodb-geo').map((p) => p.spec.nodeName)).toEqual([NODE]);
    injectFault(cluster, HOTEL, { kind: 'node_memory_pressure', target: NODE });

    cluster.advance(10_000);
    expect(memoryPressure(cluster)).toMatchObject({
      status: 'True',
      reason: 'KubeletHasInsufficientMemory',
      message: 'kubelet has insufficient memory available',
    });
    expect(node(cluster).spec.taints).toEqual([
      expect.objectContaining({ key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' }),
    ]);
    expect(
      cluster.store
        .peekAll(EVENTS)
        .filter((e) => e['reason'] === 'EvictionThresholdMet')
        .map((e) => text(e['message'])),
    ).toContain('Attempting to reclaim memory');
    const first = evicted(cluster);
    expect(first).toHaveLength(1);
    expect(first[0]!.status.phase).toBe('Failed');
    expect(first[0]!.status.message).toMatch(EVICTION);
    expect(
      cluster.store
        .peekAll(EVENTS, HOTEL)
        .filter((e) => e['reason'] === 'Evicted' && e['type'] === 'Warning')
        .map((e) => text(e['message'])),
    ).toEqual([first[0]!.status.message]);

    // The leak grows: more pods go, and every replacement lands on another node, except the pinned one.
    cluster.advance(15 * 60_000);
    expect(evicted(cluster).map((p) => p.metadata.labels?.['io.kompose.service'])).toContain('mongodb-geo');
    const live = pods(cluster, HOTEL).filter((p) => p.status.phase !== 'Failed');
    expect(live.filter((p) => p.spec.nodeName === NODE && p.status.phase === 'Running')).toEqual([]);
    const geo = pods(cluster, HOTEL, 'mongodb-geo').filter((p) => p.status.phase === 'Pending');
    expect(geo).toHaveLength(1);
    expect(
      cluster.store
        .peekAll(EVENTS, HOTEL)
        .some(
          (e) =>
            e['reason'] === 'FailedScheduling' &&
            (e['involvedObject'] as { name?: string }).name === geo[0]!.metadata.name &&
            text(e['message']).includes('untolerated taint {node.kubernetes.io/memory-pressure: }'),
        ),
    ).toBe(true);

    // Restarting the victim changes nothing: the node still refuses it.
    rolloutRestart(cluster, HOTEL, 'mongodb-geo');
    cluster.advance(60_000);
    expect(pods(cluster, HOTEL, 'mongodb-geo').filter((p) => p.status.phase === 'Running')).toEqual([]);

    // The fix: a person stops what eats the host's memory. 5 min later the condition and the taint go.
    cluster.controllers.eviction.setHostMemory(NODE, 0);
    cluster.advance(4 * 60_000);
    expect(memoryPressure(cluster)?.['status']).toBe('True');
    cluster.advance(2 * 60_000);
    expect(memoryPressure(cluster)).toMatchObject({ status: 'False', reason: 'KubeletHasSufficientMemory' });
    expect(node(cluster).spec.taints ?? []).toEqual([]);
    // geo crash-looped while its database was away: its back-off (up to 5 min) runs out first.
    cluster.advance(6 * 60_000);
    expectHealthy(cluster, HOTEL);
  });
});
