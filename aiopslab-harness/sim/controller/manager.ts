import type { JsonObject } from '../api/json.js';
import { text } from '../api/json.js';
import type { ResourceType } from '../api/resources.js';
import { resourceByKind } from '../api/resources.js';
import type { StoreEvent } from '../store.js';
import { metaOf } from '../store.js';
import type { Pod } from '../model.js';
import { asView, controllerOf } from '../model.js';
import type { ControllerContext } from './context.js';
import { DeploymentController } from './deployments.js';
import { EndpointsController } from './endpoints.js';
import { Kubelet } from './kubelet.js';
import { ReplicaSetController } from './replicasets.js';
import { Scheduler } from './scheduler.js';
import { StatefulSetController } from './statefulsets.js';
import { VolumeController } from './volumes.js';

const KIND = {
  Deployment: resourceByKind('Deployment'),
  ReplicaSet: resourceByKind('ReplicaSet'),
  StatefulSet: resourceByKind('StatefulSet'),
  Pod: resourceByKind('Pod'),
  Namespace: resourceByKind('Namespace'),
  PersistentVolumeClaim: resourceByKind('PersistentVolumeClaim'),
};
/** Passes of the work loop before it gives up on settling (a controller fighting another would loop forever). */
const MAX_PASSES = 50;

/**
 * The control plane: watches the store, queues the objects each controller must look at, and runs the
 * queues until nothing changes. Runs after every API write and every clock step, synchronously.
 */
export class ControllerManager {
  readonly kubelet: Kubelet;
  private readonly scheduler: Scheduler;
  private readonly deployments: DeploymentController;
  private readonly replicaSets: ReplicaSetController;
  private readonly statefulSets: StatefulSetController;
  private readonly volumes: VolumeController;
  private readonly endpoints: EndpointsController;
  private readonly queues = {
    deployments: new Set<string>(),
    replicaSets: new Set<string>(),
    statefulSets: new Set<string>(),
    claims: new Set<string>(),
    endpoints: new Set<string>(),
    schedule: false,
    forceSchedule: false,
  };
  private running = false;

  constructor(private readonly ctx: ControllerContext) {
    this.kubelet = new Kubelet(ctx);
    this.scheduler = new Scheduler(ctx, (pod) => this.kubelet.admit(pod as unknown as JsonObject));
    this.deployments = new DeploymentController(ctx);
    this.replicaSets = new ReplicaSetController(ctx, this.kubelet);
    this.statefulSets = new StatefulSetController(ctx, this.kubelet);
    this.volumes = new VolumeController(ctx);
    this.endpoints = new EndpointsController(ctx);
    ctx.store.subscribe((event) => this.observe(event));
  }

  private observe(event: StoreEvent): void {
    const meta = metaOf(event.object);
    const key = `${meta.namespace ?? ''}/${meta.name}`;
    const owner = controllerOf(meta);
    const ownerKey = owner ? `${meta.namespace ?? ''}/${owner.name}` : undefined;
    switch (event.resource.kind) {
      case 'Deployment':
        this.queues.deployments.add(key);
        if (event.type === 'DELETED') this.collectGarbage(meta.uid, meta.namespace);
        break;
      case 'ReplicaSet':
        this.queues.replicaSets.add(key);
        if (owner?.kind === 'Deployment' && ownerKey) this.queues.deployments.add(ownerKey);
        if (event.type === 'DELETED') this.collectGarbage(meta.uid, meta.namespace);
        break;
      case 'StatefulSet':
        this.queues.statefulSets.add(key);
        if (event.type === 'DELETED') this.collectGarbage(meta.uid, meta.namespace);
        break;
      case 'Pod': {
        if (ownerKey && owner?.kind === 'ReplicaSet') this.queues.replicaSets.add(ownerKey);
        if (ownerKey && owner?.kind === 'StatefulSet') this.queues.statefulSets.add(ownerKey);
        this.queues.endpoints.add(meta.namespace ?? '');
        const pod = asView<Pod>(event.object);
        if (event.type !== 'DELETED' && !pod.spec.nodeName) this.queues.schedule = true;
        if (event.type === 'DELETED') this.queues.forceSchedule = true;
        break;
      }
      case 'Service':
        this.queues.endpoints.add(meta.namespace ?? '');
        break;
      case 'PersistentVolumeClaim':
        this.queues.claims.add(key);
        this.queues.forceSchedule = true;
        break;
      case 'Node':
      case 'PersistentVolume':
        this.queues.forceSchedule = true;
        break;
      case 'Namespace':
        if (meta.deletionTimestamp) this.finalizeNamespace(meta.name);
        break;
      default:
        break;
    }
  }

