import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { clusterIdentity, sameServer, tokenSubject } from '../../src/executor/cluster-identity.js';

const jwt = (claims: object) =>
  ['{"alg":"RS256"}', JSON.stringify(claims), 'signature']
    .map((part, i) => (i < 2 ? Buffer.from(part).toString('base64url') : part))
    .join('.');

function kubeconfig(token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'prod', server: 'https://api.prod.example:6443' }],
    users: [{ name: 'ops-user', token }],
    contexts: [{ name: 'prod-ops', cluster: 'prod', user: 'ops-user' }],
    currentContext: 'prod-ops',
  });
  return kc;
}

describe('clusterIdentity', () => {
  it("names the server, the context and a service account's token subject", () => {
    const token = jwt({ sub: 'system:serviceaccount:aoi:aoi-executor', iss: 'kubernetes' });
    expect(clusterIdentity(kubeconfig(token))).toEqual({
      server: 'https://api.prod.example:6443',
      context: 'prod-ops',
      identity: 'system:serviceaccount:aoi:aoi-executor',
    });
  });

  it('falls back to the kubeconfig user name for an opaque token, and never returns the token', () => {
    const identity = clusterIdentity(kubeconfig('opaque-secret-token'));
    expect(identity.identity).toBe('ops-user');
    expect(JSON.stringify(identity)).not.toContain('opaque-secret-token');
    expect(tokenSubject('a.b')).toBeUndefined();
    expect(tokenSubject(`x.${Buffer.from('not json').toString('base64url')}.y`)).toBeUndefined();
    expect(tokenSubject(jwt({ sub: 42 }))).toBeUndefined();
  });
});

describe('sameServer', () => {
  it('ignores case, the default port and a trailing slash, but not another host or port', () => {
    expect(sameServer('https://API.example:443/', 'https://api.example')).toBe(true);
    expect(sameServer('https://api.example:6443', 'https://api.example:6444')).toBe(false);
    expect(sameServer('https://127.0.0.1:40001', 'https://127.0.0.1:40002')).toBe(false);
  });
});
