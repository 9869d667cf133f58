import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../aiopslab-harness/sim/api/json.js';
import { text } from '../../../aiopslab-harness/sim/api/json.js';
import { resourceByKind } from '../../../aiopslab-harness/sim/api/resources.js';
import { hotelReservation } from '../../../aiopslab-harness/sim/apps/hotel-reservation.js';
import { socialNetwork } from '../../../aiopslab-harness/sim/apps/social-network.js';
import { createAutoscaler } from '../../../aiopslab-harness/sim/faults/autoscaler.js';
import { injectFault, injectNoise } from '../../../aiopslab-harness/sim/faults/index.js';
import { DEPLOYMENTS, component, events, expectHealthy, health, rolloutRestart, up } from './helpers.js';

const HPAS = resourceByKind('HorizontalPodAutoscaler');
const HOTEL = hotelReservation.defaultNamespace;
const SOCIAL = socialNetwork.defaultNamespace;

interface HpaStatus {
  currentReplicas?: number;
  desiredReplicas?: number;
  currentMetrics?: { resource: { current: { averageUtilization: number } } }[];
  conditions?: { type: string; status: string; reason: string; message: string }[];
}

function statusOf(cluster: ReturnType<typeof up>, namespace: string, name: string): HpaStatus {
  return (cluster.store.peek(HPAS, namespace, name)!['status'] ?? {}) as HpaStatus;
}

function condition(status: HpaStatus, type: string) {
  return status.conditions?.find((c) => c.type === type);
}

function replicas(cluster: ReturnType<typeof up>, namespace: string, name: string): number {
  return (cluster.store.peek(DEPLOYMENTS, namespace, name)!['spec'] as { replicas: number }).replicas;
}

describe('hpa_at_max_replicas', () => {
  it('pins the HPA at maxReplicas with CPU above target and latency up; a restart changes nothing; raising maxReplicas fixes it', () => {
    const cluster = up(hotelReservation);
    cluster.advance(60_000);
    const before = component(health(cluster, HOTEL), 'frontend').latencyMs;
    injectFault(cluster, HOTEL, { kind: 'hpa_at_max_replicas', target: 'frontend' });
    cluster.advance(120_000);

    let status = statusOf(cluster, HOTEL, 'frontend');
    expect(status).toMatchObject({ currentReplicas: 2, desiredReplicas: 2 });
    expect(status.currentMetrics?.[0]?.resource.current.averageUtilization).toBeGreaterThan(60 * 1.1);
    // The controller's own words (pkg/controller/podautoscaler/horizontal.go).
    expect(condition(status, 'ScalingLimited')).toMatchObject({
      status: 'True',
      reason: 'TooManyReplicas',
      message: 'the desired replica count is more than the maximum replica count',
    });
    expect(condition(status, 'ScalingActive')).toMatchObject({
      status: 'True',
      reason: 'ValidMetricFound',
      message:
        'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
    });
    expect(condition(status, 'AbleToScale')?.status).toBe('True');
    expect(events(cluster, HOTEL, 'SuccessfulRescale').map((e) => text(e['message']))).toContain(
      'New size: 2; reason: cpu resource utilization (percentage of request) above target',
    );
    expect(replicas(cluster, HOTEL, 'frontend')).toBe(2);
    const slow = component(health(cluster, HOTEL), 'frontend').latencyMs;
    expect(slow).toBeGreaterThan(before * 20);
    expect(slow).toBeGreaterThan(250);

    // Restarting the throttled pods changes nothing: the same load meets the same two pods.
    rolloutRestart(cluster, HOTEL, 'frontend');
    cluster.advance(90_000);
    status = statusOf(cluster, HOTEL, 'frontend');
    expect(condition(status, 'ScalingLimited')?.reason).toBe('TooManyReplicas');
    expect(component(health(cluster, HOTEL), 'frontend').latencyMs).toBeGreaterThan(250);

    // The real fix: a person raises maxReplicas; the HPA scales out until CPU is back at its target.
    cluster.store.mutate(HPAS, HOTEL, 'frontend', (o: JsonObject) => {
      (o['spec'] as { maxReplicas: number }).maxReplicas = 10;
    });
    cluster.reconcile();
    cluster.advance(180_000);
    status = statusOf(cluster, HOTEL, 'frontend');
    expect(condition(status, 'ScalingLimited')).toMatchObject({
      status: 'False',
      reason: 'DesiredWithinRange',
    });
    expect(status.currentReplicas).toBeGreaterThan(2);
    expect(status.currentReplicas).toBeLessThanOrEqual(10);
    expect(replicas(cluster, HOTEL, 'frontend')).toBe(status.currentReplicas);
    expect(component(health(cluster, HOTEL), 'frontend').latencyMs).toBeLessThan(before * 2);
  });

  it('reports the real FailedGetResourceMetric for a workload without CPU requests, and scales nothing', () => {
    const cluster = up(socialNetwork);
    createAutoscaler(cluster, SOCIAL, 'media-frontend', { minReplicas: 1, maxReplicas: 4, cpuPercent: 60 });
    cluster.advance(60_000);
    const status = statusOf(cluster, SOCIAL, 'media-frontend');
    const active = condition(status, 'ScalingActive');
    expect(active).toMatchObject({ status: 'False', reason: 'FailedGetResourceMetric' });
    // replica_calculator.go calculatePodRequests.
    expect(active?.message).toMatch(
      /^the HPA was unable to compute the replica count: missing request for cpu in container media-frontend of Pod media-frontend-/,
    );
    expect(events(cluster, SOCIAL, 'FailedGetResourceMetric').length).toBeGreaterThan(0);
    expect(replicas(cluster, SOCIAL, 'media-frontend')).toBe(1);
  });

  it('leaves a healthy HPA within range when its maximum is enough for the load', () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, HOTEL, {
      kind: 'hpa_at_max_replicas',
      target: 'frontend',
      params: { maxReplicas: 10 },
    });
    cluster.advance(180_000);
    const status = statusOf(cluster, HOTEL, 'frontend');
    expect(condition(status, 'ScalingLimited')?.status).toBe('False');
    expect(component(health(cluster, HOTEL), 'frontend').latencyMs).toBeLessThan(50);
  });

  it('healthy_autoscaler noise: an HPA (with CPU requests added where none were) that stays at its minimum, within range', () => {
    const cluster = up(socialNetwork);
    injectNoise(cluster, SOCIAL, 'healthy_autoscaler');
    cluster.advance(120_000);
    const status = statusOf(cluster, SOCIAL, 'nginx-thrift');
    expect(condition(status, 'ScalingActive')?.reason).toBe('ValidMetricFound');
    expect(condition(status, 'ScalingLimited')).toMatchObject({
      status: 'False',
      reason: 'DesiredWithinRange',
    });
    expect(status.currentReplicas).toBe(1);
    expectHealthy(cluster, SOCIAL);
  });
});
