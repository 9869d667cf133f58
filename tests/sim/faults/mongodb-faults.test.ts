import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { hotelReservation } from '../../../aiopslab-harness/sim/apps/hotel-reservation.js';
import { socialNetwork } from '../../../aiopslab-harness/sim/apps/social-network.js';
import { injectFault } from '../../../aiopslab-harness/sim/faults/index.js';
import { mongoUsers } from '../../../aiopslab-harness/sim/faults/mongo-state.js';
import {
  CONFIGMAPS,
  component,
  deletePods,
  edge,
  expectHealthy,
  health,
  logs,
  patchDeployment,
  pods,
  restarts,
  rolloutRestart,
  trouble,
  up,
} from './helpers.js';

const HOTEL = hotelReservation.defaultNamespace;
const SOCIAL = socialNetwork.defaultNamespace;
/** Long enough for a crash-looping client's back-off to come round once the database is fixed. */
const RECOVERY_MS = 6 * 60_000;

describe.each([
  { db: 'mongodb-geo', client: 'geo' },
  { db: 'mongodb-rate', client: 'rate' },
])('MongoDB user faults on $db', ({ db, client }) => {
  it('revoke_auth_mongodb: the client logs in, is refused its first query, and crash-loops', () => {
    const cluster = up(hotelReservation);
    const dbPod = pods(cluster, HOTEL, db)[0]!;
    expect(mongoUsers(cluster.world, dbPod).get('admin')).toEqual([
      { role: 'readWrite', db: `${client}-db` },
    ]);
    injectFault(cluster, HOTEL, { kind: 'revoke_auth_mongodb', target: db });
    cluster.advance(180_000);
    expect(mongoUsers(cluster.world, dbPod).get('admin')).toEqual([]);
    const [pod] = pods(cluster, HOTEL, client);
    expect(restarts(pod)).toBeGreaterThanOrEqual(3);
    expect(trouble(cluster, HOTEL).failing).toEqual([pod!.metadata.name]);
    const out = logs(cluster, HOTEL, client);
    expect(out).toContain('New session successfull');
    expect(out).toContain(`FTL cmd/${client}/db.go:45 > not authorized on ${client}-db to execute command`);
    // The database itself stays healthy, and says why it refused.
    expect(restarts(pods(cluster, HOTEL, db)[0])).toBe(0);
    expect(component(health(cluster, HOTEL), db)).toMatchObject({ ready: 1, reachable: true, errorRate: 0 });
    expect(logs(cluster, HOTEL, db, { sinceSeconds: 120 })).toContain('"codeName":"Unauthorized"');
    expect(edge(health(cluster, HOTEL), 'search', client).ok).toBe(false);
    expect(logs(cluster, HOTEL, 'frontend', { sinceSeconds: 120 })).toContain('rpc error');
    // Wrong: restarting the client.
    rolloutRestart(cluster, HOTEL, client);
    cluster.advance(60_000);
    expect(trouble(cluster, HOTEL).failing).toHaveLength(1);
    // Right: restart the database, whose init script grants the role again.
    rolloutRestart(cluster, HOTEL, db);
    cluster.advance(RECOVERY_MS);
    expectHealthy(cluster, HOTEL);
  });

  it('user_unregistered_mongodb: SASL authentication fails at connect, the client panics', () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, HOTEL, { kind: 'user_unregistered_mongodb', target: db });
    cluster.advance(180_000);
    expect(mongoUsers(cluster.world, pods(cluster, HOTEL, db)[0]!).has('admin')).toBe(false);
    expect(trouble(cluster, HOTEL).failing).toHaveLength(1);
    const out = logs(cluster, HOTEL, client);
    expect(out).toContain(
      `PNC cmd/${client}/db.go:26 > server returned error on SASL authentication step: Authentication failed.`,
    );
    expect(out).toContain('panic: server returned error on SASL authentication step');
    const dbLog = logs(cluster, HOTEL, db, { sinceSeconds: 120 });
    expect(dbLog).toContain('"msg":"Authentication failed"');
    expect(dbLog).toContain('UserNotFound: Could not find user \\"admin\\" for db \\"admin\\"');
    expect(restarts(pods(cluster, HOTEL, db)[0])).toBe(0);
    deletePods(cluster, HOTEL, client);
    cluster.advance(60_000);
    expect(trouble(cluster, HOTEL).failing).toHaveLength(1);
    rolloutRestart(cluster, HOTEL, db);
    cluster.advance(RECOVERY_MS);
    expectHealthy(cluster, HOTEL);
  });
});

