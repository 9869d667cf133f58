/**
 * The chaos-controller-manager: acts on Chaos Mesh experiments (see chaos.ts) as they appear, end by their
 * duration, or are deleted. PodChaos pod-failure swaps the selected pods' images for the pause image (the
 * kubelet restarts them; they run but serve nothing) and restores them afterwards; container-kill kills the
 * container once; pod-kill deletes the pod. NetworkChaos changes no object: the health model reads its
 * status. Pods are selected once, when the experiment starts, as Chaos Mesh records them.
 */
import type { JsonObject } from '../api/json.js';
import type { ControllerContext } from '../controller/context.js';
import type { Kubelet } from '../controller/kubelet.js';
import type { Pod } from '../model.js';
import type { StoreEvent } from '../store.js';
import type { Chaos, ChaosStatus } from './chaos.js';
import { isChaosObject, parseDuration, readChaos, statusData } from './chaos.js';
import { PAUSE_IMAGE, R } from './topology.js';

const ORIGIN_IMAGE = 'chaos-mesh.org/origin-image-';
const SOURCE = { component: 'chaos-controller-manager' };

interface Running {
  chaos: Chaos;
  stopTimer?: () => void;
}

export class ChaosController {
  private readonly running = new Map<string, Running>();
  private readonly queue: StoreEvent[] = [];

  constructor(
    private readonly ctx: ControllerContext,
    private readonly kubelet: Kubelet,
  ) {}

  /** Called for every ConfigMap change; the work happens in `process`, outside the store's notification. */
  observe(event: StoreEvent): void {
    if (isChaosObject(event.object)) this.queue.push(event);
  }

  hasWork(): boolean {
    return this.queue.length > 0;
  }

  process(): void {
    for (const event of this.queue.splice(0)) {
      const chaos = readChaos(event.object);
      if (!chaos) continue;
      if (event.type === 'DELETED') this.stop(chaos.uid, false);
      else if (!this.running.has(chaos.uid) && !chaos.status) this.start(chaos, event.object);
    }
  }

  private start(chaos: Chaos, object: JsonObject): void {
    const pods = this.select(chaos);
    const now = this.ctx.clock.now();
    const status: ChaosStatus = {
      phase: 'Running',
      startTime: this.ctx.clock.iso(now),
      records: pods.map((p) => ({ id: `${p.metadata.namespace}/${p.metadata.name}`, phase: 'Injected' })),
    };
    const entry: Running = { chaos: { ...chaos, status } };
    this.running.set(chaos.uid, entry);
    for (const pod of pods) {
      this.apply(chaos, pod);
      this.ctx.events.record(
        object,
        'Normal',
        'Applied',
        `Successfully apply chaos for ${pod.metadata.namespace}/${pod.metadata.name}`,
        SOURCE,
      );
    }
    this.writeStatus(chaos, status);
    const duration = parseDuration(chaos.spec.duration);
    if (duration !== undefined)
      entry.stopTimer = this.ctx.clock.after(duration, () => this.stop(chaos.uid, true));
  }

  /** Ends an experiment: by its duration (the object stays, Finished) or by deletion (it is gone). */
  private stop(uid: string, expired: boolean): void {
    const entry = this.running.get(uid);
    if (!entry) return;
    this.running.delete(uid);
    entry.stopTimer?.();
    const { chaos } = entry;
    for (const record of chaos.status?.records ?? []) {
      const [namespace, name] = record.id.split('/');
      const json = this.ctx.store.peek(R.pods, namespace, name ?? '');
      if (json) this.recover(chaos, json as unknown as Pod);
    }
    if (expired && chaos.status) {
      this.writeStatus(chaos, {
        ...chaos.status,
        phase: 'Finished',
        records: chaos.status.records.map((r) => ({ ...r, phase: 'Recovered' })),
      });
    }
  }

  private select(chaos: Chaos): Pod[] {
    const namespaces = chaos.spec.selector.namespaces ?? [chaos.namespace];
    const wanted = Object.entries(chaos.spec.selector.labelSelectors ?? {}).map(
      ([key, value]) => [key, value.split(/,\s*/)] as const,
    );
    const pods = namespaces
      .flatMap((ns) => this.ctx.store.peekAll(R.pods, ns))
      .map((p) => p as unknown as Pod)
      .filter(
        (p) =>
          !p.metadata.deletionTimestamp &&
          p.status.phase === 'Running' &&
          wanted.every(([key, values]) => values.includes(p.metadata.labels?.[key] ?? '\u0000')),
      )
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    switch (chaos.spec.mode ?? 'one') {
      case 'all':
        return pods;
      case 'fixed':
        return pods.slice(0, Number(chaos.spec.value ?? 1));
      default:
        return pods.slice(0, 1);
    }
  }

  private containersOf(chaos: Chaos, pod: Pod): string[] {
    const names = pod.spec.containers.map((c) => c.name);
    const only = chaos.spec.containerNames;
    return only && only.length > 0 ? names.filter((n) => only.includes(n)) : names;
  }

  private apply(chaos: Chaos, pod: Pod): void {
    const namespace = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name;
    switch (chaos.spec.action) {
      case 'pod-failure': {
        const containers = this.containersOf(chaos, pod);
        this.ctx.store.mutate(R.pods, namespace, name, (json) => {
          const p = json as unknown as Pod;
          const annotations = (p.metadata.annotations ??= {});
          for (const c of p.spec.containers) {
            if (!containers.includes(c.name) || c.image === PAUSE_IMAGE) continue;
            annotations[`${ORIGIN_IMAGE}${c.name}`] = c.image;
            c.image = PAUSE_IMAGE;
          }
        });
        for (const c of containers)
          this.kubelet.killContainer(namespace, name, c, { definitionChanged: true });
        return;
      }
      case 'container-kill':
        for (const c of this.containersOf(chaos, pod)) this.kubelet.killContainer(namespace, name, c);
        return;
      case 'pod-kill':
        this.kubelet.requestDeletion(pod as unknown as JsonObject, 0);
        return;
      default:
        return;
    }
  }

  private recover(chaos: Chaos, pod: Pod): void {
    if (chaos.spec.action !== 'pod-failure') return;
    const namespace = pod.metadata.namespace ?? 'default';
    const restored: string[] = [];
    this.ctx.store.mutate(R.pods, namespace, pod.metadata.name, (json) => {
      const p = json as unknown as Pod;
      const annotations = p.metadata.annotations ?? {};
      for (const c of p.spec.containers) {
        const origin = annotations[`${ORIGIN_IMAGE}${c.name}`];
        if (origin === undefined) continue;
        c.image = origin;
        delete annotations[`${ORIGIN_IMAGE}${c.name}`];
        restored.push(c.name);
      }
    });
    for (const c of restored)
      this.kubelet.killContainer(namespace, pod.metadata.name, c, { definitionChanged: true });
  }

  private writeStatus(chaos: Chaos, status: ChaosStatus): void {
    const entry = this.running.get(chaos.uid);
    if (entry) entry.chaos = { ...entry.chaos, status };
    const current = this.ctx.store.peek(R.configmaps, chaos.namespace, chaos.name);
    if ((current?.['metadata'] as { uid?: string } | undefined)?.uid !== chaos.uid) return;
    this.ctx.store.mutate(R.configmaps, chaos.namespace, chaos.name, (json) => {
      const data = (json['data'] ??= {}) as Record<string, string>;
      data['status.yaml'] = statusData(status);
    });
  }
}
