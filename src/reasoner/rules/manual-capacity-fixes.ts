/**
 * Capacity the cluster's owners set: an autoscaler held at its maxReplicas while its target slows. Raising
 * maxReplicas buys pods, nodes and money, and whether the load is worth carrying (or should be shed) is a
 * person's call, so the rules propose nothing; the diagnosis says what to raise, to what, and what to check.
 */
import type { Evidence } from '../../core/evidence.js';
import type { ComponentView } from './graph.js';

const attr = (ev: Evidence, key: string): string | undefined => {
  const v = ev.attributes?.[key];
  return v === undefined || v === '' ? undefined : String(v);
};

export function raiseAutoscalerLimit(root: ComponentView): string | undefined {
  const ev = root.own.find((e) => e.signal === 'AutoscalerAtMax' && e.severity !== 'info');
  if (!ev) return undefined;
  const name = attr(ev, 'autoscaler') ?? ev.subject.name;
  const ns = attr(ev, 'autoscalerNamespace') ?? ev.subject.namespace ?? 'default';
  const max = attr(ev, 'maxReplicas') ?? '?';
  const wanted = attr(ev, 'wantedReplicas');
  const target = attr(ev, 'target') ?? root.name;
  const to = wanted
    ? `to at least ${wanted} (what its CPU reading asks for now; more while pods are throttled)`
    : 'to what the load needs';
  return (
    `no automatic fix: raising capacity is a person's decision: HorizontalPodAutoscaler ${ns}/${name} keeps ` +
    `${target} at its maxReplicas ${max}; raise spec.maxReplicas ${to} once the nodes (and any ResourceQuota) ` +
    `have room for those pods and the cost is accepted ` +
    `(kubectl patch hpa ${name} -n ${ns} --type merge -p '{"spec":{"maxReplicas":N}}'), ` +
    `or find and shed the extra load; restarting ${target} does not help`
  );
}
