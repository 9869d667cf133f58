/**
 * The kinds behind admission refusals, autoscaling and batch incidents (ResourceQuota, LimitRange,
 * HorizontalPodAutoscaler, Job, CronJob) are read on both transports from their own API groups, and a Role
 * that leaves one out makes a gap naming it, never a silent "none there".
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceByKind } from '../../aiopslab-harness/sim/api/resources.js';
import type { SimCluster } from '../../aiopslab-harness/sim/index.js';
import { renderKubeconfig, SimServer } from '../../aiopslab-harness/sim/index.js';
import type { ClusterReader, ResourceKind } from '../../src/observer/cluster-reader.js';
import { createKubectlReader } from '../../src/observer/kubectl-reader.js';
import { observe } from '../../src/observer/observe.js';
import { collectSnapshot } from '../../src/observer/snapshot.js';
import { apiReader, prepareCluster } from './sim-helpers.js';

const NEW_KINDS: readonly ResourceKind[] = [
  'resourcequotas',
  'limitranges',
  'horizontalpodautoscalers',
  'jobs',
  'cronjobs',
];

let dir: string;
let cluster: SimCluster;
let namespace: string;
let server: SimServer;
let denying: SimServer;
let kubeconfig: string;

function plantObjects(): void {
  const meta = (name: string) => ({ name, namespace });
  cluster.store.create(resourceByKind('ResourceQuota'), {
    metadata: meta('compute'),
    spec: { hard: { pods: '10', 'limits.memory': '4Gi' } },
    status: { hard: { pods: '10', 'limits.memory': '4Gi' }, used: { pods: '10', 'limits.memory': '3Gi' } },
  });
  cluster.store.create(resourceByKind('LimitRange'), {
    metadata: meta('container-limits'),
    spec: { limits: [{ type: 'Container', max: { memory: '512Mi' } }] },
  });
  cluster.store.create(resourceByKind('HorizontalPodAutoscaler'), {
    metadata: meta('frontend'),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'frontend' },
      minReplicas: 1,
      maxReplicas: 3,
    },
    status: {
      currentReplicas: 3,
      desiredReplicas: 3,
      conditions: [{ type: 'ScalingLimited', status: 'True', reason: 'TooManyReplicas' }],
    },
  });
  cluster.store.create(resourceByKind('Job'), {
    metadata: meta('nightly-migrate'),
    spec: { backoffLimit: 6, template: { spec: { containers: [{ name: 'migrate', image: 'migrate:1' }] } } },
    status: {
      failed: 7,
      conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }],
    },
  });
  cluster.store.create(resourceByKind('CronJob'), {
    metadata: meta('backup'),
    spec: { schedule: '0 3 * * *', suspend: true },
    status: {},
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-controller-kinds-'));
  ({ cluster, namespace } = prepareCluster({ app: 'hotel-reservation' }));
  plantObjects();
  server = await SimServer.start({ cluster });
  denying = await SimServer.start({ cluster, observerDenied: [...NEW_KINDS] });
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, renderKubeconfig(server.url, server.tokens, server.caPem), { mode: 0o600 });
});

afterAll(async () => {
  await server.close();
  await denying.close();
  await rm(dir, { recursive: true, force: true });
});

async function snapshotOf(reader: ClusterReader) {
  const snapshot = await collectSnapshot(reader, { namespace, maxLogReads: 0 });
  if (!snapshot.ok) throw new Error(snapshot.error.message);
  return snapshot.value;
}

describe('quotas, limit ranges, autoscalers, jobs and cronjobs', () => {
  it('are read from their API groups through the API and through kubectl alike', async () => {
    const kubectl = createKubectlReader({ kubeconfig, env: { PATH: process.env.PATH ?? '', HOME: dir } });
    for (const reader of [apiReader(server), kubectl]) {
      const s = await snapshotOf(reader);
      expect(s.gaps).toEqual([]);
      expect(s.resourceQuotas.map((q) => q.status?.used?.['pods'])).toEqual(['10']);
      expect(s.limitRanges[0]?.spec?.limits?.[0]?.max).toEqual({ memory: '512Mi' });
      expect(s.autoscalers[0]?.spec?.maxReplicas).toBe(3);
      expect(s.autoscalers[0]?.status?.conditions?.[0]?.reason).toBe('TooManyReplicas');
      expect(s.jobs[0]?.status?.conditions?.[0]?.reason).toBe('BackoffLimitExceeded');
      expect(s.cronJobs[0]?.spec?.suspend).toBe(true);
    }
    expect(server.writesBy('observer')).toEqual([]);
  });

  it('are each a gap, with a null count in the coverage, when the Role leaves them out', async () => {
    const observed = await observe(apiReader(denying), { namespace });
    if (!observed.ok) throw new Error(observed.error.message);
    const coverage = observed.value.coverage;
    expect(coverage.complete).toBe(false);
    expect(coverage.gaps.map((g) => `${g.what}:${g.code}`)).toEqual(NEW_KINDS.map((k) => `${k}:forbidden`));
    for (const kind of NEW_KINDS) expect(coverage.kinds[kind]).toBeNull();
    expect(coverage.kinds['pods']).toBeGreaterThan(0);
  });
});
