/**
 * How long a container's process takes from start until it listens, and how long its probes give it.
 *
 * The simulated apps start at once unless the state says otherwise: AIOpsLab's images (Go services, a small
 * MongoDB) listen within a second. A component given a start-up time here (a JVM loading its agent, a
 * MongoDB recovering a large journal into a big cache: tens of seconds) refuses connections until then, so a
 * probe that dials it earlier fails with "connect: connection refused" (pkg/probe/tcp/tcp.go, pkg/probe/http).
 *
 * The kubelet runs the startup probe first when there is one and holds the liveness and readiness probes back
 * until it succeeds (pkg/kubelet/prober/worker.go; https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
 * "Protect slow starting containers with startup probes"). Without one, the liveness probe kills the
 * container after failureThreshold failures, the first of them at initialDelaySeconds.
 */
import type { JsonObject } from '../api/json.js';
import type { Container, Pod } from '../model.js';
import type { SimWorld } from '../runtime.js';
import { componentOf } from '../runtime.js';
import { probeTiming } from './probes.js';

/** Start-up times set on the world, by `namespace/component`. */
const START_UP = new WeakMap<SimWorld, Map<string, number>>();

export function setStartUpTime(world: SimWorld, namespace: string, component: string, ms: number): void {
  const map = START_UP.get(world) ?? new Map<string, number>();
  map.set(`${namespace}/${component}`, ms);
  START_UP.set(world, map);
}

/** How long the container of `pod` takes to listen after it starts; 0 for most. */
export function startUpMs(world: SimWorld, pod: Pod, container: Container): number {
  const found = componentOf(world, pod);
  if (!found || container.name !== found.component.containerName) return 0;
  return START_UP.get(world)?.get(`${found.instance.namespace}/${found.component.name}`) ?? 0;
}

/** The sim's prober runs its first probe no sooner than this after the container starts. */
export const FIRST_PROBE_MIN_MS = 1000;

/** The age at which a probe's last allowed failure happens: a container still starting then is killed. */
export function probeBudgetMs(probe: JsonObject): number {
  const t = probeTiming(probe);
  return Math.max(t.initialDelayMs, FIRST_PROBE_MIN_MS) + (t.failureThreshold - 1) * t.periodMs;
}

/**
 * Why the container's probes kill it before it has started, or undefined when they give it time enough:
 * the startup probe's budget when there is one (the liveness probe waits for it), else the liveness probe's.
 */
export function killedWhileStarting(world: SimWorld, pod: Pod, container: Container): string | undefined {
  const needs = startUpMs(world, pod, container);
  const gate = container.startupProbe ?? container.livenessProbe;
  if (needs === 0 || !gate) return undefined;
  const budget = probeBudgetMs(gate);
  if (budget >= needs) return undefined;
  const which = container.startupProbe ? 'startup' : 'liveness';
  return `container ${container.name} needs ~${needs / 1000}s to start; its ${which} probe kills it at ${budget / 1000}s`;
}

/** The first start-up line that says the process now listens or serves. */
const LISTENING = /listening|waiting for connections|started|ready in|server started/i;

/**
 * A container's start-up lines on the clock: those before the process listens at once, the rest (from the line
 * saying it listens) when it does, `startingMs` after the start. A container killed before then never prints them.
 */
export function startUpLines(
  lines: string[],
  now: number,
  startingMs: number,
): { at: number; text: string }[] {
  const listens = startingMs > 0 ? lines.findIndex((l) => LISTENING.test(l)) : -1;
  const from = listens >= 0 ? listens : startingMs > 0 ? lines.length - 1 : lines.length;
  return lines.map((text, i) => ({ at: i < from ? now + i * 7 : now + startingMs + (i - from) * 7, text }));
}
