import { request } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { manifestFaultLeft } from '../../../aiopslab-harness/bench/fault-undone.js';
import { text } from '../../../aiopslab-harness/sim/api/json.js';
import { resourceByKind } from '../../../aiopslab-harness/sim/api/resources.js';
import { astronomyShop } from '../../../aiopslab-harness/sim/apps/astronomy-shop.js';
import { hotelReservation } from '../../../aiopslab-harness/sim/apps/hotel-reservation.js';
import { socialNetwork } from '../../../aiopslab-harness/sim/apps/social-network.js';
import { injectFault } from '../../../aiopslab-harness/sim/faults/index.js';
import type { Deployment } from '../../../aiopslab-harness/sim/model.js';
import { SimServer } from '../../../aiopslab-harness/sim/server/http.js';
import {
  DEPLOYMENTS,
  component,
  events,
  expectHealthy,
  health,
  patchDeployment,
  pods,
  rolloutRestart,
  up,
} from './helpers.js';

const QUOTAS = resourceByKind('ResourceQuota');
const LIMIT_RANGES = resourceByKind('LimitRange');
const STATEFULSETS = resourceByKind('StatefulSet');
const HOTEL = hotelReservation.defaultNamespace;
const SOCIAL = socialNetwork.defaultNamespace;
const ASTRO = astronomyShop.defaultNamespace;

const live = (p: { metadata: { deletionTimestamp?: string } }) => !p.metadata.deletionTimestamp;
const messages = (cluster: ReturnType<typeof up>, ns: string) =>
  events(cluster, ns, 'FailedCreate').map((e) => text(e['message']));
