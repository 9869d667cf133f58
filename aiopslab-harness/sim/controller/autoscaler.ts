/**
 * The horizontal-pod-autoscaler controller for autoscaling/v2 HPAs with a CPU utilisation target, as
 * kubernetes/kubernetes pkg/controller/podautoscaler does it (horizontal.go, replica_calculator.go):
 *
 * - every 15 s (--horizontal-pod-autoscaler-sync-period) it reads the target's scale and its pods' CPU (the
 *   resource metrics API: usage per pod as cAdvisor measures it, sim/cpu.ts);
 * - utilisation = Σ usage / Σ requests of the ready pods; desired = ceil(ready × utilisation / target), or the
 *   current count within the 10% tolerance (--horizontal-pod-autoscaler-tolerance); unready pods count as 0%
 *   when scaling up;
 * - the recommendation is stabilised over 5 minutes for scale-down, limited to max(2 × current, 4) per step,
 *   and clamped to [minReplicas, maxReplicas]; the scale subresource is written and the status updated with
 *   the controller's conditions and events, in its own words (quoted below).
 *
 * Left out: other metric types (Pods, Object, External), the CPU initialisation period, `behavior` policies
 * other than the defaults (the default behaviour gives the same steps as the rules here).
 */
import type { JsonObject } from '../api/json.js';
import { resourceByKind } from '../api/resources.js';
import { metaOf } from '../store.js';
import type { Deployment, Pod } from '../model.js';
import { parseCpu } from '../model.js';
import { componentOf } from '../runtime.js';
import { computeHealth } from '../health.js';
import { computeFlows } from '../telemetry/flows.js';
import { cpuUsageCores } from '../cpu.js';
import { isPodReady } from '../faults/topology.js';
import { limitReplicas, resourceReplicas, setCondition } from './autoscaler-math.js';
import type { Condition, PodCpu } from './autoscaler-math.js';
import type { ControllerContext } from './context.js';

const HPA = resourceByKind('HorizontalPodAutoscaler');
const DEPLOYMENTS = resourceByKind('Deployment');
const PODS = resourceByKind('Pod');
const SOURCE = { component: 'horizontal-pod-autoscaler' };
const SYNC_MS = 15_000;
const DOWNSCALE_WINDOW_MS = 5 * 60_000;
/** horizontal.go: computeStatusForResourceMetric's metric name for a utilisation target. */
const CPU_METRIC = 'cpu resource utilization (percentage of request)';

interface Reading {
  pods: PodCpu[];
}

export class AutoscalerController {
  private cancel: (() => void) | undefined;
  private readonly recommendations = new Map<string, { at: number; replicas: number }[]>();

  constructor(private readonly ctx: ControllerContext) {}

  /** An HPA was created or changed: the sync loop runs while any exists. */
  wake(): void {
    this.cancel ??= this.ctx.clock.after(SYNC_MS, () => this.tick());
  }

  private tick(): void {
    this.cancel = undefined;
    const hpas = this.ctx.store.peekAll(HPA);
    for (const hpa of hpas) this.sync(hpa);
    if (hpas.length > 0) this.wake();
  }

