import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../aiopslab-harness/sim/api/json.js';
import { resourceByKind } from '../../aiopslab-harness/sim/api/resources.js';
import type { PrintedServicePort, PrintedSubset } from '../../aiopslab-harness/sim/api/tables.js';
import {
  formatEndpoints,
  formatSelector,
  formatServicePorts,
  humanDuration,
  toTable,
  wantsTable,
} from '../../aiopslab-harness/sim/api/tables.js';
import { SimCluster } from '../../aiopslab-harness/sim/cluster.js';
import { renderKubeconfig } from '../../aiopslab-harness/sim/kubeconfig.js';
import { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import { tinyApp } from './fixtures.js';

const NOW = Date.parse('2024-06-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

function pod(status: JsonObject, extra: JsonObject = {}): JsonObject {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name: 'geo-abc', namespace: 'ns', uid: 'u1', creationTimestamp: ago(5 * M), ...extra },
    spec: { nodeName: 'kind-worker', containers: [{ name: 'geo', image: 'geo:1' }] },
    status,
  };
}

function container(state: JsonObject, more: JsonObject = {}): JsonObject {
  return {
    name: 'geo',
    image: 'geo:1',
    imageID: '',
    ready: false,
    started: false,
    restartCount: 0,
    state,
    lastState: {},
    ...more,
  };
}

const readyCondition: JsonObject = { type: 'Ready', status: 'True' };
const cells = (plural: string, obj: JsonObject) =>
  (
    toTable(plural, [obj], { now: NOW, includeObject: 'None', resourceVersion: '1' })['rows'] as {
      cells: unknown[];
    }[]
  )[0]!.cells;

describe('human durations', () => {
  it.each([
    [0, '0s'],
    [-1500, '0s'],
    [-3 * S, '<invalid>'],
    [45 * S, '45s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [2 * M + 30 * S, '2m30s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [3 * H + 25 * M, '3h25m'],
    [8 * H + 30 * M, '8h'],
    [47 * H, '47h'],
    [2 * D, '2d'],
    [2 * D + 5 * H, '2d5h'],
    [8 * D + 5 * H, '8d'],
    [400 * D, '400d'],
    [730 * D, '2y'],
    [800 * D, '2y70d'],
    [3000 * D, '8y'],
  ])('%d ms is %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('pod STATUS, READY and RESTARTS', () => {
  it.each<[string, JsonObject, JsonObject, string, string]>([
    [
      'running',
      {
        phase: 'Running',
        conditions: [readyCondition],
        containerStatuses: [container({ running: { startedAt: ago(M) } }, { ready: true })],
      },
      {},
      '1/1',
      'Running',
    ],
    [
      'crash-looping',
      {
        phase: 'Running',
        containerStatuses: [
          container({ waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } }, { restartCount: 3 }),
        ],
      },
      {},
      '0/1',
      'CrashLoopBackOff',
    ],
    [
      'being deleted',
      {
        phase: 'Running',
        conditions: [readyCondition],
        containerStatuses: [container({ running: { startedAt: ago(M) } }, { ready: true })],
      },
      { deletionTimestamp: ago(-30 * S) },
      '1/1',
      'Terminating',
    ],
    [
      'unscheduled',
      { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
      {},
      '0/1',
      'Pending',
    ],
    [
      'creating',
      { phase: 'Pending', containerStatuses: [container({ waiting: { reason: 'ContainerCreating' } })] },
      {},
      '0/1',
      'ContainerCreating',
    ],
    [
      'completed',
      {
        phase: 'Succeeded',
        containerStatuses: [
          container({ terminated: { exitCode: 0, reason: 'Completed', finishedAt: ago(M) } }),
        ],
      },
      {},
      '0/1',
      'Completed',
    ],
    [
      'exited without a reason',
      {
        phase: 'Failed',
        containerStatuses: [container({ terminated: { exitCode: 2, finishedAt: ago(M) } })],
      },
      {},
      '0/1',
      'ExitCode:2',
    ],
    [
      'stuck in an init container',
      {
        phase: 'Pending',
        initContainerStatuses: [container({ waiting: { reason: 'ImagePullBackOff' } }, { name: 'init' })],
        containerStatuses: [container({ waiting: { reason: 'PodInitializing' } })],
      },
      {},
      '0/1',
      'Init:ImagePullBackOff',
    ],
  ])('%s', (_label, status, metadata, ready, text) => {
    const obj = pod(status, metadata);
    if (status['initContainerStatuses'])
      (obj['spec'] as JsonObject)['initContainers'] = [{ name: 'init', image: 'busybox' }];
    expect(cells('pods', obj).slice(1, 3)).toEqual([ready, text]);
  });

  it('shows restarts with the time since the last termination', () => {
    const status: JsonObject = {
      phase: 'Running',
      containerStatuses: [
        container(
          { waiting: { reason: 'CrashLoopBackOff' } },
          {
            restartCount: 3,
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(25 * S) } },
          },
        ),
      ],
    };
    expect(cells('pods', pod(status)).slice(0, 5)).toEqual([
      'geo-abc',
      '0/1',
      'CrashLoopBackOff',
      '3 (25s ago)',
      '5m',
    ]);
    expect(
      cells('pods', pod({ phase: 'Running', containerStatuses: [container({}, { restartCount: 0 })] }))[3],
    ).toBe('0');
  });

  it('prints the wide pod columns', () => {
    const obj = pod({ phase: 'Running', podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }] });
    expect(cells('pods', obj).slice(5)).toEqual(['10.244.1.5', 'kind-worker', '<none>', '<none>']);
    expect(cells('pods', pod({ phase: 'Pending' }, {})).slice(5, 6)).toEqual(['<none>']);
  });
});