  /** Runs every queue until the cluster settles. Re-entrant calls (from inside a controller) are folded in. */
  reconcile(): void {
    if (this.running) return;
    this.running = true;
    try {
      for (let pass = 0; pass < MAX_PASSES; pass++) {
        if (!this.step()) return;
      }
    } finally {
      this.running = false;
    }
  }

  private step(): boolean {
    const q = this.queues;
    const work =
      q.deployments.size + q.replicaSets.size + q.statefulSets.size + q.claims.size + q.endpoints.size > 0 ||
      q.schedule ||
      q.forceSchedule;
    if (!work) {
      // Pods in scheduling back-off come due on the clock, without any store change.
      return this.scheduler.scheduleAll() > 0;
    }
    for (const key of drain(q.claims)) this.volumes.sync(...split(key));
    for (const key of drain(q.deployments)) this.deployments.sync(...split(key));
    for (const key of drain(q.replicaSets)) this.replicaSets.sync(...split(key));
    for (const key of drain(q.statefulSets)) this.statefulSets.sync(...split(key));
    const force = q.forceSchedule;
    q.schedule = false;
    q.forceSchedule = false;
    this.scheduler.scheduleAll(force);
    for (const ns of drain(q.endpoints)) this.endpoints.syncNamespace(ns);
    return true;
  }

  /** Background cascading deletion: dependents of a deleted owner go too. */
  private collectGarbage(ownerUid: string, namespace: string | undefined): void {
    for (const dependent of this.ctx.store.peekOwnedBy(ownerUid)) {
      const kind = text(dependent['kind']);
      const meta = metaOf(dependent);
      if (kind === 'Pod') this.kubelet.requestDeletion(dependent);
      else if (kind in KIND) {
        const type = KIND[kind as keyof typeof KIND];
        if (this.ctx.store.peek(type, namespace, meta.name))
          this.ctx.store.remove(type, namespace, meta.name);
      }
    }
  }

  private finalizeNamespace(name: string): void {
    for (const type of namespacedTypes()) {
      for (const obj of this.ctx.store.peekAll(type, name)) {
        const meta = metaOf(obj);
        if (type.kind === 'Pod') this.kubelet.requestDeletion(obj, 0);
        else if (this.ctx.store.peek(type, name, meta.name)) this.ctx.store.remove(type, name, meta.name);
      }
    }
    this.ctx.clock.after(1000, () => {
      if (this.ctx.store.peek(KIND.Namespace, undefined, name))
        this.ctx.store.remove(KIND.Namespace, undefined, name);
    });
  }
}

let namespaced: ResourceType[] | undefined;
function namespacedTypes(): ResourceType[] {
  namespaced ??= [
    'Deployment',
    'StatefulSet',
    'ReplicaSet',
    'Pod',
    'Service',
    'Endpoints',
    'ConfigMap',
    'Secret',
    'Event',
    'PersistentVolumeClaim',
    'ServiceAccount',
  ].map(resourceByKind);
  return namespaced;
}

function drain(set: Set<string>): string[] {
  const items = [...set];
  set.clear();
  return items;
}

function split(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