const conditions = (cluster: ReturnType<typeof up>, ns: string, name: string) =>
  (cluster.store.peek(DEPLOYMENTS, ns, name)!['status'] as { conditions?: Record<string, string>[] })
    .conditions ?? [];

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('resource_quota_exceeded', () => {
  it('a quota lowered below what the namespace runs refuses the deleted pods’ replacements; raising it brings them back', () => {
    const cluster = up(hotelReservation);
    const before = pods(cluster, HOTEL).filter(live).length;
    injectFault(cluster, HOTEL, { kind: 'resource_quota_exceeded', target: 'geo' });
    cluster.advance(120_000);
    expect(pods(cluster, HOTEL, 'geo').filter(live)).toEqual([]);
    const quota = cluster.store.peek(QUOTAS, HOTEL, 'compute-quota')!;
    expect(quota['status']).toEqual({
      hard: { pods: String(before - 1) },
      used: { pods: String(before - 1) },
    });
    const refused = messages(cluster, HOTEL);
    expect(refused).toContainEqual(
      expect.stringMatching(
        `^Error creating: pods "geo-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: compute-quota, ` +
          `requested: pods=1, used: pods=${before - 1}, limited: pods=${before - 1}$`,
      ),
    );
    // The aggregator folds the 10th and later distinct messages into one event.
    expect(
      refused.some((m) => m.startsWith('(combined from similar events): Error creating: pods "geo-')),
    ).toBe(true);
    const event = events(cluster, HOTEL, 'FailedCreate')[0]!;
    expect(event['involvedObject']).toMatchObject({ kind: 'ReplicaSet', apiVersion: 'apps/v1' });
    expect(event['source']).toEqual({ component: 'replicaset-controller' });
    expect(conditions(cluster, HOTEL, 'geo').find((c) => c['type'] === 'ReplicaFailure')).toMatchObject({
      status: 'True',
      reason: 'FailedCreate',
    });
    expect(component(health(cluster, HOTEL), 'geo').ready).toBe(0);

    // Restarting it changes nothing: every new pod is refused the same way.
    rolloutRestart(cluster, HOTEL, 'geo');
    cluster.advance(60_000);
    expect(pods(cluster, HOTEL, 'geo').filter(live)).toEqual([]);

    // The namespace's owner raises the quota; the ReplicaSet's next retry (at most 1000 s away) creates it.
    cluster.store.mutate(QUOTAS, HOTEL, 'compute-quota', (q) => {
      q['spec'] = { hard: { pods: String(before + 5) } };
    });
    cluster.advance(1_100_000);
    expectHealthy(cluster, HOTEL);
    expect(conditions(cluster, HOTEL, 'geo').some((c) => c['type'] === 'ReplicaFailure')).toBe(false);
    expect((cluster.store.peek(QUOTAS, HOTEL, 'compute-quota')!['status'] as { used: unknown }).used).toEqual(
      {
        pods: String(before),
      },
    );
  });

  it('a rollout that doubles a memory limit past the quota’s room stalls with the old pod serving; rolling back clears it', () => {
    const cluster = up(astronomyShop);
    const template = JSON.stringify(
      (cluster.store.peek(DEPLOYMENTS, ASTRO, 'cart') as unknown as Deployment).spec.template,
    );
    injectFault(cluster, ASTRO, {
      kind: 'resource_quota_exceeded',
      target: 'cart',
      params: { resource: 'limits.memory', trigger: 'rollout' },
    });
    cluster.advance(120_000);
    expect(messages(cluster, ASTRO)[0]).toMatch(
      /^Error creating: pods "cart-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: compute-quota, requested: limits\.memory=320Mi, used: limits\.memory=\d+Mi, limited: limits\.memory=\d+Mi$/,
    );
    expect(component(health(cluster, ASTRO), 'cart').ready).toBe(1);
    expect(manifestFaultLeft(cluster, ASTRO, 'resource_quota_exceeded', 'cart')).toEqual([
      expect.stringContaining('exceeded quota: compute-quota, requested: limits.memory=320Mi'),
    ]);
    patchDeployment(cluster, ASTRO, 'cart', (d) => {
      d.spec.template = JSON.parse(template) as Deployment['spec']['template'];
    });
    const seen = messages(cluster, ASTRO).length;
    cluster.advance(1_100_000);
    expect(messages(cluster, ASTRO).length).toBe(seen);
    expect(conditions(cluster, ASTRO, 'cart').some((c) => c['type'] === 'ReplicaFailure')).toBe(false);
    expect(manifestFaultLeft(cluster, ASTRO, 'resource_quota_exceeded', 'cart')).toEqual([]);
    expectHealthy(cluster, ASTRO);
  });

  it('the API server refuses a direct pod create with 403 Forbidden and the same words', async () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, HOTEL, { kind: 'resource_quota_exceeded', target: 'geo' });
    cluster.advance(10_000);
    server = await SimServer.start({ cluster });
    const body = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'debug' },
      spec: { containers: [{ name: 'sh', image: 'busybox:1.36' }] },
    });
    const reply = await post(server, `/api/v1/namespaces/${HOTEL}/pods`, body);
    expect(reply.status).toBe(403);
    const used = String(pods(cluster, HOTEL).filter(live).length);
    expect(reply.json).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
      details: { name: 'debug', kind: 'pods' },
      message: `pods "debug" is forbidden: exceeded quota: compute-quota, requested: pods=1, used: pods=${used}, limited: pods=${used}`,
    });
  });

  it('a StatefulSet’s refused pod is a FailedCreate on the StatefulSet in its controller’s words', () => {
    const cluster = up(socialNetwork);
    const used = pods(cluster, SOCIAL).filter(live).length;
    cluster.store.create(QUOTAS, {
      metadata: { name: 'pod-count', namespace: SOCIAL },
      spec: { hard: { pods: String(used) } },
    });
    cluster.store.create(STATEFULSETS, {
      metadata: { name: 'cache', namespace: SOCIAL },
      spec: {
        replicas: 1,
        serviceName: 'cache',
        selector: { matchLabels: { app: 'cache' } },
        template: {
          metadata: { labels: { app: 'cache' } },
          spec: { containers: [{ name: 'redis', image: 'redis:7' }] },
        },
      },
    });
    cluster.advance(30_000);
    expect(messages(cluster, SOCIAL)).toContain(
      `create Pod cache-0 in StatefulSet cache failed error: pods "cache-0" is forbidden: exceeded quota: pod-count, requested: pods=1, used: pods=${used}, limited: pods=${used}`,
    );
    const event = events(cluster, SOCIAL, 'FailedCreate')[0]!;
    expect(event['involvedObject']).toMatchObject({ kind: 'StatefulSet', name: 'cache' });
    expect(Number(event['count'])).toBeGreaterThan(1);
  });
});

