/**
 * MongoDB faults. revoke_auth and user_unregistered change the users inside the running mongod (see
 * mongo-state.ts) and then delete the client's pods, as AIOpsLab does, so the client reconnects and fails.
 * auth_miss makes mongod require TLS through its mongod.conf ConfigMap and restarts it.
 */
import { parse, stringify } from 'yaml';
import type { JsonObject } from '../api/json.js';
import type { Deployment, Pod } from '../model.js';
import { CLIENT_USER, dropUser, revokeRole } from './mongo-state.js';
import { R, databaseName, isPodReady } from './topology.js';
import type { Injector } from './util.js';
import {
  appIn,
  callersOf,
  componentOf,
  deletePods,
  faultError,
  patchDeployment,
  rolloutRestart,
  targetOf,
} from './util.js';

function mongoPods(cluster: Parameters<Injector>[0], namespace: string, target: string): Pod[] {
  const { app } = appIn(cluster, namespace);
  const pods = cluster.store
    .peekAll(R.pods, namespace)
    .map((p) => p as unknown as Pod)
    .filter((p) => p.metadata.labels?.[app.componentLabel] === target && isPodReady(p));
  if (pods.length === 0) throw faultError(`no running pod of ${target} to run the script in`);
  return pods;
}

/**
 * `db.revokeRolesFromUser('admin', [{role: 'readWrite', db: '<owner>-db'}])` inside mongodb-<owner>; the
 * client logs in but its first query is refused and it crash-loops. Fix: `kubectl rollout restart
 * deployment/<target>` (its init script grants the role again; see mongo-state.ts).
 */
export const revokeAuthMongodb: Injector = (cluster, namespace, fault) => {
  const target = targetOf(fault);
  for (const pod of mongoPods(cluster, namespace, target))
    revokeRole(cluster.world, pod, CLIENT_USER, { role: 'readWrite', db: databaseName(target) });
  for (const client of callersOf(cluster, namespace, target)) deletePods(cluster, namespace, client);
};

/**
 * `db.dropUser('admin')` inside mongodb-<owner>; the client's SASL login fails and it crash-loops, mongod
 * logs the failed authentications. Fix: `kubectl rollout restart deployment/<target>` (the init script
 * creates the user again).
 */
export const userUnregisteredMongodb: Injector = (cluster, namespace, fault) => {
  const target = targetOf(fault);
  for (const pod of mongoPods(cluster, namespace, target)) dropUser(cluster.world, pod, CLIENT_USER);
  for (const client of callersOf(cluster, namespace, target)) deletePods(cluster, namespace, client);
};

/** How long after restarting mongod the clients' pods are deleted (the rollout is done by then). */
const CLIENT_RESTART_AFTER_MS = 10_000;

const TLS = { mode: 'requireTLS', certificateKeyFile: '/etc/tls/tls.pem', CAFile: '/etc/tls/ca.crt' };

/** The ConfigMap (and key) holding the target's mongod.conf, as its pod template mounts it. */
function mongodConf(deploy: Deployment, cluster: Parameters<Injector>[0], namespace: string) {
  for (const volume of deploy.spec.template.spec.volumes ?? []) {
    const name = volume.configMap?.name;
    const cm = name ? cluster.store.peek(R.configmaps, namespace, name) : undefined;
    const key = Object.keys((cm?.['data'] ?? {}) as Record<string, string>).find((k) => k.endsWith('.conf'));
    if (name && key) return { name, key };
  }
  return undefined;
}

/**
 * A helm upgrade sets `net.tls.mode: requireTLS` in the target's mongod.conf and restarts it; clients that
 * speak plain TCP are turned away (social-network's url-shorten-service keeps logging "Failed to create
 * mongodb index, try again" without serving). A MongoDB without a mongod.conf ConfigMap gets one, mounted.
 * Fix: set the TLS mode back to disabled in that ConfigMap and restart the rollout (or undo the rollout
 * when the mount was new).
 */
export const authMissMongodb: Injector = (cluster, namespace, fault) => {
  const target = targetOf(fault);
  const deploy = cluster.store.peek(R.deployments, namespace, target) as unknown as Deployment | undefined;
  if (!deploy) throw faultError(`deployment ${namespace}/${target} not found`);
  const existing = mongodConf(deploy, cluster, namespace);
  if (existing) {
    cluster.store.mutate(R.configmaps, namespace, existing.name, (cm) => {
      const data = cm['data'] as Record<string, string>;
      const conf = (parse(data[existing.key] ?? '') ?? {}) as { net?: Record<string, unknown> };
      conf.net = { ...(conf.net ?? {}), tls: TLS };
      data[existing.key] = stringify(conf);
    });
    rolloutRestart(cluster, namespace, target);
  } else {
    const name = `${target}-config`;
    const cm: JsonObject = {
      metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'Helm' } },
      data: { 'mongod.conf': stringify({ net: { tls: TLS } }) },
    };
    if (cluster.store.peek(R.configmaps, namespace, name))
      cluster.store.remove(R.configmaps, namespace, name);
    cluster.store.create(R.configmaps, cm);
    const containerName = componentOf(cluster, namespace, target).containerName;
    patchDeployment(cluster, namespace, target, (d) => {
      const spec = d.spec.template.spec;
      spec.volumes = [...(spec.volumes ?? []), { name: 'mongod-conf', configMap: { name } }];
      const c = spec.containers.find((x) => x.name === containerName);
      if (!c) return;
      c.volumeMounts = [...(c.volumeMounts ?? []), { name: 'mongod-conf', mountPath: '/etc/mongod' }];
      c.args = [...(c.args ?? []), '--config', '/etc/mongod/mongod.conf'];
    });
  }
  // Once the restarted mongod serves, the clients' pods are recreated and connect to it.
  cluster.clock.after(CLIENT_RESTART_AFTER_MS, () => {
    for (const client of callersOf(cluster, namespace, target)) deletePods(cluster, namespace, client);
  });
};
