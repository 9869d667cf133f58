/**
 * The kubelet's eviction manager for memory (pkg/kubelet/eviction/eviction_manager.go), with what the node
 * lifecycle controller adds from its condition:
 *
 * - Every 10 s (the housekeeping period) it compares memory.available (capacity minus what runs on the
 *   node: the pods' working sets and whatever the host runs outside Kubernetes) with the default hard
 *   threshold memory.available<100Mi (https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/).
 * - Below it, the node reports MemoryPressure=True (KubeletHasInsufficientMemory, "kubelet has insufficient
 *   memory available": pkg/kubelet/nodestatus/setters.go), is tainted node.kubernetes.io/memory-pressure
 *   :NoSchedule (TaintNodesByCondition), a Warning EvictionThresholdMet "Attempting to reclaim memory" is
 *   recorded on the node, and one pod is evicted per pass, ranked as rankMemoryPressure does: pods using
 *   more than they request first, then lower priority, then usage above request. The message is
 *   evictionMessage's (pkg/kubelet/eviction/helpers.go): "The node was low on resource: memory. Threshold
 *   quantity: 100Mi, available: <q>. Container <c> was using <q>, request is <q>, has larger consumption of
 *   memory. " (trailing space included).
 * - The condition stays True for --eviction-pressure-transition-period (5 min) after the last pass below
 *   the threshold; then it and the taint go.
 */
import { resourceByKind } from '../api/resources.js';
import { memoryNeedBytes } from '../memory.js';
import type { NodeObject, Pod } from '../model.js';
import { asJson, asView, parseMemory } from '../model.js';
import { componentOf } from '../runtime.js';
import type { ControllerContext } from './context.js';
import type { Kubelet } from './kubelet.js';

const NODES = resourceByKind('Node');
const PODS = resourceByKind('Pod');
const HOUSEKEEPING_MS = 10_000;
const THRESHOLD_BYTES = 100 * 2 ** 20;
const TRANSITION_MS = 5 * 60_000;
export const MEMORY_PRESSURE_TAINT = 'node.kubernetes.io/memory-pressure';

/** Memory a node's host uses outside Kubernetes: a runaway agent, a backup job, a leak that grows. */
interface HostUse {
  bytes: number;
  since: number;
  growBytesPerMinute: number;
}

/** A byte count as resource.Quantity prints it in BinarySI: the largest exact unit. */
export function quantity(bytes: number): string {
  const b = Math.max(0, Math.round(bytes));
  for (const [unit, size] of [
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ] as const)
    if (b > 0 && b % size === 0) return `${b / size}${unit}`;
  return String(b);
}

