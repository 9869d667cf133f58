/**
 * The request flow through an app's call graph for one health state: a workload enters at the frontend
 * (WORKLOAD_RPS requests per second) and fans out along `calls`. A frontend routes each request to one of
 * its backends; other services call every callee once per request; calls to `infra` (tracing, registry)
 * are batched (INFRA_CALLS per request). Nothing arrives at an unreachable component, nor over an edge
 * whose connection fails, so its own counters stay flat while its callers count errors.
 */
import type { AppSpec, ComponentSpec } from '../apps/types.js';
import type { AppHealth, ComponentHealth, EdgeHealth } from '../health-types.js';

export const WORKLOAD_RPS = 20;
export const INFRA_CALLS = 0.1;
/** Messages per second a queue consumer (a component without ports) handles. */
export const CONSUMER_RPS = WORKLOAD_RPS * INFRA_CALLS;

export interface ComponentFlow {
  health: ComponentHealth;
  /** Requests per second arriving at the component (server side). */
  inflow: number;
  /** Fraction of them answered with an error. */
  errorRate: number;
}

export interface EdgeFlow {
  health: EdgeHealth;
  /** Calls per second the caller makes (client side). */
  rate: number;
  /** Fraction of the calls that reach the callee's server. */
  arrives: number;
}

export interface Flows {
  components: Map<string, ComponentFlow>;
  /** By `${from}>${to}`. */
  edges: Map<string, EdgeFlow>;
}

/** Frontends no other frontend calls: where the outside workload enters. */
export function entryComponents(app: AppSpec): ComponentSpec[] {
  const frontends = app.components.filter((c) => c.role === 'frontend');
  const calledByFrontend = new Set(frontends.flatMap((c) => c.calls));
  return frontends.filter((c) => !calledByFrontend.has(c.name));
}

/** How many calls to `callee` one request to `caller` makes. */
export function callsPerRequest(app: AppSpec, caller: ComponentSpec, callee: ComponentSpec): number {
  if (callee.role === 'infra') return INFRA_CALLS;
  if (caller.role !== 'frontend') return 1;
  const backends = caller.calls.filter((n) => app.components.find((c) => c.name === n)?.role !== 'infra');
  return 1 / Math.max(1, backends.length);
}

/** Fraction of calls over an edge that reach the callee's server. */
export function arrivalRate(edge: EdgeHealth, callee: ComponentHealth): number {
  if (!callee.reachable) return 0;
  // The edge alone fails (a dial error, a policy between these two): nothing gets through, unless the
  // callee itself receives these calls and fails them.
  if (edge.errorRate >= 1 && edge.lossRate < 1 && callee.errorRate < 1 && !edge.servedErrorRate) return 0;
  return 1 - edge.lossRate;
}

export function computeFlows(app: AppSpec, health: AppHealth): Flows {
  const byName = new Map(health.components.map((c) => [c.name, c]));
  const edgeHealth = new Map(health.edges.map((e) => [`${e.from}>${e.to}`, e]));
  const specs = new Map(app.components.map((c) => [c.name, c]));
  const entries = new Set(entryComponents(app).map((c) => c.name));
  const callers = new Map<string, ComponentSpec[]>();
  for (const c of app.components)
    for (const callee of c.calls) callers.set(callee, [...(callers.get(callee) ?? []), c]);

  const inflow = new Map<string, number>();
  const visiting = new Set<string>();
  const inflowOf = (name: string): number => {
    const known = inflow.get(name);
    if (known !== undefined) return known;
    const h = byName.get(name);
    const spec = specs.get(name);
    if (!h || !spec || visiting.has(name)) return 0;
    visiting.add(name);
    let rate = (entries.has(name) ? WORKLOAD_RPS : 0) + (h.externalRps ?? 0);
    for (const caller of callers.get(name) ?? []) {
      const edge = edgeHealth.get(`${caller.name}>${name}`);
      if (!edge) continue;
      rate += inflowOf(caller.name) * callsPerRequest(app, caller, spec) * arrivalRate(edge, h);
    }
    // A consumer (no port, nobody calls it) works through its queue at a steady pace of its own.
    if (spec.ports.length === 0 && !callers.has(name) && !entries.has(name)) rate = CONSUMER_RPS;
    if (!h.reachable || h.ready === 0) rate = 0;
    rate *= h.load.requests;
    visiting.delete(name);
    inflow.set(name, rate);
    return rate;
  };

  const components = new Map<string, ComponentFlow>();
  for (const h of health.components) {
    const total = inflowOf(h.name);
    // Calls it receives and fails itself on some callers' behalf count in its own error ratio.
    let failed = 0;
    for (const caller of callers.get(h.name) ?? []) {
      const edge = edgeHealth.get(`${caller.name}>${h.name}`);
      const spec = specs.get(h.name);
      if (!edge?.servedErrorRate || !spec) continue;
      const arriving = inflowOf(caller.name) * callsPerRequest(app, caller, spec) * arrivalRate(edge, h);
      failed += arriving * h.load.requests * edge.servedErrorRate;
    }
    const served = total > 0 ? Math.min(1, failed / total) : 0;
    components.set(h.name, {
      health: h,
      inflow: total,
      errorRate: 1 - (1 - h.errorRate) * (1 - served),
    });
  }
  const edges = new Map<string, EdgeFlow>();
  for (const e of health.edges) {
    const caller = specs.get(e.from);
    const callee = specs.get(e.to);
    const calleeHealth = byName.get(e.to);
    if (!caller || !callee || !calleeHealth) continue;
    edges.set(`${e.from}>${e.to}`, {
      health: e,
      rate: (inflow.get(e.from) ?? 0) * callsPerRequest(app, caller, callee),
      arrives: arrivalRate(e, calleeHealth),
    });
  }
  return { components, edges };
}
