/**
 * The health model: how each component of a deployed app is doing and what each call between components
 * meets, computed on demand from the cluster state (objects in the store) and the simulated state inside
 * containers (MongoDB users, the config a mongod started with). Faults never write symptoms here: they
 * change state, and this reads it. Log lines, and later metrics and traces, are generated from it.
 *
 * Failures propagate: when a call fails, the caller answers its own callers with errors (its `errorRate`
 * rises) without becoming unready. Calls to `infra` components (tracing, service registry) never propagate.
 */
import type { ComponentRole } from './apps/types.js';
import type { Deployment, StatefulSet } from './model.js';
import type { SimWorld } from './runtime.js';
import type { FlagEffect } from './faults/flags.js';
import { activeFlagEffects } from './faults/flags.js';
import { calleeLogLine, clientError } from './faults/messages.js';
import type { Failure } from './faults/messages.js';
import { StateView } from './faults/network.js';
import { R, isPodReady, protocolOf } from './faults/topology.js';
import type { ExtraLoad } from './saturation.js';
import { loadGeneratorRps, throttledLatency } from './saturation.js';

import type { AppHealth, ComponentHealth, EdgeHealth } from './health-types.js';

export type { AppHealth, ComponentHealth, EdgeHealth } from './health-types.js';

const BASE_LATENCY: Record<ComponentRole, number> = {
  frontend: 2,
  service: 1.5,
  database: 0.8,
  cache: 0.3,
  infra: 0.2,
};

function desiredReplicas(view: StateView, name: string): number {
  const ns = view.namespace;
  const deploy = view.world.store.peek(R.deployments, ns, name) as unknown as Deployment | undefined;
  if (deploy) return deploy.spec.replicas ?? 1;
  const sts = view.world.store.peek(R.statefulsets, ns, name) as unknown as StatefulSet | undefined;
  return sts ? (sts.spec.replicas ?? 1) : 0;
}

function unreadyReason(view: StateView, name: string, desired: number): string | undefined {
  if (desired === 0) return 'scaled to 0 replicas';
  const pods = view.podsOf(name);
  if (pods.length === 0) return 'no pods';
  for (const pod of pods) {
    const scheduled = pod.status.conditions?.find((c) => c.type === 'PodScheduled');
    if (scheduled?.status === 'False') return `Pending: ${scheduled.message ?? 'unschedulable'}`;
    for (const s of pod.status.containerStatuses ?? []) {
      if (s.state.waiting && s.state.waiting.reason !== 'ContainerCreating') return s.state.waiting.reason;
      if (s.state.terminated) return `container ${s.name} terminated: ${s.state.terminated.reason}`;
    }
  }
  return undefined;
}

function failureText(failure: Failure): string {
  switch (failure.kind) {
    case 'dns':
      return 'its Service does not exist';
    case 'refused':
      return 'connection refused: no ready endpoint where a container listens on the target port';
    case 'timeout':
      return 'connections time out: the Service does not expose the dialled port';
    case 'mongo-tls':
      return 'mongod requires TLS';
    case 'mongo-auth':
      return 'MongoDB authentication fails';
    case 'mongo-unauthorized':
      return `MongoDB user lacks a role on ${failure.db}`;
    case 'dns-down':
      return 'cluster DNS does not answer: its name does not resolve';
    case 'tls-expired':
      return `its TLS certificate expired at ${new Date(failure.notAfter).toISOString()}`;
    case 'upstream':
      return failure.message;
  }
}

/** The health of the app deployed in `namespace` at simulated time `now` (empty when none is). */
export function computeHealth(world: SimWorld, namespace: string, now: number): AppHealth {
  const instance = world.apps.get(namespace);
  if (!instance) return { app: '', namespace, at: now, components: [], edges: [] };
  const external = loadGeneratorRps(world, namespace, instance.app);
  const first = healthOnce(world, namespace, now, { external, throttleMs: new Map() });
  // Throttling needs the traffic, which needs the health: a second pass only when a pod may be saturated.
  const throttleMs = throttledLatency(world, instance.app, first);
  return throttleMs.size === 0 ? first : healthOnce(world, namespace, now, { external, throttleMs });
}

