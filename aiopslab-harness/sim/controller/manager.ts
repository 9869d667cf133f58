import type { JsonObject } from '../api/json.js';
import { text } from '../api/json.js';
import type { ResourceType } from '../api/resources.js';
import { resourceByKind } from '../api/resources.js';
import type { StoreEvent } from '../store.js';
import { metaOf } from '../store.js';
import type { Pod } from '../model.js';
import { asView, controllerOf } from '../model.js';
import { stateBehaviour } from '../faults/behaviour.js';
import { batchTaskHook } from '../faults/batch-tasks.js';
import { memoryLimitHook } from '../faults/memory-limit.js';
import { ChaosController } from '../faults/chaos-controller.js';
import { HealthTimeline } from '../faults/timeline.js';
import { AutoscalerController } from './autoscaler.js';
import type { ControllerContext } from './context.js';
import { CronJobController } from './cronjobs.js';
import type { JobView } from './jobs.js';
import { JobController, jobFinished } from './jobs.js';
import { DeploymentController } from './deployments.js';
import { EndpointsController } from './endpoints.js';
import { EvictionManager } from './eviction.js';
import { Kubelet } from './kubelet.js';
import { ResourceQuotaController } from './resource-quotas.js';
import { NodeLifecycleController } from './node-lifecycle.js';
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
  PersistentVolume: resourceByKind('PersistentVolume'),
  Job: resourceByKind('Job'),
  CronJob: resourceByKind('CronJob'),
};
/** Passes of the work loop before it gives up on settling (a controller fighting another would loop forever). */
const MAX_PASSES = 50;

/**
 * The control plane: watches the store, queues the objects each controller must look at, and runs the
 * queues until nothing changes. Runs after every API write and every clock step, synchronously.
 */
export class ControllerManager {
  readonly kubelet: Kubelet;
  /** Node heartbeats, unreachable taints, taint-based eviction and orphaned-pod collection. */
  readonly nodeLifecycle: NodeLifecycleController;
  /** The kubelets' memory eviction managers (node-pressure eviction). */
  readonly eviction: EvictionManager;
  private readonly scheduler: Scheduler;
  private readonly deployments: DeploymentController;
  private readonly replicaSets: ReplicaSetController;
  private readonly statefulSets: StatefulSetController;
  private readonly volumes: VolumeController;
  private readonly endpoints: EndpointsController;
  /** ResourceQuota status: hard from spec, used recounted as pods come and go. */
  private readonly quotas: ResourceQuotaController;
  /** Chaos Mesh experiments (ConfigMaps labelled chaos-mesh.org/kind). */
  private readonly chaos: ChaosController;
  private readonly jobs: JobController;
  private readonly cronJobs: CronJobController;
  /** Per CronJob, its last seen spec: only a spec change (not its own status write) re-syncs it at once. */
  private readonly cronJobSpecs = new Map<string, string>();
  /** HorizontalPodAutoscalers with a CPU target (a sync loop of its own while any exists). */
  private readonly autoscalers: AutoscalerController;
  /** The health model over time, for logs that follow it. */
  private readonly timeline: HealthTimeline;
  private readonly queues = {
    volumes: new Set<string>(),
    deployments: new Set<string>(),
    replicaSets: new Set<string>(),
    statefulSets: new Set<string>(),
    claims: new Set<string>(),
    endpoints: new Set<string>(),
    quotas: new Set<string>(),
    jobs: new Set<string>(),
    cronJobs: new Set<string>(),
    schedule: false,
    forceSchedule: false,
  };
  private running = false;

