/**
 * Which cluster and identity the executor's kubeconfig context writes to, for the audit log and for
 * `aoi rollback`'s same-cluster check. Read from the kubeconfig only: no request is made.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { AuditTarget } from '../core/audit.js';

export function clusterIdentity(kc: KubeConfig): AuditTarget {
  const user = kc.getCurrentUser();
  return {
    server: kc.getCurrentCluster()?.server ?? 'unknown',
    context: kc.getCurrentContext(),
    identity: tokenSubject(user?.token) ?? user?.name ?? 'unknown',
  };
}

/**
 * A service-account token is a JWT whose `sub` is the name the API server knows it by
 * (system:serviceaccount:NS:NAME). Only that claim is read, and the token goes nowhere.
 */
export function tokenSubject(token: string | undefined): string | undefined {
  const payload = token?.split('.')[1];
  if (token?.split('.').length !== 3 || payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    const sub = (claims as { sub?: unknown } | null)?.sub;
    return typeof sub === 'string' && sub.length > 0 ? sub : undefined;
  } catch {
    return undefined;
  }
}

/** The same API server: URLs compared after normalising (case, default port, trailing slash). */
export function sameServer(a: string, b: string): boolean {
  return normalise(a) === normalise(b);
}

function normalise(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return url.trim();
  }
}
