import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { ApiException } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SimCluster } from '../../aiopslab-harness/sim/cluster.js';
import { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import { tinyApp } from './fixtures.js';

let server: SimServer;

function client(role: 'observer' | 'executor' | 'admin') {
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(
    { name: 'sim', server: server.url, skipTLSVerify: true },
    { name: `sim-${role}`, token: server.tokens[role] },
  );
  return { core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api), kc };
}

/** The Kubernetes Status an ApiException carries (client-node 1.x keeps the body as a string). */
async function statusOf(
  promise: Promise<unknown>,
): Promise<{ code: number; reason: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = JSON.parse(String(error.body)) as { reason: string; message: string; code: number };
    expect(body.code).toBe(error.code);
    return { code: error.code, reason: body.reason, message: body.message };
  }
  throw new Error('expected the request to fail');
}

beforeAll(async () => {
  const cluster = new SimCluster({ seed: 3 });
  cluster.deployApp(tinyApp);
  cluster.settle();
  server = await SimServer.start({ cluster });
});

afterAll(async () => server.close());

describe('@kubernetes/client-node against the simulated API server', () => {
  it('lists pods with a label selector and reads one back', async () => {
    const { core } = client('observer');
    const list = await core.listNamespacedPod({ namespace: 'tiny', labelSelector: 'app=web' });
    expect(list.items).toHaveLength(2);
    const name = list.items[0]!.metadata!.name!;
    const pod = await core.readNamespacedPod({ name, namespace: 'tiny' });
    expect(pod.status?.phase).toBe('Running');
    expect(pod.metadata?.resourceVersion).toMatch(/^\d+$/);
  });

  it('pages through a list with limit and continue', async () => {
    const { core } = client('observer');
    const first = await core.listPodForAllNamespaces({ limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.metadata?._continue).toBeTruthy();
    const rest = await core.listPodForAllNamespaces({ limit: 10, _continue: first.metadata!._continue! });
    const names = [...first.items, ...rest.items].map((p) => p.metadata!.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(3);
  });

  it('reads pod logs with tailLines', async () => {
    const { core } = client('observer');
    const pod = (await core.listNamespacedPod({ namespace: 'tiny', labelSelector: 'app=web' })).items[0]!;
    const log = await core.readNamespacedPodLog({
      name: pod.metadata!.name!,
      namespace: 'tiny',
      tailLines: 1,
    });
    expect(log.trim().split('\n')).toHaveLength(1);
  });

  it('answers 404 NotFound, 403 Forbidden and 409 AlreadyExists as Status objects', async () => {
    const observer = client('observer');
    const executor = client('executor');
    expect(await statusOf(observer.core.readNamespacedPod({ name: 'nope', namespace: 'tiny' }))).toEqual({
      code: 404,
      reason: 'NotFound',
      message: 'pods "nope" not found',
    });
    const forbidden = await statusOf(
      observer.apps.patchNamespacedDeployment(
        { name: 'web', namespace: 'tiny', body: { spec: { replicas: 5 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(forbidden.code).toBe(403);
    expect(forbidden.reason).toBe('Forbidden');
    expect(server.writesBy('observer').every((e) => e.status === 403)).toBe(true);
    const exists = await statusOf(
      executor.core
        .createNamespacedConfigMap({ namespace: 'tiny', body: { metadata: { name: 'dup' } } })
        .then(() =>
          executor.core.createNamespacedConfigMap({ namespace: 'tiny', body: { metadata: { name: 'dup' } } }),
        ),
    );
    expect(exists).toEqual({
      code: 409,
      reason: 'AlreadyExists',
      message: 'configmaps "dup" already exists',
    });
  });

  it('answers 422 Invalid for a negative replica count', async () => {
    const { apps } = client('executor');
    const invalid = await statusOf(
      apps.patchNamespacedDeployment(
        { name: 'web', namespace: 'tiny', body: { spec: { replicas: -1 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(invalid.code).toBe(422);
    expect(invalid.message).toContain('spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  });

  it('detects a stale resourceVersion on replace with 409 Conflict', async () => {
    const { apps } = client('executor');
    const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: 'tiny' });
    await apps.replaceNamespacedDeploymentScale({
      name: 'web',
      namespace: 'tiny',
      body: { ...scale, spec: { replicas: 3 } },
    });
    const conflict = await statusOf(
      apps.replaceNamespacedDeploymentScale({
        name: 'web',
        namespace: 'tiny',
        body: { ...scale, spec: { replicas: 4 } },
      }),
    );
    expect(conflict.code).toBe(409);
    expect(conflict.reason).toBe('Conflict');
  });

  it('dry-runs a patch without changing anything', async () => {
    const { apps } = client('executor');
    const before = await apps.readNamespacedDeployment({ name: 'web', namespace: 'tiny' });
    const dry = await apps.patchNamespacedDeployment(
      { name: 'web', namespace: 'tiny', body: { spec: { replicas: 7 } }, dryRun: 'All' },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(dry.spec?.replicas).toBe(7);
    const after = await apps.readNamespacedDeployment({ name: 'web', namespace: 'tiny' });
    expect(after.spec?.replicas).toBe(before.spec?.replicas);
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  it('applies JSON Patch (the client default) to a service', async () => {
    const { core } = client('executor');
    const svc = await core.patchNamespacedService({
      name: 'web',
      namespace: 'tiny',
      body: [{ op: 'replace', path: '/spec/ports/0/targetPort', value: 9999 }],
    });
    expect(svc.spec?.ports?.[0]?.targetPort).toBe(9999);
    const ep = await core.readNamespacedEndpoints({ name: 'web', namespace: 'tiny' });
    expect(ep.subsets?.[0]?.ports?.[0]?.port).toBe(9999);
  });

  it('watches pods: a deletion shows up as MODIFIED then DELETED', async () => {
    const { core, kc } = client('executor');
    const seen: string[] = [];
    const list = await core.listNamespacedPod({ namespace: 'tiny', labelSelector: 'app=web' });
    const victim = list.items[0]!.metadata!.name!;
    const controller = await new Watch(kc).watch(
      '/api/v1/namespaces/tiny/pods',
      { resourceVersion: list.metadata!.resourceVersion! },
      (type, obj: { metadata: { name: string } }) => {
        if (obj.metadata.name === victim) seen.push(type);
      },
      () => undefined,
    );
    await core.deleteNamespacedPod({ name: victim, namespace: 'tiny' });
    server.cluster.advance(3000);
    await vi.waitFor(() => expect(seen).toContain('DELETED'));
    expect(seen[0]).toBe('MODIFIED');
    controller.abort();
  });
});
