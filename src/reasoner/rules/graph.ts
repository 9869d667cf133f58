/**
 * The incident as the rules see it: components, the evidence about each, and who blames whom. A component's
 * OWN evidence is what it shows itself (a crash, a misrouted Service, its error ratio); edge evidence is what
 * its callers report about reaching it. Roots are the failing components none of whose callees fail.
 */
import type { Evidence, Severity } from '../../core/evidence.js';

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2, critical: 3 };

/** Signals that describe a call edge, not the component named in their subject. */
const EDGE_SIGNALS: ReadonlySet<string> = new Set([
  'CallerErrors',
  'PeerErrorRate',
  'PeerLatency',
  'TraceEdgeErrors',
  'TraceEdgeLatency',
  // A failure that starts at a caller's client span (the callee never answered): about the edge.
  'TraceCallOrigin',
]);

/**
 * Signals too common in healthy clusters to make a component abnormal on their own at warning level: a few
 * error lines, one restart long ago, a volume left Released, an unreadable kind, a flag that is on.
 */
const WEAK_AT_WARNING: ReadonlySet<string> = new Set([
  'ErrorLogs',
  'ContainerRestarted',
  'PVReleased',
  'ProbeFailed',
  'FeatureFlagOn',
  'TlsRequired',
  'ScaledToZero',
  'NodeSelectorUnsatisfiable',
]);

export interface ComponentView {
  name: string;
  own: Evidence[];
  /** Evidence in which callers report failing to reach this component. */
  blamedBy: Evidence[];
  callees: Set<string>;
  callers: Set<string>;
  /** The strongest own evidence's weight; 0 when the component shows nothing of its own. */
  strength: number;
}

/** Pod names carry their owner's name plus generated suffixes (Deployment: hash-id; StatefulSet: ordinal). */
export function ownerFromPodName(pod: string): string {
  const m = /^(.+?)-(?:[a-z0-9]{6,10}-[a-z0-9]{5}|\d+)$/.exec(pod);
  return m?.[1] ?? pod;
}

export function componentOf(ev: Evidence): string | undefined {
  if (ev.component) return ev.component;
  switch (ev.subject.kind) {
    case 'Service':
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
      return ev.subject.name;
    case 'Pod':
      return ownerFromPodName(ev.subject.name);
    default:
      return undefined;
  }
}

/** How much an own finding says "the problem is here": severity first, then the kind of signal. */
export function weightOf(ev: Evidence): number {
  if (SEVERITY_RANK[ev.severity] < SEVERITY_RANK.warning) return 0;
  if (ev.severity === 'warning' && WEAK_AT_WARNING.has(ev.signal)) return 0;
  const structural = ev.source === 'kubernetes' || ev.source === 'events' ? 5 : 0;
  return SEVERITY_RANK[ev.severity] * 10 + structural;
}

export function isEdge(ev: Evidence): boolean {
  return EDGE_SIGNALS.has(ev.signal);
}

export interface IncidentGraph {
  components: Map<string, ComponentView>;
  /** Per caller, its edge evidence (at warning or worse) about the callees it names. */
  calls?: Map<string, { callee: string; ev: Evidence }[]>;
  /** Position of each evidence id in the observer's ranking (lower = ranked higher). */
  order: Map<string, number>;
}

function view(components: Map<string, ComponentView>, name: string): ComponentView {
  let v = components.get(name);
  if (!v) {
    v = { name, own: [], blamedBy: [], callees: new Set(), callers: new Set(), strength: 0 };
    components.set(name, v);
  }
  return v;
}

export function buildGraph(evidence: readonly Evidence[]): IncidentGraph {
  const components = new Map<string, ComponentView>();
  const calls = new Map<string, { callee: string; ev: Evidence }[]>();
  const order = new Map(evidence.map((ev, i) => [ev.id, i]));
  for (const ev of evidence) {
    const name = componentOf(ev);
    if (name === undefined) continue;
    if (ev.signal === 'CallerErrors') {
      view(components, name).blamedBy.push(ev);
      continue;
    }
    const v = view(components, name);
    if (!isEdge(ev)) {
      v.own.push(ev);
      v.strength = Math.max(v.strength, weightOf(ev));
    }
    if (SEVERITY_RANK[ev.severity] < SEVERITY_RANK.warning) continue;
    for (const callee of ev.blames ?? []) {
      if (callee === name) continue;
      if (isEdge(ev)) calls.set(name, [...(calls.get(name) ?? []), { callee, ev }]);
      v.callees.add(callee);
      const c = view(components, callee);
      c.callers.add(name);
      c.blamedBy.push(ev);
    }
  }
  return { components, calls, order };
}