describe('service, endpoints and workload cells', () => {
  it.each<[PrintedServicePort[], string]>([
    [[{ port: 8083, protocol: 'TCP' }], '8083/TCP'],
    [[{ port: 80 }, { port: 53, protocol: 'UDP' }], '80/TCP,53/UDP'],
    [[{ port: 80, protocol: 'TCP', nodePort: 30080 }], '80:30080/TCP'],
    [[], '<none>'],
  ])('PORT(S) of %j is %s', (ports, text) => {
    expect(formatServicePorts(ports)).toBe(text);
  });

  it('prints a service row', () => {
    const svc: JsonObject = {
      metadata: { name: 'geo', creationTimestamp: ago(90 * S) },
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.3.4',
        clusterIPs: ['10.96.3.4'],
        selector: { b: '2', a: '1' },
        ports: [{ port: 8083, protocol: 'TCP' }],
      },
    };
    expect(cells('services', svc)).toEqual([
      'geo',
      'ClusterIP',
      '10.96.3.4',
      '<none>',
      '8083/TCP',
      '90s',
      'a=1,b=2',
    ]);
  });

  it.each<[PrintedSubset[] | undefined, string]>([
    [undefined, '<none>'],
    [[{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 8083 }] }], '10.244.1.5:8083'],
    [
      [{ addresses: ['1', '2', '3', '4', '5'].map((n) => ({ ip: `10.0.0.${n}` })), ports: [{ port: 80 }] }],
      '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...',
    ],
    [
      [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 53 }, { port: 9153 }] }],
      '10.0.0.1:53,10.0.0.2:53,10.0.0.1:9153 + 1 more...',
    ],
    [[{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }], '[fd00::1]:80'],
    [[{ addresses: [{ ip: '10.0.0.9' }] }], '10.0.0.9'],
  ])('ENDPOINTS of %j is %s', (subsets, text) => {
    expect(formatEndpoints(subsets)).toBe(text);
  });

  it('prints selectors as label selector strings', () => {
    expect(formatSelector({ matchLabels: { app: 'web', tier: 'a' } })).toBe('app=web,tier=a');
    expect(
      formatSelector({
        matchLabels: { z: '1' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod', 'dev'] },
          { key: 'gone', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('env in (dev,prod),!gone,z=1');
  });

  it('prints a deployment row with integer cells', () => {
    const deploy: JsonObject = {
      metadata: { name: 'web', creationTimestamp: ago(3 * H + 25 * M) },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'a:1' },
              { name: 'side', image: 'b:2' },
            ],
          },
        },
      },
      status: { readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 },
    };
    expect(cells('deployments', deploy)).toEqual([
      'web',
      '1/2',
      2,
      1,
      '3h25m',
      'web,side',
      'a:1,b:2',
      'app=web',
    ]);
  });

  it('prints events with the involved object and source', () => {
    const event: JsonObject = {
      metadata: { name: 'geo-abc.17d', creationTimestamp: ago(10 * M) },
      involvedObject: { kind: 'Pod', name: 'geo-abc', fieldPath: 'spec.containers{geo}' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container\n',
      type: 'Warning',
      count: 4,
      firstTimestamp: ago(10 * M),
      lastTimestamp: ago(30 * S),
      source: { component: 'kubelet', host: 'kind-worker' },
    };
    expect(cells('events', event)).toEqual([
      '30s',
      'Warning',
      'BackOff',
      'pod/geo-abc',
      'spec.containers{geo}',
      'kubelet, kind-worker',
      'Back-off restarting failed container',
      '10m',
      4,
      'geo-abc.17d',
    ]);
  });

  it('falls back to NAME and AGE, with <unknown> for a missing timestamp', () => {
    const table = toTable('widgets', [{ metadata: { name: 'w' } }], {
      now: NOW,
      includeObject: 'None',
      resourceVersion: '7',
    });
    expect((table['columnDefinitions'] as JsonObject[]).map((c) => c['name'])).toEqual(['Name', 'Age']);
    expect(table['rows']).toEqual([{ cells: ['w', '<unknown>'] }]);
  });
});

