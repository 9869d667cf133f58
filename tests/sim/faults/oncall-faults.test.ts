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
import type { Container, Deployment, Pod } from '../../../aiopslab-harness/sim/model.js';
import { parseMemory } from '../../../aiopslab-harness/sim/model.js';
import {
  DEPLOYMENTS,
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

describe('init_container_failure', () => {
  it.each([
    { app: hotelReservation, target: 'user', host: 'mongodb-user-primary' },
    { app: socialNetwork, target: 'url-shorten-service', host: 'url-shorten-mongodb-primary' },
  ])(
    '$app.name/$target: Init:Error then Init:CrashLoopBackOff, the app never starts; dropping it clears it',
    (c) => {
      const ns = c.app.defaultNamespace;
      const cluster = up(c.app);
      injectFault(cluster, ns, { kind: 'init_container_failure', target: c.target });
      cluster.advance(180_000);
      const fresh = pods(cluster, ns, c.target)
        .filter(live)
        .find((p) => (p.spec.initContainers ?? []).length > 0)!;
      expect(fresh.status.phase).toBe('Pending');
      const init = fresh.status.initContainerStatuses![0]!;
      expect(init.lastState.terminated ?? init.state.terminated).toMatchObject({
        exitCode: 1,
        reason: 'Error',
      });
      expect(init.restartCount).toBeGreaterThanOrEqual(2);
      expect(fresh.status.conditions?.find((x) => x.type === 'Initialized')).toMatchObject({
        status: 'False',
        reason: 'ContainersNotInitialized',
      });
      expect(fresh.status.containerStatuses?.[0]?.state.waiting?.reason).toBe('PodInitializing');
      const backOff = events(cluster, ns, 'BackOff').map((e) => text(e['message']));
      expect(backOff.some((m) => m.startsWith('Back-off restarting failed container wait-for-db'))).toBe(
        true,
      );
      cluster.advance(60_000);
      const later = pods(cluster, ns, c.target).find((p) => p.metadata.name === fresh.metadata.name)!;
      const state = later.status.initContainerStatuses![0]!.state;
      expect(state.waiting?.reason ?? state.terminated?.reason ?? 'running').toMatch(
        /CrashLoopBackOff|Error|running/,
      );

      patchDeployment(cluster, ns, c.target, (d) => {
        delete d.spec.template.spec.initContainers;
      });
      cluster.advance(240_000);
      expectHealthy(cluster, ns);
      expect(
        pods(cluster, ns, c.target)
          .filter(live)
          .every((p) => !p.spec.initContainers),
      ).toBe(true);
    },
  );

  it('an init container whose dependency check passes completes, then the app starts', () => {
    const ns = hotelReservation.defaultNamespace;
    const cluster = up(hotelReservation);
    injectFault(cluster, ns, {
      kind: 'init_container_failure',
      target: 'user',
      params: { host: 'mongodb-user', port: 27017 },
    });
    cluster.advance(120_000);
    const [pod] = pods(cluster, ns, 'user').filter(live);
    expect(pod!.status.initContainerStatuses?.[0]?.state.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
    expectHealthy(cluster, ns);
  });
});

describe('missing_config_ref and bad_image_rollout (rollouts)', () => {
  it.each([
    {
      kind: 'missing_config_ref',
      params: {},
      waiting: 'CreateContainerConfigError',
      message: 'configmap "reservation-settings" not found',
    },
    {
      kind: 'missing_config_ref',
      params: { ref: 'secret' },
      waiting: 'CreateContainerConfigError',
      message: 'secret "reservation-settings" not found',
    },
    {
      kind: 'missing_config_ref',
      params: { ref: 'key' },
      waiting: 'CreateContainerConfigError',
      message: "couldn't find key LOG_LEVEL in ConfigMap",
    },
    { kind: 'bad_image_rollout', params: {}, waiting: 'ImagePullBackOff', message: 'not found' },
  ])(
    '$kind $params: the new pod waits in $waiting, the old one serves; undoing the rollout clears it',
    (c) => {
      const ns = hotelReservation.defaultNamespace;
      const cluster = up(hotelReservation);
      const before = JSON.stringify(
        (cluster.store.peek(DEPLOYMENTS, ns, 'reservation') as unknown as Deployment).spec.template,
      );
      injectFault(cluster, ns, { kind: c.kind, target: 'reservation', params: c.params });
      cluster.advance(180_000);
      const all = pods(cluster, ns, 'reservation').filter(live);
      const stuck = all
        .flatMap((p) => p.status.containerStatuses ?? [])
        .find((s) => s.state.waiting?.reason === c.waiting);
      expect(stuck?.state.waiting?.message).toContain(c.message);
      expect(
        all.some((p) => p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')),
      ).toBe(true);

      patchDeployment(cluster, ns, 'reservation', (d) => {
        d.spec.template = JSON.parse(before) as Deployment['spec']['template'];
      });
      cluster.advance(240_000);
      expectHealthy(cluster, ns);
    },
  );
});
