import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimCluster } from '../../aiopslab-harness/sim/cluster.js';
import { getApp } from '../../aiopslab-harness/sim/apps/index.js';
import { renderKubeconfig } from '../../aiopslab-harness/sim/kubeconfig.js';
import { SimServer } from '../../aiopslab-harness/sim/server/http.js';

const NS = 'test-hotel-reservation';
let server: SimServer;
let dir: string;
let kubeconfig: string;

/** Runs the real kubectl binary against the simulator, as the executor unless told otherwise. */
async function kubectl(args: string[], context = 'aoi-executor') {
  return execa('kubectl', ['--kubeconfig', kubeconfig, '--context', context, ...args], {
    reject: false,
    timeout: 20_000,
    env: { HOME: dir, KUBECACHEDIR: join(dir, 'cache') },
    extendEnv: false,
  });
}

async function podNamed(prefix: string): Promise<string> {
  const res = await kubectl(['get', 'pods', '-n', NS, '-o', 'name'], 'aoi-observer');
  const line = res.stdout.split('\n').find((l) => l.startsWith(`pod/${prefix}-`));
  if (!line) throw new Error(`no pod for ${prefix}: ${res.stdout}`);
  return line.slice('pod/'.length);
}

beforeAll(async () => {
  const cluster = new SimCluster({ seed: 11 });
  cluster.deployApp(getApp('hotel-reservation')!);
  expect(cluster.settle()).toBe(true);
  cluster.advance(60_000);
  server = await SimServer.start({ cluster, realtime: true, speed: 4 });
  dir = await mkdtemp(join(tmpdir(), 'aoi-kubectl-'));
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, renderKubeconfig(server.url, server.tokens, server.caPem), { mode: 0o600 });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('kubectl against the simulated API server', () => {
  it('gets pods as a table with the real columns', async () => {
    const res = await kubectl(['get', 'pods', '-n', NS], 'aoi-observer');
    expect(res.exitCode, res.stderr).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    const rows = lines.slice(1);
    expect(rows.length).toBe(getApp('hotel-reservation')!.components.length);
    for (const row of rows) expect(row).toMatch(/\s1\/1\s+Running\s+0\s+\d+[smh]/);
  });

  it('gets pods across all namespaces as JSON', async () => {
    const res = await kubectl(['get', 'pods', '-A', '-o', 'json'], 'aoi-observer');
    expect(res.exitCode, res.stderr).toBe(0);
    const list = JSON.parse(res.stdout) as { kind: string; items: { metadata: { namespace: string } }[] };
    expect(list.kind).toBe('List');
    expect(list.items.every((i) => i.metadata.namespace === NS)).toBe(true);
  });

  it('filters with label selectors and rejects a malformed one', async () => {
    const ok = await kubectl(
      ['get', 'pods', '-n', NS, '-l', 'io.kompose.service=geo', '-o', 'name'],
      'aoi-observer',
    );
    expect(ok.stdout.trim().split('\n')).toHaveLength(1);
    const bad = await kubectl(['get', 'pods', '-n', NS, '-l', 'a in (b'], 'aoi-observer');
    expect(bad.exitCode).not.toBe(0);
  });

  it('describes a pod with its events', async () => {
    const pod = await podNamed('geo');
    const res = await kubectl(['describe', 'pod', pod, '-n', NS], 'aoi-observer');
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^Name:\\s+${pod}$`, 'm'));
    expect(res.stdout).toMatch(/^Status:\s+Running$/m);
    expect(res.stdout).toMatch(/Successfully assigned test-hotel-reservation\//);
    expect(res.stdout).toMatch(/Started container/);
  });

  it('reads logs with --tail', async () => {
    const pod = await podNamed('geo');
    const all = await kubectl(['logs', pod, '-n', NS], 'aoi-observer');
    expect(all.exitCode, all.stderr).toBe(0);
    expect(all.stdout.split('\n').length).toBeGreaterThan(2);
    const tail = await kubectl(['logs', pod, '-n', NS, '--tail=1'], 'aoi-observer');
    expect(tail.stdout.trim().split('\n')).toHaveLength(1);
    const previous = await kubectl(['logs', pod, '-n', NS, '--previous'], 'aoi-observer');
    expect(previous.exitCode).not.toBe(0);
    expect(previous.stderr).toContain('previous terminated container');
  });

  it('refuses every write made with the observer credential with a real 403', async () => {
    const before = server.writesBy('observer').length;
    const res = await kubectl(['scale', 'deployment', 'geo', '-n', NS, '--replicas=3'], 'aoi-observer');
    expect(res.exitCode).not.toBe(0);
    expect(res.stderr).toContain('Error from server (Forbidden)');
    expect(res.stderr).toContain('system:serviceaccount:aoi-system:aoi-observer');
    const refused = server.writesBy('observer').slice(before);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((e) => e.status === 403)).toBe(true);
  });

  it('scales a deployment with the executor credential', async () => {
    const res = await kubectl(['scale', 'deployment', 'search', '-n', NS, '--replicas=2']);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stdout.trim()).toBe('deployment.apps/search scaled');
    const get = await kubectl(['get', 'deployment', 'search', '-n', NS, '-o', 'jsonpath={.spec.replicas}']);
    expect(get.stdout).toBe('2');
  });

  it.each([
    ['strategic', ['-p', '{"spec":{"ports":[{"port":8083,"targetPort":9999}]}}']],
    ['merge', ['--type', 'merge', '-p', '{"metadata":{"labels":{"patched":"merge"}}}']],
    ['json', ['--type', 'json', '-p', '[{"op":"replace","path":"/spec/ports/0/targetPort","value":8083}]']],
  ])('patches a service with a %s patch', async (_kind, args) => {
    const res = await kubectl(['patch', 'service', 'geo', '-n', NS, ...args]);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stdout.trim()).toBe('service/geo patched');
  });

  it('follows a targetPort change into the endpoints', async () => {
    await kubectl([
      'patch',
      'service',
      'profile',
      '-n',
      NS,
      '-p',
      '{"spec":{"ports":[{"port":8081,"targetPort":9999}]}}',
    ]);
    const ep = await kubectl([
      'get',
      'endpoints',
      'profile',
      '-n',
      NS,
      '-o',
      'jsonpath={.subsets[0].ports[0].port}',
    ]);
    expect(ep.stdout).toBe('9999');
  });

  it('rejects a malformed patch body', async () => {
    const res = await kubectl([
      'patch',
      'service',
      'geo',
      '-n',
      NS,
      '--type',
      'json',
      '-p',
      '{"not":"an array"}',
    ]);
    expect(res.exitCode).not.toBe(0);
  });

  it('restarts a rollout', async () => {
    const res = await kubectl(['rollout', 'restart', 'deployment/frontend', '-n', NS]);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stdout.trim()).toBe('deployment.apps/frontend restarted');
    const annotation = await kubectl([
      'get',
      'deployment',
      'frontend',
      '-n',
      NS,
      '-o',
      'jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}',
    ]);
    expect(annotation.stdout).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('deletes a pod, which its ReplicaSet replaces', async () => {
    const pod = await podNamed('rate');
    const res = await kubectl(['delete', 'pod', pod, '-n', NS, '--wait=true', '--timeout=15s']);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stdout.trim()).toBe(`pod "${pod}" deleted`);
    const after = await podNamed('rate');
    expect(after).not.toBe(pod);
  });

  it('lists events', async () => {
    const res = await kubectl(['get', 'events', '-n', NS], 'aoi-observer');
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/Scheduled/);
    expect(res.stdout).toMatch(/ScalingReplicaSet/);
  });

  it('names an unknown resource type', async () => {
    const res = await kubectl(['get', 'widgets', '-n', NS], 'aoi-observer');
    expect(res.exitCode).not.toBe(0);
    expect(res.stderr).toContain('the server doesn\'t have a resource type "widgets"');
  });
});