describe('the Table object', () => {
  const cm: JsonObject = {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: { name: 'cfg', namespace: 'ns', creationTimestamp: ago(M) },
    data: { a: '1', b: '2' },
  };

  it('recognises the Accept header kubectl sends', () => {
    expect(
      wantsTable(
        'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
      ),
    ).toBe(true);
    expect(wantsTable('application/json;as=Table;v=v1beta1;g=meta.k8s.io')).toBe(true);
    expect(wantsTable('application/json')).toBe(false);
    expect(wantsTable('application/json, */*')).toBe(false);
    expect(wantsTable(undefined)).toBe(false);
  });

  it.each<['None' | 'Metadata' | 'Object', JsonObject | undefined]>([
    ['None', undefined],
    ['Metadata', { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cm['metadata']! }],
    ['Object', cm],
  ])('includeObject=%s', (includeObject, object) => {
    const table = toTable('configmaps', [cm], { now: NOW, includeObject, resourceVersion: '42' });
    expect(table).toMatchObject({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '42' },
    });
    expect(table['columnDefinitions']).toEqual([
      expect.objectContaining({ name: 'Name', type: 'string', format: 'name', priority: 0 }),
      expect.objectContaining({ name: 'Data', format: '', priority: 0 }),
      expect.objectContaining({ name: 'Age', format: '', priority: 0 }),
    ]);
    const row = (table['rows'] as JsonObject[])[0]!;
    expect(row['cells']).toEqual(['cfg', 2, '60s']);
    expect(row['object']).toEqual(object);
    expect('object' in row).toBe(object !== undefined);
  });

  it('marks the wide columns with priority 1', () => {
    const wideOf = (plural: string) =>
      (
        toTable(plural, [], { now: NOW, includeObject: 'None', resourceVersion: '1' })[
          'columnDefinitions'
        ] as JsonObject[]
      )
        .filter((c) => c['priority'] === 1)
        .map((c) => c['name']);
    expect(wideOf('pods')).toEqual(['IP', 'Node', 'Nominated Node', 'Readiness Gates']);
    expect(wideOf('deployments')).toEqual(['Containers', 'Images', 'Selector']);
    expect(wideOf('nodes')).toEqual([
      'Internal-IP',
      'External-IP',
      'OS-Image',
      'Kernel-Version',
      'Container-Runtime',
    ]);
    expect(wideOf('events')).toEqual(['Subobject', 'Source', 'First Seen', 'Count', 'Name']);
  });
});