describe('limit_range_violation', () => {
  it('a LimitRange capping memory below a workload’s limit refuses its recreated pods; lowering the limit to fit fixes it', () => {
    const cluster = up(astronomyShop);
    injectFault(cluster, ASTRO, { kind: 'limit_range_violation', target: 'ad' });
    cluster.advance(120_000);
    expect(pods(cluster, ASTRO, 'ad').filter(live)).toEqual([]);
    expect(messages(cluster, ASTRO)[0]).toMatch(
      /^Error creating: pods "ad-[a-z0-9]+-[a-z0-9]{5}" is forbidden: maximum memory usage per Container is 150Mi, but limit is 300Mi$/,
    );
    expect(cluster.store.peek(LIMIT_RANGES, ASTRO, 'container-limits')).toBeDefined();
    rolloutRestart(cluster, ASTRO, 'ad');
    cluster.advance(60_000);
    expect(pods(cluster, ASTRO, 'ad').filter(live)).toEqual([]);
    // A person raises the range (the workload's limit is its working set's ceiling: lowering it would OOM).
    cluster.store.mutate(LIMIT_RANGES, ASTRO, 'container-limits', (lr) => {
      lr['spec'] = { limits: [{ type: 'Container', max: { memory: '1Gi' } }] };
    });
    cluster.advance(1_100_000);
    expectHealthy(cluster, ASTRO);
  });

  it('a rollout setting a limit above the range’s max stalls with the old pod serving; rolling back clears it', () => {
    const cluster = up(socialNetwork);
    const template = JSON.stringify(
      (cluster.store.peek(DEPLOYMENTS, SOCIAL, 'user-service') as unknown as Deployment).spec.template,
    );
    injectFault(cluster, SOCIAL, {
      kind: 'limit_range_violation',
      target: 'user-service',
      params: { trigger: 'rollout' },
    });
    cluster.advance(120_000);
    expect(messages(cluster, SOCIAL)[0]).toMatch(
      /^Error creating: pods "user-service-[a-z0-9]+-[a-z0-9]{5}" is forbidden: maximum memory usage per Container is 512Mi, but limit is 1Gi$/,
    );
    expect(component(health(cluster, SOCIAL), 'user-service').ready).toBe(1);
    // The strict mitigation check sees the fault left while the template is refused, although pods serve.
    expect(manifestFaultLeft(cluster, SOCIAL, 'limit_range_violation', 'user-service')).toEqual([
      expect.stringContaining('maximum memory usage per Container is 512Mi, but limit is 1Gi'),
    ]);
    patchDeployment(cluster, SOCIAL, 'user-service', (d) => {
      d.spec.template = JSON.parse(template) as Deployment['spec']['template'];
    });
    cluster.advance(240_000);
    expectHealthy(cluster, SOCIAL);
    expect(manifestFaultLeft(cluster, SOCIAL, 'limit_range_violation', 'user-service')).toEqual([]);
    expect(conditions(cluster, SOCIAL, 'user-service').some((c) => c['type'] === 'ReplicaFailure')).toBe(
      false,
    );
  });
});

function post(
  s: SimServer,
  path: string,
  body: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${s.url}${path}`,
      {
        method: 'POST',
        ca: s.caPem,
        headers: { Authorization: `Bearer ${s.tokens.admin}`, 'Content-Type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
