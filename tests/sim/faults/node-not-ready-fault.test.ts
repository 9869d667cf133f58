import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../aiopslab-harness/sim/api/json.js';
import { text } from '../../../aiopslab-harness/sim/api/json.js';
import { resourceByKind } from '../../../aiopslab-harness/sim/api/resources.js';
import { hotelReservation } from '../../../aiopslab-harness/sim/apps/hotel-reservation.js';
import type { SimCluster } from '../../../aiopslab-harness/sim/cluster.js';
import { injectFault } from '../../../aiopslab-harness/sim/faults/index.js';
import type { NodeObject, Pod } from '../../../aiopslab-harness/sim/model.js';
import { EVENTS, PODS, component, deletePods, expectHealthy, health, pods, up } from './helpers.js';

const HOTEL = hotelReservation.defaultNamespace;
const NODES = resourceByKind('Node');
const STATEFULSETS = resourceByKind('StatefulSet');

function node(cluster: SimCluster, name: string): NodeObject {
  return cluster.store.peek(NODES, undefined, name) as unknown as NodeObject;
}

function condition(cluster: SimCluster, name: string, type: string): Record<string, unknown> | undefined {
  return (node(cluster, name).status.conditions as unknown as Record<string, unknown>[]).find(
    (c) => c['type'] === type,
  );
}

function podsOn(cluster: SimCluster, name: string, namespace?: string): Pod[] {
  return cluster.store
    .peekAll(PODS, namespace)
    .map((p) => p as unknown as Pod)
    .filter((p) => p.spec.nodeName === name);
}