function healthOnce(world: SimWorld, namespace: string, now: number, extra: ExtraLoad): AppHealth {
  const { app } = world.apps.get(namespace)!;
  const view = new StateView(world, namespace, app);
  const flags = activeFlagEffects(world, namespace);
  const effectsOn = (name: string, caller?: string): FlagEffect[] =>
    flags.filter((f) => f.component === name && (!f.callers || (caller && f.callers.includes(caller))));

  const components = new Map<string, ComponentHealth>();
  const edges: EdgeHealth[] = [];
  const done = new Set<string>();
  const visiting = new Set<string>();

  const visit = (name: string): ComponentHealth | undefined => {
    const spec = app.components.find((c) => c.name === name);
    if (!spec) return undefined;
    if (done.has(name) || visiting.has(name)) return components.get(name);
    visiting.add(name);
    const desired = desiredReplicas(view, name);
    const ready = view.podsOf(name).filter(isPodReady).length;
    const reach = spec.ports.length > 0 ? view.dial(undefined, name, { transportOnly: true }) : undefined;
    const reachable = reach ? reach.ok : ready > 0;
    const own = effectsOn(name);
    const health: ComponentHealth = {
      name,
      role: spec.role,
      desired,
      ready,
      reachable,
      errorRate: 0,
      latencyMs:
        BASE_LATENCY[spec.role] +
        own.reduce((n, f) => n + (f.latencyMs ?? 0), 0) +
        (extra.throttleMs.get(name) ?? 0),
      load: {
        cpu: own.reduce((n, f) => n * (f.cpu ?? 1), 1),
        memory: own.reduce((n, f) => n * (f.memory ?? 1), 1),
        requests: own.reduce((n, f) => n * (f.requests ?? 1), 1),
      },
    };
    const external = extra.external.get(name);
    if (external) health.externalRps = external;
    components.set(name, health);
    const why = unreadyReason(view, name, desired);
    if (why) health.reason = why;
    else if (!reachable && reach && !reach.ok) health.reason = failureText(reach.failure);

    // Its own calls first: their failures become its errors.
    const critical: EdgeHealth[] = [];
    for (const calleeName of spec.calls) {
      const calleeSpec = app.components.find((c) => c.name === calleeName);
      if (!calleeSpec) continue;
      const callee = visit(calleeName);
      const edge = callEdge(name, calleeName);
      const protocol = protocolOf(calleeSpec);
      const dial = view.dial(name, calleeName);
      const edgeFlags = effectsOn(calleeName, name).filter((f) => f.callers);
      const dialError = edgeFlags.find((f) => f.dialError)?.dialError;
      if (dialError) Object.assign(edge, { errorRate: 1, error: dialError });
      else if (!dial.ok) {
        edge.errorRate = 1;
        edge.error = clientError(view.dialect, protocol, dial.failure, dial.target);
        const callerIP = view.podsOf(name)[0]?.status.podIP;
        const log = callerIP ? calleeLogLine(protocol, dial.failure, callerIP) : undefined;
        if (log) edge.calleeLog = log;
      } else {
        const flagRate = 1 - edgeFlags.reduce((n, f) => n * (1 - (f.errorRate ?? 0)), 1);
        const upstream = Math.max(callee?.errorRate ?? 0, flagRate);
        edge.lossRate = round(dial.loss);
        edge.errorRate = round(1 - (1 - dial.loss) * (1 - upstream));
        edge.latencyMs =
          dial.delayMs +
          dial.loss * 3000 +
          (callee?.latencyMs ?? 1) +
          edgeFlags.reduce((n, f) => n + (f.latencyMs ?? 0), 0);
        // A fault in the callee's own code on these callers' calls: it serves them, fails, and logs it.
        const served = edgeFlags.filter((f) => f.errorRate && f.log);
        if (served.length > 0) {
          edge.servedErrorRate = round(1 - served.reduce((n, f) => n * (1 - (f.errorRate ?? 0)), 1));
          edge.calleeLog = served[0]!.log!;
        }
        if (dial.loss >= upstream && dial.loss > 0)
          edge.error = clientError(view.dialect, protocol, { kind: 'timeout' }, dial.target);
        else if (upstream > 0) {
          const message = edgeFlags.find((f) => f.error)?.error ?? callee?.error ?? 'internal error';
          edge.error = clientError(view.dialect, protocol, { kind: 'upstream', message }, dial.target);
        }
      }
      edge.ok = edge.errorRate === 0;
      edge.critical = calleeSpec.role !== 'infra';
      edges.push(edge);
      if (edge.critical) critical.push(edge);
    }

    // Then what its callers see.
    const ownRate = 1 - own.reduce((n, f) => n * (1 - (f.errorRate ?? 0)), 1);
    const rates = critical.map((e) => e.errorRate);
    const downstream =
      rates.length === 0
        ? 0
        : spec.role === 'frontend'
          ? rates.reduce((a, b) => a + b, 0) / rates.length
          : 1 - rates.reduce((n, r) => n * (1 - r), 1);
    health.errorRate = reachable ? round(1 - (1 - ownRate) * (1 - downstream)) : 1;
    const lat = critical.map((e) => e.latencyMs);
    health.latencyMs +=
      spec.role === 'frontend' && lat.length
        ? lat.reduce((a, b) => a + b, 0) / lat.length
        : lat.reduce((a, b) => a + b, 0);
    const ownFault = own.find((f) => f.errorRate && f.error);
    const worst = [...critical].sort((a, b) => b.errorRate - a.errorRate)[0];
    if (ownFault?.error && ownRate >= (worst?.errorRate ?? 0)) health.error = ownFault.error;
    else if (worst?.error) health.error = worst.error;
    const ownLog = own.find((f) => f.log)?.log;
    if (ownLog) health.log = ownLog;
    visiting.delete(name);
    done.add(name);
    return health;
  };

  for (const c of app.components) visit(c.name);
  return {
    app: app.name,
    namespace,
    at: now,
    components: app.components.map((c) => components.get(c.name)!),
    edges,
  };
}

/** Rates to six decimals, so 1 - 0.9 reads 0.1. */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function callEdge(from: string, to: string): EdgeHealth {
  return { from, to, ok: true, errorRate: 0, latencyMs: 1, lossRate: 0, critical: true };
}
