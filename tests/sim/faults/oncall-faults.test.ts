/**
 * The on-call catalog's workload faults (docs/oncall-catalog.md) on the in-process simulator with its clock
 * driven by hand: each fault's symptoms appear as the real kubelet and controllers show them, and the fix
 * an operator would make clears them.
 */
import { describe, expect, it } from 'vitest';
import { text } from '../../../aiopslab-harness/sim/api/json.js';
import type { JsonObject } from '../../../aiopslab-harness/sim/api/json.js';
import { astronomyShop } from '../../../aiopslab-harness/sim/apps/astronomy-shop.js';
import { hotelReservation } from '../../../aiopslab-harness/sim/apps/hotel-reservation.js';
import { socialNetwork } from '../../../aiopslab-harness/sim/apps/social-network.js';
import { injectFault } from '../../../aiopslab-harness/sim/faults/index.js';
import type { Container, Pod } from '../../../aiopslab-harness/sim/model.js';
import { parseMemory } from '../../../aiopslab-harness/sim/model.js';
import {
  ENDPOINTS,
  component,
  edge,
  events,
  expectHealthy,
  health,
  patchDeployment,
  pods,
  restarts,
  up,
} from './helpers.js';

const live = (p: Pod) => !p.metadata.deletionTimestamp;

function mainContainer(d: { spec: { template: { spec: { containers: Container[] } } } }, name: string) {
  const c = d.spec.template.spec.containers.find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
}

describe('oom_killed', () => {
  it.each([
    { app: hotelReservation, target: 'geo', container: 'hotel-reserv-geo', caller: 'search' },
    { app: astronomyShop, target: 'cart', container: 'cart', caller: 'frontend' },
  ])('$app.name/$target: OOMKilled exit 137, back-off; doubling the limit clears it', (c) => {
    const ns = c.app.defaultNamespace;
    const cluster = up(c.app);
    injectFault(cluster, ns, { kind: 'oom_killed', target: c.target });
    cluster.advance(180_000);
    const [pod] = pods(cluster, ns, c.target).filter(live);
    const status = pod!.status.containerStatuses!.find((s) => s.name === c.container)!;
    expect(status.lastState.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    expect(restarts(pod)).toBeGreaterThanOrEqual(2);
    cluster.advance(40_000);
    const waiting = pods(cluster, ns, c.target)
      .filter(live)
      .flatMap((p) => p.status.containerStatuses ?? [])
      .some((s) => s.state.waiting?.reason === 'CrashLoopBackOff');
    expect(waiting || status.state.terminated?.reason === 'OOMKilled').toBe(true);
    expect(events(cluster, ns, 'BackOff').length).toBeGreaterThan(0);
    expect(component(health(cluster, ns), c.target).reachable).toBe(false);

    patchDeployment(cluster, ns, c.target, (d) => {
      const ct = mainContainer(d, c.container);
      const limit = parseMemory(ct.resources?.limits?.['memory']);
      ct.resources = {
        ...ct.resources,
        limits: { ...ct.resources?.limits, memory: `${(2 * limit) / 2 ** 20}Mi` },
      };
    });
    cluster.advance(240_000);
    expectHealthy(cluster, ns);
    for (const p of pods(cluster, ns, c.target).filter(live)) expect(restarts(p)).toBe(0);
  });
});

const PROBE_CASES = [
  {
    app: hotelReservation,
    target: 'profile',
    container: 'hotel-reserv-profile',
    port: 8081,
    caller: 'frontend',
  },
  {
    app: socialNetwork,
    target: 'text-service',
    container: 'text-service',
    port: 9090,
    caller: 'compose-post-service',
  },
];

describe('liveness_probe_failure', () => {
  it.each(PROBE_CASES)(
    '$app.name/$target: Unhealthy events, killed and restarted; the right port clears it',
    (c) => {
      const ns = c.app.defaultNamespace;
      const cluster = up(c.app);
      injectFault(cluster, ns, { kind: 'liveness_probe_failure', target: c.target });
      cluster.advance(180_000);
      const unhealthy = events(cluster, ns, 'Unhealthy').map((e) => text(e['message']));
      expect(
        unhealthy.some(
          (m) =>
            m.startsWith('Liveness probe failed: dial tcp ') &&
            m.endsWith(`:${c.port + 1}: connect: connection refused`),
        ),
      ).toBe(true);
      const killing = events(cluster, ns, 'Killing').map((e) => text(e['message']));
      expect(killing).toContain(`Container ${c.container} failed liveness probe, will be restarted`);
      const [pod] = pods(cluster, ns, c.target).filter(live);
      expect(restarts(pod)).toBeGreaterThanOrEqual(2);
      const status = pod!.status.containerStatuses!.find((s) => s.name === c.container)!;
      expect(status.lastState.terminated).toMatchObject({ reason: 'Error', exitCode: 143 });

      patchDeployment(cluster, ns, c.target, (d) => {
        mainContainer(d, c.container).livenessProbe = { tcpSocket: { port: c.port }, periodSeconds: 10 };
      });
      cluster.advance(240_000);
      expectHealthy(cluster, ns);
      for (const p of pods(cluster, ns, c.target).filter(live)) expect(restarts(p)).toBe(0);
    },
  );
});

describe('readiness_probe_failure', () => {
  it.each(PROBE_CASES)(
    '$app.name/$target: unready, out of the endpoints, callers refused; the right port clears it',
    (c) => {
      const ns = c.app.defaultNamespace;
      const cluster = up(c.app);
      injectFault(cluster, ns, { kind: 'readiness_probe_failure', target: c.target });
      cluster.advance(180_000);
      const unhealthy = events(cluster, ns, 'Unhealthy').map((e) => text(e['message']));
      expect(unhealthy.some((m) => m.startsWith('Readiness probe failed: dial tcp '))).toBe(true);
      const [pod] = pods(cluster, ns, c.target).filter(live);
      expect(pod!.status.phase).toBe('Running');
      expect(pod!.status.conditions?.find((x) => x.type === 'Ready')?.status).toBe('False');
      expect(restarts(pod)).toBe(0);
      const ep = cluster.store.peek(ENDPOINTS, ns, c.target) as JsonObject;
      const subsets = JSON.stringify(ep['subsets'] ?? []);
      expect(subsets).toContain('notReadyAddresses');
      expect(subsets).not.toContain('"addresses"');
      const h = health(cluster, ns);
      expect(component(h, c.target).reachable).toBe(false);
      expect(edge(h, c.caller, c.target).ok).toBe(false);

      patchDeployment(cluster, ns, c.target, (d) => {
        mainContainer(d, c.container).readinessProbe = { tcpSocket: { port: c.port }, periodSeconds: 10 };
      });
      cluster.advance(240_000);
      expectHealthy(cluster, ns);
    },
  );
});
