/**
 * The real kubectl against the simulator's admission: a pod create past a namespace's ResourceQuota or
 * LimitRange is refused with the API server's 403 and words, as `kubectl run` prints them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceByKind } from '../../aiopslab-harness/sim/api/resources.js';
import { getApp } from '../../aiopslab-harness/sim/apps/index.js';
import { SimCluster } from '../../aiopslab-harness/sim/cluster.js';
import { renderKubeconfig } from '../../aiopslab-harness/sim/kubeconfig.js';
import { SimServer } from '../../aiopslab-harness/sim/server/http.js';

const NS = 'test-social-network';
let cluster: SimCluster;
let server: SimServer;
let dir: string;
let kubeconfig: string;

function kubectl(args: string[]) {
  return execa('kubectl', ['--kubeconfig', kubeconfig, '--context', 'aoi-executor', ...args], {
    reject: false,
    // A real child process on a shared machine: a generous limit, not a race with the wall clock.
    timeout: 60_000,
    env: { HOME: dir, KUBECACHEDIR: join(dir, 'cache') },
    extendEnv: false,
  });
}

beforeAll(async () => {
  cluster = new SimCluster({ seed: 5 });
  cluster.deployApp(getApp('social-network')!);
  expect(cluster.settle()).toBe(true);
  server = await SimServer.start({ cluster });
  dir = await mkdtemp(join(tmpdir(), 'aoi-admission-'));
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, renderKubeconfig(server.url, server.tokens, server.caPem), { mode: 0o600 });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('kubectl run under admission', () => {
  it('is refused by a LimitRange in the LimitRanger’s words', async () => {
    cluster.store.create(resourceByKind('LimitRange'), {
      metadata: { name: 'container-limits', namespace: NS },
      spec: { limits: [{ type: 'Container', max: { memory: '256Mi' } }] },
    });
    const overrides = {
      spec: {
        containers: [{ name: 'debug', image: 'busybox:1.36', resources: { limits: { memory: '512Mi' } } }],
      },
    };
    const res = await kubectl([
      'run',
      'debug',
      '-n',
      NS,
      '--image=busybox:1.36',
      `--overrides=${JSON.stringify(overrides)}`,
    ]);
    expect(res.exitCode).toBe(1);
    expect(res.stderr.trim()).toBe(
      'Error from server (Forbidden): pods "debug" is forbidden: maximum memory usage per Container is 256Mi, but limit is 512Mi',
    );
  });

  it('is refused by a used-up ResourceQuota, naming it with requested, used and limited', async () => {
    const used = cluster.store.peekAll(resourceByKind('Pod'), NS).length;
    cluster.store.create(resourceByKind('ResourceQuota'), {
      metadata: { name: 'pod-count', namespace: NS },
      spec: { hard: { pods: String(used) } },
    });
    cluster.reconcile();
    const res = await kubectl(['run', 'debug2', '-n', NS, '--image=busybox:1.36']);
    expect(res.exitCode).toBe(1);
    expect(res.stderr.trim()).toBe(
      `Error from server (Forbidden): pods "debug2" is forbidden: exceeded quota: pod-count, requested: pods=1, used: pods=${used}, limited: pods=${used}`,
    );
    const quota = await kubectl([
      'get',
      'resourcequota',
      'pod-count',
      '-n',
      NS,
      '-o',
      'jsonpath={.status.used.pods}/{.status.hard.pods}',
    ]);
    expect(quota.stdout).toBe(`${used}/${used}`);
  });
});
