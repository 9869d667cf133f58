/**
 * What lives inside a MongoDB container, out of the Kubernetes API's sight: its users and their roles (kept
 * on the data volume, so they outlive the pod) and the configuration the running mongod started with.
 *
 * The init script. AIOpsLab's hotel-reservation MongoDBs geo and rate create their users from an init script
 * (k8s-<owner>-mongo.sh, ConfigMap mongo-<owner>-script). In the simulator a mongo image that mounts such a
 * script runs it on every start (others only initialise a new data directory), and the script is idempotent:
 * it creates `root` (role root on admin) and `admin` (readWrite on <owner>-db) when missing and grants any
 * role they lack. So the documented mitigation for a revoked role or a dropped user is
 * `kubectl rollout restart deployment/mongodb-<owner>`: it stands in for AIOpsLab's
 * `kubectl exec <mongodb pod> -- /bin/bash /scripts/revoke-mitigate-admin-<owner>-mongo.sh` (there is no exec
 * here), and is an ordinary API call an oracle can make. Restarting the *client* (geo, rate) does not help.
 */
import { parse } from 'yaml';
import type { Container, Pod, PersistentVolumeClaim } from '../model.js';
import type { SimWorld } from '../runtime.js';
import { insideChanged } from './changes.js';
import { R, databaseName } from './topology.js';

export interface Role {
  role: string;
  db: string;
}

/** How a running mongod was started: `--auth`, and its TLS mode (from args or a mounted mongod.conf). */
export interface MongodConfig {
  auth: boolean;
  tlsMode: string;
}

/** What a client connecting as the apps' user gets: in, refused at the TLS layer, at SASL, or per command. */
export type MongoAccess = 'ok' | 'tls' | 'auth' | 'unauthorized';

/** The user the apps' services connect as (hotel-reservation's config: admin/admin). */
export const CLIENT_USER = 'admin';

interface Inside {
  /** By pod uid: the config each mongod started with. */
  started: Map<string, MongodConfig>;
  /** By data location (volume or pod): users and roles. */
  users: Map<string, Map<string, Role[]>>;
  /** By data location: the databases initialised on it. */
  initialised: Map<string, Set<string>>;
}

const insides = new WeakMap<SimWorld, Inside>();

function inside(world: SimWorld): Inside {
  let found = insides.get(world);
  if (!found) {
    found = { started: new Map(), users: new Map(), initialised: new Map() };
    insides.set(world, found);
  }
  return found;
}

/** Where the data lives: the PersistentVolume behind the pod's claim, else the pod itself (emptyDir). */
function dataKey(world: SimWorld, pod: Pod): string {
  for (const volume of pod.spec.volumes ?? []) {
    const claim = volume.persistentVolumeClaim?.claimName;
    if (!claim) continue;
    const pvc = world.store.peek(R.pvcs, pod.metadata.namespace, claim) as unknown as
      PersistentVolumeClaim | undefined;
    if (pvc?.spec.volumeName) return `pv/${pvc.spec.volumeName}`;
  }
  return `pod/${pod.metadata.uid}`;
}

function confFromConfigMaps(world: SimWorld, pod: Pod): string | undefined {
  for (const volume of pod.spec.volumes ?? []) {
    const name = volume.configMap?.name;
    if (!name) continue;
    const cm = world.store.peek(R.configmaps, pod.metadata.namespace, name);
    const data = (cm?.['data'] ?? {}) as Record<string, string>;
    for (const [key, value] of Object.entries(data)) {
      if (!key.endsWith('.conf')) continue;
      try {
        const conf = parse(value) as { net?: { tls?: { mode?: string }; ssl?: { mode?: string } } } | null;
        const mode = conf?.net?.tls?.mode ?? conf?.net?.ssl?.mode;
        if (mode) return mode;
      } catch {
        // An unparsable mongod.conf: mongod would refuse to start; the simulator just ignores it.
      }
    }
  }
  return undefined;
}

/** The configuration a mongod started now from this pod spec would run with. */
export function configFromSpec(world: SimWorld, pod: Pod, container: Container): MongodConfig {
  const args = [...(container.command ?? []), ...(container.args ?? [])];
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
  };
  const tlsMode = flag('--tlsMode') ?? flag('--sslMode') ?? confFromConfigMaps(world, pod) ?? 'disabled';
  return { auth: args.includes('--auth'), tlsMode: tlsMode === 'requireSSL' ? 'requireTLS' : tlsMode };
}

function initScript(users: Map<string, Role[]>, component: string): void {
  const ensure = (user: string, role: Role) => {
    const roles = users.get(user) ?? [];
    if (!roles.some((r) => r.role === role.role && r.db === role.db)) roles.push(role);
    users.set(user, roles);
  };
  ensure('root', { role: 'root', db: 'admin' });
  ensure(CLIENT_USER, { role: 'readWrite', db: databaseName(component) });
}