export class EvictionManager {
  private armed = false;
  private readonly host = new Map<string, HostUse>();
  /** When each node last saw its threshold met. */
  private readonly lastMet = new Map<string, number>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly kubelet: Kubelet,
  ) {}

  /** What runs on `node` outside Kubernetes now uses `bytes` (0: it was stopped), growing as it says. */
  setHostMemory(node: string, bytes: number, growBytesPerMinute = 0): void {
    if (bytes <= 0 && growBytesPerMinute <= 0) this.host.delete(node);
    else this.host.set(node, { bytes, since: this.ctx.clock.now(), growBytesPerMinute });
    this.wake();
  }

  /** What `node`'s pods use now (their containers' working sets), for a fault that sizes its pressure. */
  podUsageBytes(node: string): number {
    return this.podsOn(node).reduce((n, p) => n + usageOf(this.ctx, p), 0);
  }

  wake(): void {
    if (this.armed) return;
    this.armed = true;
    this.ctx.clock.after(HOUSEKEEPING_MS, () => {
      this.armed = false;
      if (this.synchronize()) this.wake();
    });
  }

  private podsOn(node: string): Pod[] {
    return this.ctx.store
      .peekAll(PODS)
      .map((p) => asView<Pod>(p))
      .filter(
        (p) =>
          p.spec.nodeName === node &&
          !p.metadata.deletionTimestamp &&
          p.status.phase !== 'Failed' &&
          p.status.phase !== 'Succeeded',
      );
  }

  private hostBytes(node: string, now: number): number {
    const use = this.host.get(node);
    if (!use) return 0;
    return use.bytes + Math.floor(((now - use.since) / 60_000) * use.growBytesPerMinute);
  }

  /** One housekeeping pass over every node; returns whether any node still needs watching. */
  private synchronize(): boolean {
    const now = this.ctx.clock.now();
    for (const json of this.ctx.store.peekAll(NODES)) {
      const node = asView<NodeObject>(json);
      const name = node.metadata.name;
      if (this.kubelet.stoppedSince(name) !== undefined) continue;
      const pods = this.podsOn(name);
      const used = this.hostBytes(name, now) + pods.reduce((n, p) => n + usageOf(this.ctx, p), 0);
      const available = parseMemory(node.status.capacity['memory']) - used;
      if (available < THRESHOLD_BYTES) {
        this.lastMet.set(name, now);
        this.setPressure(name, true);
        const updated = this.ctx.store.peek(NODES, undefined, name);
        if (updated)
          this.ctx.events.record(updated, 'Warning', 'EvictionThresholdMet', 'Attempting to reclaim memory', {
            component: 'kubelet',
            host: name,
          });
        const victim = [...pods].sort((a, b) => rank(this.ctx, a, b))[0];
        if (victim) this.kubelet.evict(asJson(victim), message(this.ctx, victim, available));
      } else if (this.lastMet.has(name) && now - this.lastMet.get(name)! >= TRANSITION_MS) {
        this.lastMet.delete(name);
        this.setPressure(name, false);
      }
    }
    return this.host.size > 0 || this.lastMet.size > 0;
  }

  private setPressure(name: string, pressure: boolean): void {
    const now = this.ctx.clock.iso();
    this.ctx.store.mutate(NODES, undefined, name, (json) => {
      const node = asView<NodeObject>(json);
      const conditions = node.status.conditions as {
        type: string;
        status: string;
        reason?: string;
        message?: string;
        lastTransitionTime?: string;
      }[];
      const c = conditions.find((x) => x.type === 'MemoryPressure');
      const status = pressure ? 'True' : 'False';
      if (c && c.status !== status) {
        c.status = status;
        c.reason = pressure ? 'KubeletHasInsufficientMemory' : 'KubeletHasSufficientMemory';
        c.message = pressure
          ? 'kubelet has insufficient memory available'
          : 'kubelet has sufficient memory available';
        c.lastTransitionTime = now;
      }
      const rest = (node.spec.taints ?? []).filter((t) => t.key !== MEMORY_PRESSURE_TAINT);
      const taints = pressure
        ? [...rest, { key: MEMORY_PRESSURE_TAINT, effect: 'NoSchedule', timeAdded: now }]
        : rest;
      if (taints.length > 0) node.spec.taints = taints;
      else delete node.spec.taints;
    });
  }
}

function mainContainer(ctx: ControllerContext, pod: Pod): { name: string; request: number; usage: number } {
  const found = componentOf(ctx.world, pod);
  const container =
    pod.spec.containers.find((c) => c.name === found?.component.containerName) ?? pod.spec.containers[0];
  const usage = found ? Math.ceil(memoryNeedBytes(found.component) / 1024) * 1024 : 0;
  return {
    name: container?.name ?? '?',
    request: parseMemory(container?.resources?.requests?.['memory']),
    usage,
  };
}

function usageOf(ctx: ControllerContext, pod: Pod): number {
  return mainContainer(ctx, pod).usage;
}

/** rankMemoryPressure: exceeding requests first, then priority (lower first), then usage above request. */
function rank(ctx: ControllerContext, a: Pod, b: Pod): number {
  const ma = mainContainer(ctx, a);
  const mb = mainContainer(ctx, b);
  const exceeds = Number(mb.usage > mb.request) - Number(ma.usage > ma.request);
  if (exceeds !== 0) return exceeds;
  const priority = priorityOf(a) - priorityOf(b);
  if (priority !== 0) return priority;
  return mb.usage - mb.request - (ma.usage - ma.request) || a.metadata.name.localeCompare(b.metadata.name);
}

const priorityOf = (p: Pod): number => (p.spec as { priority?: number }).priority ?? 0;

function message(ctx: ControllerContext, pod: Pod, available: number): string {
  const m = mainContainer(ctx, pod);
  let text = `The node was low on resource: memory. Threshold quantity: ${quantity(THRESHOLD_BYTES)}, available: ${quantity(Math.ceil(Math.max(0, available) / 1024) * 1024)}. `;
  if (m.usage > m.request)
    text += `Container ${m.name} was using ${quantity(m.usage)}, request is ${quantity(m.request)}, has larger consumption of memory. `;
  return text;
}