  constructor(private readonly ctx: ControllerContext) {
    this.kubelet = new Kubelet(ctx);
    this.nodeLifecycle = new NodeLifecycleController(ctx, this.kubelet);
    this.eviction = new EvictionManager(ctx, this.kubelet);
    this.scheduler = new Scheduler(ctx, (pod) => this.kubelet.admit(pod as unknown as JsonObject));
    this.deployments = new DeploymentController(ctx);
    this.replicaSets = new ReplicaSetController(ctx, this.kubelet);
    this.statefulSets = new StatefulSetController(ctx, this.kubelet);
    this.volumes = new VolumeController(ctx);
    this.endpoints = new EndpointsController(ctx);
    this.quotas = new ResourceQuotaController(ctx);
    this.chaos = new ChaosController(ctx, this.kubelet);
    this.jobs = new JobController(ctx, this.kubelet, (key) => this.queues.jobs.add(key));
    this.cronJobs = new CronJobController(ctx, (key) => this.queues.cronJobs.add(key));
    this.autoscalers = new AutoscalerController(ctx);
    this.timeline = new HealthTimeline(ctx.world);
    // What a started container does follows from the state around it (after the base hooks; fault layers
    // put theirs in front).
    ctx.hooks.push(memoryLimitHook, batchTaskHook, stateBehaviour);
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
        if (ownerKey && owner?.kind === 'Job') this.queues.jobs.add(ownerKey);
        this.queues.endpoints.add(meta.namespace ?? '');
        if (this.quotas.watches(meta.namespace ?? '')) this.queues.quotas.add(meta.namespace ?? '');
        const pod = asView<Pod>(event.object);
        if (event.type !== 'DELETED' && !pod.spec.nodeName) this.queues.schedule = true;
        if (event.type === 'DELETED') this.queues.forceSchedule = true;
        break;
      }
      case 'Service':
        this.queues.endpoints.add(meta.namespace ?? '');
        break;
      case 'ResourceQuota':
        this.queues.quotas.add(meta.namespace ?? '');
        break;
      case 'Job':
        this.queues.jobs.add(key);
        // The CronJob controller looks again when one of its Jobs appears, finishes or goes.
        if (ownerKey && owner?.kind === 'CronJob') {
          const finished = jobFinished(asView<JobView>(event.object)) !== undefined;
          if (event.type !== 'MODIFIED' || finished) this.queues.cronJobs.add(ownerKey);
        }
        if (event.type === 'DELETED') this.collectGarbage(meta.uid, meta.namespace);
        break;
      case 'CronJob': {
        const spec = JSON.stringify(event.object['spec']);
        if (event.type === 'DELETED') {
          this.cronJobSpecs.delete(key);
          this.collectGarbage(meta.uid, meta.namespace);
        } else if (this.cronJobSpecs.get(key) !== spec) {
          this.cronJobSpecs.set(key, spec);
          this.queues.cronJobs.add(key);
        }
        break;
      }
      case 'PersistentVolumeClaim':
        this.queues.claims.add(key);
        this.queues.forceSchedule = true;
        break;
      case 'Node':
        this.queues.forceSchedule = true;
        // A Node deleted under its pods leaves orphans for the pod garbage collector.
        if (event.type === 'DELETED') this.nodeLifecycle.wake();
        break;
      case 'PersistentVolume':
        this.queues.forceSchedule = true;
        if (event.type !== 'DELETED') this.queues.volumes.add(meta.name);
        break;
      case 'ConfigMap':
        this.chaos.observe(event);
        break;
      case 'HorizontalPodAutoscaler':
        if (event.type !== 'DELETED') this.autoscalers.wake();
        break;
      case 'Namespace':
        if (meta.deletionTimestamp) this.finalizeNamespace(meta.name);
        break;
      default:
        break;
    }
  }

  /** The kubelet on `node` stops posting status (a crashed agent or a lost machine). */
  stopKubelet(node: string): void {
    this.kubelet.stopNode(node);
    this.nodeLifecycle.wake();
  }

  /** The kubelet on `node` runs and posts status again. */
  startKubelet(node: string): void {
    this.kubelet.startNode(node);
    this.nodeLifecycle.wake();
    this.reconcile();
  }

  /** Runs every queue until the cluster settles. Re-entrant calls (from inside a controller) are folded in. */
  reconcile(): void {
    if (this.running) return;
    this.running = true;
    try {
      for (let pass = 0; pass < MAX_PASSES; pass++) {
        if (!this.step()) break;
      }
      this.timeline.flush();
    } finally {
      this.running = false;
    }
  }

  private step(): boolean {
    const q = this.queues;
    const work =
      q.deployments.size +
        q.replicaSets.size +
        q.statefulSets.size +
        q.claims.size +
        q.endpoints.size +
        q.quotas.size +
        q.volumes.size +
        q.jobs.size +
        q.cronJobs.size >
        0 ||
      q.schedule ||
      q.forceSchedule ||
      this.chaos.hasWork();
    if (!work) {
      // Pods in scheduling back-off come due on the clock, without any store change.
      return this.scheduler.scheduleAll() > 0;
    }
    this.chaos.process();
    for (const name of drain(q.volumes)) this.releaseVolume(name);
    for (const key of drain(q.claims)) this.volumes.sync(...split(key));
    // The quota controller's recount comes first: it answers within moments, before the next create.
    for (const ns of drain(q.quotas)) this.quotas.syncNamespace(ns);
    for (const key of drain(q.deployments)) this.deployments.sync(...split(key));
    for (const key of drain(q.replicaSets)) this.replicaSets.sync(...split(key));
    for (const key of drain(q.statefulSets)) this.statefulSets.sync(...split(key));
    for (const key of drain(q.cronJobs)) this.cronJobs.sync(...split(key));
    for (const key of drain(q.jobs)) this.jobs.sync(...split(key));
    const force = q.forceSchedule;
    q.schedule = false;
    q.forceSchedule = false;
    this.scheduler.scheduleAll(force);
    for (const ns of drain(q.endpoints)) this.endpoints.syncNamespace(ns);
    return true;
  }

  /**
   * The persistent-volume controller's other half: a Released volume whose stale claimRef an operator
   * removed becomes Available again, and every claim still waiting gets another try at binding.
   */
  private releaseVolume(name: string): void {
    const pv = this.ctx.store.peek(KIND.PersistentVolume, undefined, name);
    if (!pv) return;
    const spec = pv['spec'] as JsonObject | undefined;
    const phase = (pv['status'] as { phase?: string } | undefined)?.phase;
    // A volume a person just created has no phase yet: the PV controller makes it Available
    // (pkg/controller/volume/persistentvolume/pv_controller.go syncVolume, "volume is unused").
    if (phase === undefined && !spec?.['claimRef']) {
      this.ctx.store.mutate(KIND.PersistentVolume, undefined, name, (o) => {
        o['status'] = { phase: 'Available' };
      });
      return;
    }
    if (phase === 'Released' && !spec?.['claimRef']) {
      this.ctx.store.mutate(KIND.PersistentVolume, undefined, name, (o) => {
        o['status'] = { phase: 'Available' };
      });
      return;
    }
    if (phase !== 'Available') return;
    for (const claim of this.ctx.store.peekAll(KIND.PersistentVolumeClaim)) {
      const meta = metaOf(claim);
      if ((claim['status'] as { phase?: string } | undefined)?.phase !== 'Bound')
        this.queues.claims.add(`${meta.namespace ?? ''}/${meta.name}`);
    }
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
    'Job',
    'CronJob',
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
