/**
 * What telemetry needs to know about a pod, read off its object in the store: when it was created, when
 * its readiness last changed, its containers' state, restarts and resource requests. History is
 * approximated from these timestamps: a pod Ready now was Ready since its Ready condition's last
 * transition and unready before it (and the other way round); a container's earlier restarts are placed
 * back from its last one the way the kubelet spaces them in a crash loop (the last run's length plus a
 * back-off doubling from 10s to 5m).
 */
import type { ComponentSpec } from '../apps/types.js';
import type { ContainerStatus, Pod } from '../model.js';
import { asView, parseCpu, parseMemory } from '../model.js';
import { resourceByKind } from '../api/resources.js';
import type { JsonObject } from '../api/json.js';
import type { SimWorld } from '../runtime.js';
import { componentOf } from '../runtime.js';

const PODS = resourceByKind('Pod');

export interface ContainerFacts {
  name: string;
  running: boolean;
  ready: boolean;
  /** Why a container that is not running waits (CrashLoopBackOff, ImagePullBackOff, …). */
  waitingReason?: string;
  /** When the current instance started (running containers). */
  startedAt?: number;
  /** When the last instance stopped (containers not running). */
  stoppedAt?: number;
  /** When the restart count went up, oldest first (restartCount entries). */
  restartTimes: number[];
  restartCount: number;
  cpuRequestCores: number;
  cpuLimitCores?: number;
  memoryRequestBytes: number;
  memoryLimitBytes?: number;
}

export interface PodFacts {
  namespace: string;
  name: string;
  node: string;
  createdAt: number;
  phase: string;
  ready: boolean;
  /** Last transition of the Ready condition. */
  readySince: number;
  component?: ComponentSpec;
  containers: ContainerFacts[];
  /** Set for a pod that no longer exists: its series end here. */
  deletedAt?: number;
}

const ms = (iso: string | undefined): number | undefined => {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
};

/**
 * Restart times ending at `last`, spaced like CrashLoopBackOff; squeezed into (floor, last] when the
 * schedule would start before the container first ran.
 */
function restartTimes(count: number, last: number, runMs: number, floor: number): number[] {
  const times: number[] = [];
  let t = last;
  for (let k = count; k >= 1; k--) {
    times.unshift(t);
    t -= runMs + Math.min(300_000, 10_000 * 2 ** (k - 1));
  }
  const first = times[0];
  if (first === undefined || first > floor || last <= floor) return times.map((x) => Math.max(floor, x));
  const scale = (last - floor) / (last - first + runMs + 10_000);
  return times.map((x) => last - (last - x) * scale);
}

function containerFacts(pod: Pod, name: string, status: ContainerStatus | undefined): ContainerFacts {
  const spec = pod.spec.containers.find((c) => c.name === name);
  const requests = spec?.resources?.requests ?? {};
  const limits = spec?.resources?.limits ?? {};
  const startedAt = ms(status?.state.running?.startedAt);
  const stoppedAt = ms(status?.state.terminated?.finishedAt) ?? ms(status?.lastState.terminated?.finishedAt);
  const running = status?.state.running !== undefined;
  const restartCount = status?.restartCount ?? 0;
  const previous = status?.lastState.terminated;
  const lastRestartAt = running ? startedAt : ms(previous?.startedAt);
  const createdAt = ms(pod.metadata.creationTimestamp) ?? 0;
  const runMs = Math.max(0, (ms(previous?.finishedAt) ?? 0) - (ms(previous?.startedAt) ?? Infinity));
  const facts: ContainerFacts = {
    name,
    running,
    ready: status?.ready ?? false,
    restartCount,
    restartTimes:
      lastRestartAt !== undefined ? restartTimes(restartCount, lastRestartAt, runMs, createdAt) : [],
    cpuRequestCores: parseCpu(requests['cpu']) / 1000,
    memoryRequestBytes: parseMemory(requests['memory']),
  };
  const waiting = status?.state.waiting?.reason;
  if (waiting) facts.waitingReason = waiting;
  if (startedAt !== undefined) facts.startedAt = startedAt;
  if (stoppedAt !== undefined && !facts.running) facts.stoppedAt = stoppedAt;
  if (limits['cpu']) facts.cpuLimitCores = parseCpu(limits['cpu']) / 1000;
  if (limits['memory']) facts.memoryLimitBytes = parseMemory(limits['memory']);
  return facts;
}

/** Facts about every pod (of one namespace, or all). */
export function podFacts(
  world: SimWorld,
  namespace?: string,
  withDeleted = false,
  only?: (name: string) => boolean,
): PodFacts[] {
  const wanted = (json: JsonObject) =>
    !only || only(String((json['metadata'] as { name?: string } | undefined)?.name));
  const live = world.store
    .peekAll(PODS, namespace)
    .filter(wanted)
    .map((json) => factsOf(world, json));
  if (!withDeleted || !world.graveyard) return live;
  const gone = world.graveyard
    .list(namespace)
    .filter((t) => wanted(t.pod))
    .map((t) => ({ ...factsOf(world, t.pod), deletedAt: t.deletedAt }));
  return [...gone, ...live];
}

function factsOf(world: SimWorld, json: JsonObject): PodFacts {
  const pod = asView<Pod>(json);
  const createdAt = ms(pod.metadata.creationTimestamp) ?? 0;
  const ready = pod.status.conditions?.find((c) => c.type === 'Ready');
  const facts: PodFacts = {
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name,
    node: pod.spec.nodeName ?? '',
    createdAt,
    phase: pod.status.phase,
    ready: ready?.status === 'True',
    readySince: ms(ready?.lastTransitionTime) ?? createdAt,
    containers: pod.spec.containers.map((c) =>
      containerFacts(
        pod,
        c.name,
        pod.status.containerStatuses?.find((s) => s.name === c.name),
      ),
    ),
  };
  const component = componentOf(world, pod)?.component;
  if (component) facts.component = component;
  return facts;
}

export function readyAt(pod: PodFacts, t: number): boolean {
  if (t < pod.createdAt) return false;
  return t >= pod.readySince ? pod.ready : !pod.ready && pod.readySince > pod.createdAt;
}

export function runningAt(pod: PodFacts, c: ContainerFacts, t: number): boolean {
  if (t < pod.createdAt) return false;
  if (c.running) return true;
  return c.stoppedAt !== undefined && t < c.stoppedAt;
}

export function restartsAt(c: ContainerFacts, t: number): number {
  if (c.restartTimes.length < c.restartCount) return c.restartCount;
  let n = 0;
  while (n < c.restartTimes.length && c.restartTimes[n]! <= t) n++;
  return n;
}

/** When the process counting at `t` started (counters reset when a container restarts). */
export function originAt(pod: PodFacts, c: ContainerFacts | undefined, t: number): number {
  const n = c ? restartsAt(c, t) : 0;
  return n > 0 && c ? (c.restartTimes[n - 1] ?? pod.createdAt) : pod.createdAt;
}
