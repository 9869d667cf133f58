/**
 * Log lines that follow the health model: at each steady tick of a running container, the health of its
 * namespace at that tick decides whether it prints its usual line or an error: a failed call it made, a
 * client its server turned away, a fault in its own code. So a caller that started long before a fault
 * logs errors from the moment the fault broke its callee, and stops when the fault is mitigated.
 */
import type { AppSpec } from '../apps/types.js';
import type { AppHealth } from '../health.js';
import type { DynamicLogSource } from '../logs.js';
import type { SimWorld } from '../runtime.js';
import { callerLogLine } from './messages.js';
import { timelineOf } from './timeline.js';
import type { Dialect } from './topology.js';
import { componentNamed, hashText, protocolOf } from './topology.js';

interface Candidate {
  rate: number;
  text: string;
}

function candidates(app: AppSpec, dialect: Dialect, health: AppHealth, component: string): Candidate[] {
  const out: Candidate[] = [];
  for (const edge of health.edges) {
    if (edge.errorRate <= 0) continue;
    if (edge.from === component && edge.critical && edge.error) {
      const callee = componentNamed(app, edge.to);
      const protocol = callee ? protocolOf(callee) : 'rpc';
      out.push({
        rate: edge.errorRate,
        text: callerLogLine(dialect, edge.from, edge.to, protocol, edge.error),
      });
    }
    if (edge.to === component && edge.calleeLog) out.push({ rate: edge.errorRate, text: edge.calleeLog });
  }
  const own = health.components.find((c) => c.name === component);
  if (own?.log) out.push({ rate: own.errorRate > 0 ? own.errorRate : 0.3, text: own.log });
  return out;
}

/**
 * The dynamic source for one container instance of `component` (the component whose code it runs).
 * Deterministic in `at` and `seed`, so a log reads the same every time.
 */
export function healthLogSource(
  world: SimWorld,
  namespace: string,
  app: AppSpec,
  dialect: Dialect,
  component: string,
  seed: number,
): DynamicLogSource {
  const cache = new WeakMap<AppHealth, Candidate[]>();
  return (at) => {
    const health = timelineOf(world)?.at(namespace, at);
    if (!health) return undefined;
    let list = cache.get(health);
    if (!list) {
      list = candidates(app, dialect, health, component);
      cache.set(health, list);
    }
    if (list.length === 0) return undefined;
    const rate = Math.max(...list.map((c) => c.rate));
    const roll = hashText(`${seed}/${at}`) / 2 ** 32;
    if (roll >= rate) return undefined;
    const pick = list[hashText(`${at}/${seed}/pick`) % list.length]!;
    return [pick.text];
  };
}