describe('auth_miss_mongodb', () => {
  it('social-network: url-shorten-mongodb requires TLS; url-shorten-service runs but never serves', () => {
    const cluster = up(socialNetwork);
    injectFault(cluster, SOCIAL, { kind: 'auth_miss_mongodb', target: 'url-shorten-mongodb' });
    cluster.advance(120_000);
    const conf = (
      cluster.store.peek(CONFIGMAPS, SOCIAL, 'url-shorten-mongodb')!['data'] as Record<string, string>
    )['mongod.conf']!;
    expect(parse(conf)).toMatchObject({ net: { tls: { mode: 'requireTLS' } } });
    expect(trouble(cluster, SOCIAL)).toEqual({ pending: [], failing: [] });
    expect(pods(cluster, SOCIAL, 'url-shorten-service').map((p) => p.status.phase)).toEqual(['Running']);
    expect(logs(cluster, SOCIAL, 'url-shorten-service')).toContain(
      'Failed to create mongodb index, try again',
    );
    expect(logs(cluster, SOCIAL, 'url-shorten-mongodb')).toContain('SSLHandshakeFailed');
    const h = health(cluster, SOCIAL);
    expect(component(h, 'url-shorten-service')).toMatchObject({ ready: 1, reachable: false });
    expect(edge(h, 'text-service', 'url-shorten-service').error).toBe(
      'TSocket::open() connect() <Host: url-shorten-service Port: 9090>: Connection refused',
    );
    expect(component(h, 'compose-post-service').errorRate).toBe(1);
    // Wrong: restarting the client does not change what the server demands.
    rolloutRestart(cluster, SOCIAL, 'url-shorten-service');
    cluster.advance(60_000);
    expect(component(health(cluster, SOCIAL), 'url-shorten-service').reachable).toBe(false);
    // Right: TLS back to disabled in mongod.conf, and restart mongod to read it.
    cluster.store.mutate(CONFIGMAPS, SOCIAL, 'url-shorten-mongodb', (cm) => {
      (cm['data'] as Record<string, string>)['mongod.conf'] = stringify({
        net: { tls: { mode: 'disabled' } },
      });
    });
    cluster.reconcile();
    cluster.advance(30_000);
    expect(component(health(cluster, SOCIAL), 'url-shorten-service').reachable).toBe(false);
    rolloutRestart(cluster, SOCIAL, 'url-shorten-mongodb');
    cluster.advance(60_000);
    expectHealthy(cluster, SOCIAL);
  });

  it('hotel-reservation: mongodb-geo gets a TLS mongod.conf mounted; geo crash-loops until it is removed', () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, HOTEL, { kind: 'auth_miss_mongodb', target: 'mongodb-geo' });
    cluster.advance(180_000);
    expect(trouble(cluster, HOTEL).failing).toHaveLength(1);
    expect(logs(cluster, HOTEL, 'geo')).toContain('panic: no reachable servers');
    patchDeployment(cluster, HOTEL, 'mongodb-geo', (d) => {
      const spec = d.spec.template.spec;
      spec.volumes = (spec.volumes ?? []).filter((v) => v.name !== 'mongod-conf');
      const c = spec.containers[0]!;
      c.volumeMounts = (c.volumeMounts ?? []).filter((m) => m.name !== 'mongod-conf');
      c.args = ['--auth'];
    });
    cluster.advance(RECOVERY_MS);
    expectHealthy(cluster, HOTEL);
  });
});