function isReady(p: Pod): boolean {
  return p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function eventsAbout(cluster: SimCluster, reason: string, name?: string): JsonObject[] {
  return cluster.store
    .peekAll(EVENTS)
    .filter(
      (e) =>
        e['reason'] === reason &&
        (name === undefined || (e['involvedObject'] as { name?: string }).name === name),
    );
}

/** A one-replica StatefulSet in `default` (the apps run theirs as Deployments), pinned nowhere. */
function deployStatefulSet(cluster: SimCluster): void {
  cluster.store.create(STATEFULSETS, {
    metadata: { name: 'ledger-db', namespace: 'default', labels: { app: 'ledger-db' } },
    spec: {
      replicas: 1,
      serviceName: 'ledger-db',
      podManagementPolicy: 'OrderedReady',
      selector: { matchLabels: { app: 'ledger-db' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      template: {
        metadata: { labels: { app: 'ledger-db' } },
        spec: { containers: [{ name: 'postgres', image: 'postgres:16' }], restartPolicy: 'Always' },
      },
    },
    status: { replicas: 0 },
  });
  cluster.reconcile();
  cluster.advance(10_000);
}

describe('node_not_ready', () => {
  it('goes Unknown after the grace period, taints the node, strands its pods; a running kubelet clears it all', () => {
    const cluster = up(hotelReservation);
    const geo = pods(cluster, HOTEL, 'mongodb-geo')[0]!;
    const lost = geo.spec.nodeName!;
    const stranded = podsOn(cluster, lost, HOTEL).map((p) => p.metadata.name);
    expect(stranded.length).toBeGreaterThan(0);
    injectFault(cluster, HOTEL, { kind: 'node_not_ready', target: lost });

    // Within --node-monitor-grace-period (40 s) nothing shows yet.
    cluster.advance(30_000);
    expect(condition(cluster, lost, 'Ready')?.['status']).toBe('True');

    cluster.advance(20_000);
    expect(condition(cluster, lost, 'Ready')).toMatchObject({
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
    });
    expect(condition(cluster, lost, 'MemoryPressure')?.['status']).toBe('Unknown');
    expect(node(cluster, lost).spec.taints).toEqual([
      expect.objectContaining({ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }),
      expect.objectContaining({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }),
    ]);
    expect(eventsAbout(cluster, 'NodeNotReady', lost).map((e) => text(e['message']))).toContain(
      `Node ${lost} status is now: NodeNotReady`,
    );
    for (const name of stranded) {
      const pod = cluster.store.peek(PODS, HOTEL, name) as unknown as Pod;
      expect(isReady(pod)).toBe(false);
      expect(eventsAbout(cluster, 'NodeNotReady', name).map((e) => text(e['message']))).toEqual([
        'Node is not ready',
      ]);
    }
    expect(component(health(cluster, HOTEL), 'mongodb-geo').ready).toBe(0);

    // After the default 300 s toleration the pods are marked for deletion and stay Terminating: the kubelet
    // that would finish the deletion is gone.
    cluster.advance(320_000);
    expect(
      eventsAbout(cluster, 'TaintManagerEviction', geo.metadata.name).map((e) => text(e['message'])),
    ).toEqual([`Marking for deletion Pod ${HOTEL}/${geo.metadata.name}`]);
    cluster.advance(120_000);
    const stuck = cluster.store.peek(PODS, HOTEL, geo.metadata.name) as unknown as Pod;
    expect(stuck.metadata.deletionTimestamp).toBeDefined();
    expect(stuck.status.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({
      reason: 'DeletionByTaintManager',
    });
    // The ReplicaSets made replacements on the other nodes.
    const live = pods(cluster, HOTEL, 'mongodb-geo').filter((p) => !p.metadata.deletionTimestamp);
    expect(live.map((p) => p.spec.nodeName)).not.toContain(lost);
    expect(live.every(isReady)).toBe(true);

    // Deleting the stuck pods again changes nothing: only their kubelet can finish it.
    deletePods(cluster, HOTEL, 'mongodb-geo');
    cluster.advance(60_000);
    expect(cluster.store.peek(PODS, HOTEL, geo.metadata.name)).toBeDefined();

    // The fix: the kubelet runs again. It finishes the deletions and the node is Ready and untainted.
    cluster.controllers.startKubelet(lost);
    cluster.advance(30_000);
    expect(condition(cluster, lost, 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    expect(node(cluster, lost).spec.taints ?? []).toEqual([]);
    expect(podsOn(cluster, lost, HOTEL).filter((p) => p.metadata.deletionTimestamp)).toEqual([]);
    expectHealthy(cluster, HOTEL);
  });

  it('holds a StatefulSet pod on the lost node: no replacement until the Node is deleted (or the pod force-deleted)', () => {
    const cluster = up(hotelReservation);
    deployStatefulSet(cluster);
    const db = cluster.store.peek(PODS, 'default', 'ledger-db-0') as unknown as Pod;
    expect(isReady(db)).toBe(true);
    const lost = db.spec.nodeName!;
    injectFault(cluster, HOTEL, { kind: 'node_not_ready', target: lost });
    cluster.advance(40_000 + 300_000 + 120_000);
    const stuck = cluster.store.peek(PODS, 'default', 'ledger-db-0') as unknown as Pod;
    expect(stuck.metadata.uid).toBe(db.metadata.uid);
    expect(stuck.metadata.deletionTimestamp).toBeDefined();
    // At most one pod per identity: the StatefulSet waits, the database stays down.
    expect(cluster.store.peekAll(PODS, 'default').length).toBe(1);

    // The person confirms the machine is gone and deletes the Node: podgc removes the pod after 40 s.
    cluster.store.remove(NODES, undefined, lost);
    cluster.reconcile();
    cluster.advance(30_000);
    expect((cluster.store.peek(PODS, 'default', 'ledger-db-0') as unknown as Pod).metadata.uid).toBe(
      db.metadata.uid,
    );
    cluster.advance(30_000);
    const back = cluster.store.peek(PODS, 'default', 'ledger-db-0') as unknown as Pod;
    expect(back.metadata.uid).not.toBe(db.metadata.uid);
    expect(back.spec.nodeName).not.toBe(lost);
    expect(isReady(back)).toBe(true);
  });

  it('a force delete of the stranded StatefulSet pod lets it come back elsewhere at once', () => {
    const cluster = up(hotelReservation);
    deployStatefulSet(cluster);
    const db = cluster.store.peek(PODS, 'default', 'ledger-db-0') as unknown as Pod;
    injectFault(cluster, HOTEL, { kind: 'node_not_ready', target: db.spec.nodeName! });
    cluster.advance(60_000);
    cluster.controllers.kubelet.requestDeletion(db as unknown as JsonObject, 0);
    cluster.reconcile();
    cluster.advance(10_000);
    const back = cluster.store.peek(PODS, 'default', 'ledger-db-0') as unknown as Pod;
    expect(back.metadata.uid).not.toBe(db.metadata.uid);
    expect(back.spec.nodeName).not.toBe(db.spec.nodeName);
    expect(isReady(back)).toBe(true);
  });

  it('refuses a node the cluster does not have', () => {
    const cluster = up(hotelReservation);
    expect(() => injectFault(cluster, HOTEL, { kind: 'node_not_ready', target: 'kind-worker9' })).toThrow(
      /no node "kind-worker9"/,
    );
  });
});