  private sync(hpa: JsonObject): void {
    const meta = metaOf(hpa);
    const ns = meta.namespace ?? 'default';
    const key = `${ns}/${meta.name}`;
    const spec = hpa['spec'] as {
      scaleTargetRef?: { kind?: string; name?: string };
      minReplicas?: number;
      maxReplicas?: number;
      metrics?: { type?: string; resource?: { name?: string; target?: { averageUtilization?: number } } }[];
    };
    const old = (hpa['status'] as { conditions?: Condition[]; lastScaleTime?: string } | undefined) ?? {};
    const conditions: Condition[] = (old.conditions ?? []).map((c) => ({ ...c }));
    const set = (type: string, status: 'True' | 'False', reason: string, message: string) =>
      setCondition(conditions, type, status, reason, message, this.ctx.clock.iso());
    const ref = spec.scaleTargetRef;
    const target =
      ref?.kind === 'Deployment' && ref.name
        ? (this.ctx.store.peek(DEPLOYMENTS, ns, ref.name) as unknown as Deployment | undefined)
        : undefined;
    if (!target) {
      // horizontal.go: the scale subresource could not be read.
      const err = `deployments.apps "${ref?.name ?? ''}" not found`;
      this.ctx.events.record(hpa, 'Warning', 'FailedGetScale', err, SOURCE);
      set(
        'AbleToScale',
        'False',
        'FailedGetScale',
        `the HPA controller was unable to get the target's current scale: ${err}`,
      );
      this.writeStatus(ns, meta.name, { ...old, conditions });
      return;
    }
    set(
      'AbleToScale',
      'True',
      'SucceededGetScale',
      "the HPA controller was able to get the target's current scale",
    );
    const current = target.spec.replicas ?? 1;
    const min = spec.minReplicas ?? 1;
    const max = spec.maxReplicas ?? current;
    let desired = 0;
    let reason = '';
    let metrics: JsonObject[] | undefined;
    let rescale = true;
    if (current === 0 && min !== 0) {
      desired = 0;
      rescale = false;
      set(
        'ScalingActive',
        'False',
        'ScalingDisabled',
        'scaling is disabled since the replica count of the target is zero',
      );
    } else if (current > max) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = max;
    } else if (current < min) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = min;
    } else {
      const cpu = spec.metrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
      const utilTarget = cpu?.resource?.target?.averageUtilization;
      const computed = utilTarget ? this.cpuReplicas(target, ns, current, utilTarget) : undefined;
      if (!computed || 'error' in computed) {
        // replica_calculator.go calculatePodRequests; horizontal.go getUnableComputeReplicaCountCondition.
        const err =
          computed?.error ??
          'invalid resource metric source: neither a utilization target nor a value target was set';
        this.ctx.events.record(hpa, 'Warning', 'FailedGetResourceMetric', err, SOURCE);
        set(
          'ScalingActive',
          'False',
          'FailedGetResourceMetric',
          `the HPA was unable to compute the replica count: ${err}`,
        );
        this.ctx.events.record(
          hpa,
          'Warning',
          'FailedComputeMetricsReplicas',
          `invalid metrics (1 invalid out of 1), first error is: failed to get cpu utilization: ${err}`,
          SOURCE,
        );
        this.writeStatus(ns, meta.name, { ...old, currentReplicas: current, conditions });
        return;
      }
      metrics = [computed.status];
      set(
        'ScalingActive',
        'True',
        'ValidMetricFound',
        `the HPA was able to successfully calculate a replica count from ${CPU_METRIC}`,
      );
      desired = computed.replicas;
      if (desired > current) reason = `${CPU_METRIC} above target`;
      if (desired < current) reason = 'All metrics below target';
      desired = this.normalize(key, current, desired, min, max, set);
      rescale = desired !== current;
    }
    let lastScaleTime = old.lastScaleTime;
    if (rescale) {
      // The scale subresource (PUT .../deployments/<name>/scale), as the controller's scale client writes it.
      this.ctx.store.mutate(DEPLOYMENTS, ns, target.metadata.name, (d) => {
        (d['spec'] as { replicas?: number }).replicas = desired;
      });
      set(
        'AbleToScale',
        'True',
        'SucceededRescale',
        `the HPA controller was able to update the target scale to ${desired}`,
      );
      this.ctx.events.record(
        hpa,
        'Normal',
        'SuccessfulRescale',
        `New size: ${desired}; reason: ${reason}`,
        SOURCE,
      );
      lastScaleTime = this.ctx.clock.iso();
    } else desired = current;
    this.writeStatus(ns, meta.name, {
      currentReplicas: current,
      desiredReplicas: desired,
      ...(lastScaleTime ? { lastScaleTime } : {}),
      ...(metrics ? { currentMetrics: metrics } : {}),
      conditions,
    });
  }

  /** replica_calculator.go GetResourceReplicas for a CPU utilisation target (percent of request). */
  private cpuReplicas(
    target: Deployment,
    ns: string,
    current: number,
    utilTarget: number,
  ): { replicas: number; status: JsonObject } | { error: string } {
    const reading = this.read(target, ns);
    if ('error' in reading) return reading;
    return resourceReplicas(reading.pods, current, utilTarget);
  }

  /** Requests of every pod of the target, and the CPU each ready one uses (the resource metrics API). */
  private read(target: Deployment, ns: string): Reading | { error: string } {
    const selector = target.spec.selector.matchLabels ?? {};
    const pods = this.ctx.store
      .peekAll(PODS, ns)
      .map((p) => p as unknown as Pod)
      .filter(
        (p) =>
          !p.metadata.deletionTimestamp &&
          Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v),
      );
    const instance = this.ctx.world.apps.get(ns);
    const health = instance ? computeHealth(this.ctx.world, ns, this.ctx.clock.now()) : undefined;
    const flows = instance && health ? computeFlows(instance.app, health) : undefined;
    const out: Reading = { pods: [] };
    for (const pod of pods) {
      let requestMilli = 0;
      for (const c of pod.spec.containers) {
        const request = c.resources?.requests?.['cpu'];
        if (request === undefined)
          return { error: `missing request for cpu in container ${c.name} of Pod ${pod.metadata.name}` };
        requestMilli += parseCpu(request);
      }
      const entry: PodCpu = { name: pod.metadata.name, requestMilli };
      if (pod.status.phase === 'Running' && isPodReady(pod)) {
        const component = componentOf(this.ctx.world, pod)?.component;
        const flow = component ? flows?.components.get(component.name) : undefined;
        const served = flow ? flow.inflow / Math.max(1, flow.health.ready) : 0;
        entry.usageMilli = pod.spec.containers.reduce((n, c, i) => {
          const shape = {
            role: component?.role ?? 'infra',
            requestCores: parseCpu(c.resources?.requests?.['cpu']) / 1000,
            limitCores: parseCpu(c.resources?.limits?.['cpu']) / 1000 || undefined,
            loadCpu: flow?.health.load.cpu ?? 1,
          };
          return n + 1000 * cpuUsageCores(shape, served, i === 0);
        }, 0);
      }
      out.pods.push(entry);
    }
    return out;
  }

  /** horizontal.go normalizeDesiredReplicas: 5-minute scale-down stabilisation, then the rate limit and bounds. */
  private normalize(
    key: string,
    current: number,
    proposed: number,
    min: number,
    max: number,
    set: (type: string, status: 'True' | 'False', reason: string, message: string) => void,
  ): number {
    const now = this.ctx.clock.now();
    const recent = (this.recommendations.get(key) ?? [{ at: now, replicas: current }]).filter(
      (r) => r.at >= now - DOWNSCALE_WINDOW_MS,
    );
    const stabilised = Math.max(proposed, ...recent.map((r) => r.replicas));
    this.recommendations.set(key, [...recent, { at: now, replicas: proposed }]);
    if (stabilised !== proposed)
      set(
        'AbleToScale',
        'True',
        'ScaleDownStabilized',
        'recent recommendations were higher than current one, applying the highest recent recommendation',
      );
    else set('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
    const { desired, limited, reason, message } = limitReplicas(current, stabilised, min, max);
    set('ScalingLimited', limited ? 'True' : 'False', reason, message);
    return desired;
  }

  /** horizontal.go updateStatusIfNeeded: no write when nothing changed. */
  private writeStatus(ns: string, name: string, status: JsonObject): void {
    const stored = this.ctx.store.peek(HPA, ns, name);
    if (!stored || JSON.stringify(stored['status'] ?? {}) === JSON.stringify(status)) return;
    this.ctx.store.mutate(HPA, ns, name, (o) => {
      o['status'] = status;
    });
  }
}
