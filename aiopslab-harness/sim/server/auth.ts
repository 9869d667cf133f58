import { randomBytes } from 'node:crypto';

/**
 * `nobody` authenticates but may read nothing, as a ServiceAccount with no RoleBinding: what a user sees when
 * the observer's RBAC was never applied (issue 14: "could not look" must be an error, never "healthy").
 */
export type Role = 'observer' | 'executor' | 'admin' | 'nobody';

export interface Identity {
  role: Role;
  /** The user name RBAC messages show, as a service account would appear. */
  user: string;
}

export interface Tokens {
  observer: string;
  executor: string;
  admin: string;
  nobody: string;
}

export const USERS: Record<Role, string> = {
  observer: 'system:serviceaccount:aoi-system:aoi-observer',
  executor: 'system:serviceaccount:aoi-system:aoi-executor',
  admin: 'kubernetes-admin',
  nobody: 'system:serviceaccount:aoi-system:aoi-nobody',
};

export function generateTokens(): Tokens {
  const token = (role: string) => `aoi-${role}.${randomBytes(24).toString('hex')}`;
  return {
    observer: token('observer'),
    executor: token('executor'),
    admin: token('admin'),
    nobody: token('nobody'),
  };
}

export function authenticate(header: string | undefined, tokens: Tokens): Identity | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match) return undefined;
  for (const role of ['observer', 'executor', 'admin', 'nobody'] as const) {
    if (tokens[role] === match[1]) return { role, user: USERS[role] };
  }
  return undefined;
}

export interface Access {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
}

const READ_VERBS = new Set(['get', 'list', 'watch']);
/** What the executor may change: workloads, pods, services, config and volumes; never nodes, namespaces, secrets or RBAC. */
const EXECUTOR_WRITABLE = new Set([
  'pods',
  'services',
  'configmaps',
  'persistentvolumeclaims',
  // Freeing a Released volume (removing its claimRef) is the fix for claims left Pending by a redeploy.
  'persistentvolumes',
  'apps/deployments',
  'apps/replicasets',
  'apps/statefulsets',
]);
const EXECUTOR_VERBS = new Set(['create', 'update', 'patch', 'delete']);

/**
 * The RBAC the simulated cluster enforces, mirroring the roles `aoi rbac` prints: the observer reads
 * everything (Secrets as metadata only, exec and port-forward never, Services' proxy with GET only); the
 * executor also changes the workload objects above, one at a time (no deletecollection); `nobody` nothing.
 * `observerDenied` takes resources (plural, e.g. `events`) out of the observer's reads, as a Role that omits
 * them would: a look that reads only part of the cluster.
 */
export function authorize(
  identity: Identity,
  access: Access,
  observerDenied: ReadonlySet<string> = new Set(),
): boolean {
  if (identity.role === 'admin') return true;
  if (identity.role === 'nobody') return false;
  if (identity.role === 'observer' && observerDenied.has(access.resource)) return false;
  const sub = access.subresource;
  // The observer reads telemetry through the service proxy (RBAC: `get` on `services/proxy`), nothing more.
  if (sub === 'proxy')
    return identity.role === 'observer' && access.resource === 'services' && access.verb === 'get';
  if (sub === 'exec' || sub === 'attach' || sub === 'portforward') return false;
  if (READ_VERBS.has(access.verb)) return true;
  if (identity.role !== 'executor' || !EXECUTOR_VERBS.has(access.verb)) return false;
  if (sub && sub !== 'scale' && sub !== 'status') return false;
  if (sub === 'status') return false;
  const key = access.group ? `${access.group}/${access.resource}` : access.resource;
  return EXECUTOR_WRITABLE.has(key);
}

/** Prometheus and Jaeger on the API server's own port: any identity with some RBAC, never `nobody`. */
export function mayReadTelemetry(identity: Identity): boolean {
  return identity.role !== 'nobody';
}

/**
 * Secrets are shown without their data to anyone but the admin, except `kubernetes.io/tls` ones to the
 * observer: the cluster grants it the opt-in certificate check (README, "Certificates"), whose `list secrets`
 * real RBAC cannot narrow to one type; the simulator narrows it so that other Secrets stay unseen in tests.
 * The observer keeps only each certificate's public facts (src/observer/certificates.ts).
 */
export function redactsSecretData(identity: Identity, secretType?: unknown): boolean {
  if (identity.role === 'observer' && secretType === 'kubernetes.io/tls') return false;
  return identity.role !== 'admin';
}
