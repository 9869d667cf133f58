/**
 * The HPA controller's arithmetic, as kubernetes/kubernetes pkg/controller/podautoscaler writes it: the
 * replica calculator for a utilisation target (replica_calculator.go GetResourceReplicas), the bounds and
 * scale-up rate (horizontal.go convertDesiredReplicasWithRules) and its condition list (setConditionInList).
 */
import type { JsonObject } from '../api/json.js';

/** --horizontal-pod-autoscaler-tolerance: no change while the ratio is within 10% of 1. */
const TOLERANCE = 0.1;

export type Condition = { type: string; status: 'True' | 'False'; reason: string; message: string };

/** One pod of the target: its CPU request and, when it is ready and measured, its usage (millicores). */
export interface PodCpu {
  name: string;
  requestMilli: number;
  usageMilli?: number;
}

/** The replica count a utilisation target asks for, and the metric status the HPA reports. */
export function resourceReplicas(
  pods: readonly PodCpu[],
  current: number,
  utilTarget: number,
): { replicas: number; status: JsonObject } | { error: string } {
  const ready = pods.filter((p) => p.usageMilli !== undefined);
  if (ready.length === 0)
    return { error: 'did not receive metrics for targeted pods (pods might be unready)' };
  const usage = ready.reduce((n, p) => n + p.usageMilli!, 0);
  const requests = ready.reduce((n, p) => n + p.requestMilli, 0);
  const ratio = (usage * 100) / requests / utilTarget;
  const status = {
    type: 'Resource',
    resource: {
      name: 'cpu',
      current: {
        averageUtilization: Math.floor((usage * 100) / requests),
        averageValue: `${Math.round(usage / ready.length)}m`,
      },
    },
  };
  const unready = pods.filter((p) => p.usageMilli === undefined);
  if (unready.length === 0 || ratio <= 1) {
    if (Math.abs(1 - ratio) <= TOLERANCE) return { replicas: current, status };
    return { replicas: Math.ceil(ratio * ready.length), status };
  }
  // Scaling up with pods not yet ready: they count as using nothing, so new pods do not trigger more.
  const rebalanced =
    usage / (requests + unready.reduce((n, p) => n + p.requestMilli, 0)) / (utilTarget / 100);
  if (Math.abs(1 - rebalanced) <= TOLERANCE || rebalanced < 1) return { replicas: current, status };
  const replicas = Math.ceil(rebalanced * pods.length);
  return { replicas: Math.max(replicas, current), status };
}

/** The stabilised recommendation held to [min, max] and to max(2 × current, 4) per step, and why. */
export function limitReplicas(
  current: number,
  stabilised: number,
  min: number,
  max: number,
): { desired: number; limited: boolean; reason: string; message: string } {
  const scaleUpLimit = Math.max(2 * current, 4);
  const [allowed, limiting, why] =
    max > scaleUpLimit
      ? [
          scaleUpLimit,
          'ScaleUpLimit',
          'the desired replica count is increasing faster than the maximum scale rate',
        ]
      : [max, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
  if (stabilised < min)
    return {
      desired: min,
      limited: true,
      reason: 'TooFewReplicas',
      message: 'the desired replica count is less than the minimum replica count',
    };
  if (stabilised > allowed) return { desired: allowed, limited: true, reason: limiting, message: why };
  return {
    desired: stabilised,
    limited: false,
    reason: 'DesiredWithinRange',
    message: 'the desired count is within the acceptable range',
  };
}

/** horizontal.go setConditionInList: in place, keeping order; the transition time moves only on a change. */
export function setCondition(
  list: Condition[],
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  now: string,
): void {
  let found = list.find((c) => c.type === type) as (Condition & { lastTransitionTime?: string }) | undefined;
  if (!found) {
    found = { type, status, reason, message, lastTransitionTime: now };
    list.push(found);
  }
  if (found.status !== status) found.lastTransitionTime = now;
  Object.assign(found, { status, reason, message });
}