/** Whether the pod mounts a ConfigMap holding a script that creates database users (`createUser`). */
export function mountsUserScript(world: SimWorld, pod: Pod): boolean {
  return (pod.spec.volumes ?? []).some((volume) => {
    const name = volume.configMap?.name;
    const cm = name ? world.store.peek(R.configmaps, pod.metadata.namespace, name) : undefined;
    const data = (cm?.['data'] ?? {}) as Record<string, string>;
    return Object.entries(data).some(([key, text]) => /\.(sh|js)$/.test(key) && /createUser/.test(text));
  });
}

/**
 * A mongod starts in this pod: it records its config. A new data directory gets the apps' users (the image's
 * first-start initialisation); on a later start the users are put back only where the pod mounts an init
 * script that creates them (AIOpsLab's mongo-<owner>-script), the mechanism a restart fix relies on.
 */
export function mongodStarted(world: SimWorld, pod: Pod, container: Container, component: string): void {
  const state = inside(world);
  state.started.set(pod.metadata.uid, configFromSpec(world, pod, container));
  const key = dataKey(world, pod);
  const users = state.users.get(key) ?? new Map<string, Role[]>();
  // New for this database: an empty data directory, or a volume another database used before (a freed
  // volume re-bound to another claim after a redeploy) on which this one is initialised afresh.
  const fresh = !(state.initialised.get(key)?.has(component) ?? false);
  if (fresh || mountsUserScript(world, pod)) initScript(users, component);
  state.initialised.set(key, new Set([...(state.initialised.get(key) ?? []), component]));
  state.users.set(key, users);
}

/** What a client connecting as CLIENT_USER to `dbName` on this (running or about to run) mongod gets. */
export function mongoAccess(
  world: SimWorld,
  pod: Pod,
  container: Container,
  component: string,
  dbName: string,
): MongoAccess {
  const state = inside(world);
  const config = state.started.get(pod.metadata.uid) ?? configFromSpec(world, pod, container);
  if (config.tlsMode === 'requireTLS') return 'tls';
  if (!config.auth) return 'ok';
  let users = state.users.get(dataKey(world, pod));
  if (!state.started.has(pod.metadata.uid)) {
    // Not started yet: judge it as it will be once its init script ran.
    users = new Map([...(users ?? new Map<string, Role[]>())].map(([u, r]) => [u, [...r]]));
    initScript(users, component);
  }
  const roles = users?.get(CLIENT_USER);
  if (!roles) return 'auth';
  const allowed = roles.some(
    (r) =>
      (r.db === dbName && ['readWrite', 'dbOwner'].includes(r.role)) ||
      (r.db === 'admin' && ['root', 'readWriteAnyDatabase'].includes(r.role)),
  );
  return allowed ? 'ok' : 'unauthorized';
}

/** The users of the data a running mongod pod serves (a copy), for tests and observers. */
export function mongoUsers(world: SimWorld, pod: Pod): Map<string, Role[]> {
  const users = inside(world).users.get(dataKey(world, pod)) ?? new Map<string, Role[]>();
  return new Map([...users].map(([u, r]) => [u, [...r]]));
}

/** `db.revokeRolesFromUser(user, [{role, db}])` run inside the mongod of this pod. */
export function revokeRole(world: SimWorld, pod: Pod, user: string, role: Role): boolean {
  const roles = inside(world).users.get(dataKey(world, pod))?.get(user);
  if (!roles) return false;
  const kept = roles.filter((r) => !(r.role === role.role && r.db === role.db));
  roles.splice(0, roles.length, ...kept);
  insideChanged(world, pod.metadata.namespace ?? 'default');
  return true;
}

/** `db.createUser` / `db.grantRolesToUser(user, [role])` run inside the mongod of this pod: a person's fix. */
export function grantRole(world: SimWorld, pod: Pod, user: string, role: Role): void {
  const users = inside(world).users.get(dataKey(world, pod));
  if (!users) return;
  const roles = users.get(user) ?? [];
  if (!roles.some((r) => r.role === role.role && r.db === role.db)) roles.push(role);
  users.set(user, roles);
  insideChanged(world, pod.metadata.namespace ?? 'default');
}

/** `db.dropUser(user)` run inside the mongod of this pod. */
export function dropUser(world: SimWorld, pod: Pod, user: string): boolean {
  const dropped = inside(world).users.get(dataKey(world, pod))?.delete(user) ?? false;
  insideChanged(world, pod.metadata.namespace ?? 'default');
  return dropped;
}