describe('kubectl get against the simulated API server', () => {
  let server: SimServer;
  let dir: string;
  let kubeconfig: string;

  beforeAll(async () => {
    const cluster = new SimCluster({ seed: 5 });
    cluster.deployApp(tinyApp);
    cluster.store.create(resourceByKind('ConfigMap'), {
      metadata: { name: 'tiny-config', namespace: 'tiny' },
      data: { a: '1', b: '2' },
    });
    cluster.settle();
    cluster.advance(60_000);
    server = await SimServer.start({ cluster });
    dir = await mkdtemp(join(tmpdir(), 'aoi-tables-'));
    kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, renderKubeconfig(server.url, server.tokens, server.caPem), { mode: 0o600 });
  });

  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function get(...args: string[]): Promise<string[]> {
    const res = await execa(
      'kubectl',
      ['--kubeconfig', kubeconfig, '--context', 'aoi-observer', 'get', ...args],
      {
        reject: false,
        env: { HOME: dir, KUBECACHEDIR: join(dir, 'cache') },
        extendEnv: false,
        timeout: 20_000,
      },
    );
    expect(res.exitCode, res.stderr).toBe(0);
    return res.stdout.trim().split('\n');
  }

  it('gets pods -o wide', async () => {
    const [header, ...rows] = await get('pods', '-n', 'tiny', '-o', 'wide');
    expect(header).toMatch(
      /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/,
    );
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row).toMatch(
        /^(web-[a-z0-9]+-[a-z0-9]{5}|db-0)\s+1\/1\s+Running\s+0\s+\d+[sm]\S*\s+10\.244\.\d+\.\d+\s+kind-worker\d?\s+<none>\s+<none>$/,
      );
    }
  });

  it('gets services', async () => {
    const [header, ...rows] = await get('svc', '-n', 'tiny');
    expect(header).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    expect(rows.find((r) => r.startsWith('web '))).toMatch(
      /^web\s+ClusterIP\s+\d+\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+[sm]\S*$/,
    );
  });

  it('gets deployments -o wide', async () => {
    const [header, ...rows] = await get('deploy', '-n', 'tiny', '-o', 'wide');
    expect(header).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
    expect(rows).toEqual([
      expect.stringMatching(/^web\s+2\/2\s+2\s+2\s+\S+\s+web\s+example\/tiny:1\.0\s+app=web$/),
    ]);
  });

  it('gets nodes', async () => {
    const [header, ...rows] = await get('nodes');
    expect(header).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    expect(rows).toContainEqual(
      expect.stringMatching(/^kind-control-plane\s+Ready\s+control-plane\s+\S+\s+v1\.30\.0$/),
    );
    expect(rows).toContainEqual(expect.stringMatching(/^kind-worker\s+Ready\s+<none>\s+\S+\s+v1\.30\.0$/));
  });

  it('gets events', async () => {
    const [header, ...rows] = await get('events', '-n', 'tiny');
    expect(header).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    expect(rows).toContainEqual(
      expect.stringMatching(/^\S+\s+Normal\s+Started\s+pod\/web-\S+\s+Started container web$/),
    );
  });

  it('gets endpoints', async () => {
    const [header, ...rows] = await get('ep', '-n', 'tiny');
    expect(header).toMatch(/^NAME\s+ENDPOINTS\s+AGE$/);
    expect(rows).toContainEqual(
      expect.stringMatching(/^web\s+10\.244\.\d+\.\d+:8080,10\.244\.\d+\.\d+:8080\s+\S+$/),
    );
    expect(rows).toContainEqual(expect.stringMatching(/^db\s+10\.244\.\d+\.\d+:27017\s+\S+$/));
  });

  it('gets configmaps and namespaces', async () => {
    const [cmHeader, ...configMaps] = await get('cm', '-n', 'tiny');
    expect(cmHeader).toMatch(/^NAME\s+DATA\s+AGE$/);
    expect(configMaps).toEqual([expect.stringMatching(/^tiny-config\s+2\s+\d+s$/)]);
    const [nsHeader, ...namespaces] = await get('ns');
    expect(nsHeader).toMatch(/^NAME\s+STATUS\s+AGE$/);
    expect(namespaces).toContainEqual(expect.stringMatching(/^tiny\s+Active\s+\S+$/));
    expect(namespaces).toContainEqual(expect.stringMatching(/^kube-system\s+Active\s+\S+$/));
  });
});