/** Components with own evidence strong enough to call them failing. */
export function failing(graph: IncidentGraph): ComponentView[] {
  return [...graph.components.values()].filter((c) => c.strength > 0);
}

/** Failing components that callers transitively depend on through failing hops, with the chain length. */
function failingCallersOf(graph: IncidentGraph, name: string): number {
  const seen = new Set<string>([name]);
  const queue = [name];
  while (queue.length > 0) {
    const current = graph.components.get(queue.shift()!);
    for (const caller of current?.callers ?? []) {
      if (seen.has(caller)) continue;
      seen.add(caller);
      queue.push(caller);
    }
  }
  return seen.size - 1;
}

/** What a caller shows when a callee fails or slows it: its own errors, latency and error lines. */
const TRAFFIC_SIGNALS: ReadonlySet<string> = new Set(['ErrorRateHigh', 'LatencyHigh', 'ErrorLogs']);
/** A call to a name that does not resolve: the caller dials a wrong address (its config), not a bad network. */
const MISDIALLED = /no such host|not known|ENOTFOUND|UnknownHost/i;

/**
 * The callee a traffic-only root's trouble comes from, when there is exactly one. A component whose own
 * findings are all traffic symptoms (errors, latency, error lines) and whose failing or slow calls all go to
 * one callee that shows nothing of its own, at least as badly as its own callers fail reaching it, is that
 * callee's victim: a service whose network drops or delays packets shows in its callers' per-edge errors and
 * latency towards it, not in its own logs or metrics. Calls failing towards several callees (infrastructure
 * ones included), or worse calls into it than out of it, point at its own network.
 */
export function silentCallee(graph: IncidentGraph, c: ComponentView): ComponentView | undefined {
  if (c.own.some((ev) => weightOf(ev) > 0 && !TRAFFIC_SIGNALS.has(ev.signal))) return undefined;
  const calls = (graph.calls?.get(c.name) ?? []).filter(
    ({ ev }) => SEVERITY_RANK[ev.severity] >= SEVERITY_RANK.warning,
  );
  const callees = new Set(calls.map((x) => x.callee));
  if (callees.size !== 1) return undefined;
  // Its callers fare worse reaching it than it fares with its callee: the trouble is on its own link.
  const worst = (evs: Evidence[]) => Math.max(0, ...evs.map((ev) => SEVERITY_RANK[ev.severity]));
  if (worst(calls.map((x) => x.ev)) < worst(c.blamedBy.filter(isEdge))) return undefined;
  if (calls.some(({ ev }) => MISDIALLED.test(`${ev.summary}\n${ev.excerpt ?? ''}`))) return undefined;
  const callee = graph.components.get([...callees][0]!);
  return callee && callee.strength === 0 ? callee : undefined;
}

/**
 * The root candidates, best first: failing components with no failing callee (following blame edges through
 * components that show nothing of their own would blame a healthy callee for its caller's fault). Ordered by
 * the strength of their own evidence, then how many components fail because of them, then the observer's rank.
 */
export function roots(graph: IncidentGraph, options: { followBlame?: boolean } = {}): ComponentView[] {
  // Not following blame (the `blame-walk` family switched off, an evolver experiment): every failing
  // component is a candidate, ranked by its own evidence and the observer's rank alone.
  const follow = options.followBlame ?? true;
  const bad = failing(graph);
  const badNames = new Set(bad.map((c) => c.name));
  const candidates = follow ? bad.filter((c) => ![...c.callees].some((callee) => badNames.has(callee))) : bad;
  // A cycle of failing components leaves no candidate: fall back to every failing component.
  const pool = candidates.length > 0 ? candidates : bad;
  const firstRank = (c: ComponentView) =>
    Math.min(...c.own.map((ev) => graph.order.get(ev.id) ?? Number.MAX_SAFE_INTEGER));
  const ranked = pool
    .map((c) => ({ c, callers: follow ? failingCallersOf(graph, c.name) : 0, rank: firstRank(c) }))
    .sort((a, b) => b.c.strength - a.c.strength || b.callers - a.callers || a.rank - b.rank)
    .map(({ c }) => c);
  if (!follow) return ranked;
  const moved = ranked.map((c) => silentCallee(graph, c) ?? c);
  return moved.filter((c, i) => moved.indexOf(c) === i);
}
