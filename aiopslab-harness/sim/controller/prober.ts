/**
 * The kubelet's probe workers for one running container (pkg/kubelet/prober/worker.go): the startup probe
 * first when there is one, then the liveness and readiness probes. Each runs after initialDelaySeconds and then
 * every periodSeconds; a failure is a Warning `Unhealthy` event "<Kind> probe failed: <output>"
 * (pkg/kubelet/prober/prober.go). failureThreshold liveness or startup failures in a row and the kubelet kills
 * the container "Container <name> failed <probe> probe, will be restarted" (pkg/kubelet/kuberuntime/
 * kuberuntime_manager.go); a readiness failure only keeps the container unready. Until the startup probe has
 * succeeded the container is neither started nor ready, and the other probes do not run.
 */
import type { Container, Pod } from '../model.js';
import type { SimWorld } from '../runtime.js';
import type { JsonObject } from '../api/json.js';
import { probeTiming, runProbe } from './probes.js';
import { FIRST_PROBE_MIN_MS } from './start-up.js';

/** What a probe worker needs of the kubelet, for one container of one pod. */
export interface ProbeHost {
  world: SimWorld;
  now(): number;
  /** The pod as it stands, or undefined once it is gone. */
  pod(): Pod | undefined;
  /** Runs `run` after `ms`, unless the container stops first. */
  schedule(ms: number, run: () => void): void;
  /** A Warning `Unhealthy` event on the container. */
  unhealthy(message: string): void;
  /** Kills the container for its failed liveness or startup probe (exit 143). */
  kill(probe: 'liveness' | 'startup'): void;
  /** The startup probe passed: the container is started. */
  started(): void;
  /** The container is ready. */
  ready(): void;
}

export interface ProbePlan {
  /** When the process listens (start-up.ts); probes before then are refused. */
  listeningAt: number;
  /** A readiness failure the app's state decides (the container never becomes ready), in place of its probe. */
  readinessFailure?: string;
}

const UNREADY_EVERY_MS = 10_000;

export function startProbing(host: ProbeHost, container: Container, plan: ProbePlan): void {
  const attempt = (probe: JsonObject) => {
    const pod = host.pod();
    return pod
      ? runProbe(host.world, pod, container, probe, host.now() < plan.listeningAt)
      : { ok: true as const };
  };
  const firstAt = (probe: JsonObject) => Math.max(probeTiming(probe).initialDelayMs, FIRST_PROBE_MIN_MS);

  const watch = (probe: JsonObject, kind: 'liveness' | 'startup', passed?: () => void): void => {
    const { periodMs, failureThreshold } = probeTiming(probe);
    const label = kind === 'liveness' ? 'Liveness' : 'Startup';
    let failures = 0;
    const tick = (): void => {
      const result = attempt(probe);
      if (result.ok) {
        failures = 0;
        if (passed) return passed();
      } else {
        failures++;
        host.unhealthy(`${label} probe failed: ${result.output}`);
        if (failures >= failureThreshold) return host.kill(kind);
      }
      host.schedule(periodMs, tick);
    };
    host.schedule(firstAt(probe), tick);
  };

  const readiness = (probe: JsonObject): void => {
    const { periodMs } = probeTiming(probe);
    const tick = (): void => {
      const result = attempt(probe);
      if (result.ok) return host.ready();
      host.unhealthy(`Readiness probe failed: ${result.output}`);
      host.schedule(periodMs, tick);
    };
    host.schedule(firstAt(probe), tick);
  };

  const unready = (message: string): void => {
    host.unhealthy(`Readiness probe failed: ${message}`);
    host.schedule(UNREADY_EVERY_MS, () => unready(message));
  };

  const afterStart = (gated: boolean): void => {
    if (container.livenessProbe) watch(container.livenessProbe, 'liveness');
    if (plan.readinessFailure !== undefined) unready(plan.readinessFailure);
    else if (container.readinessProbe) readiness(container.readinessProbe);
    else if (gated) host.ready();
  };

  if (container.startupProbe)
    watch(container.startupProbe, 'startup', () => {
      host.started();
      afterStart(true);
    });
  else afterStart(false);
}
