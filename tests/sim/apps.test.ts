import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../aiopslab-harness/sim/api/json.js';
import { text } from '../../aiopslab-harness/sim/api/json.js';
import { resourceByKind } from '../../aiopslab-harness/sim/api/resources.js';
import {
  FLAG_NAMES,
  FLAGD_CONFIG_KEY,
  FLAGD_CONFIGMAP,
  readFlags,
} from '../../aiopslab-harness/sim/apps/astronomy-shop.js';
import { appNames, getApp } from '../../aiopslab-harness/sim/apps/index.js';
import type { AppSpec, ComponentSpec } from '../../aiopslab-harness/sim/apps/types.js';
import { SimCluster } from '../../aiopslab-harness/sim/cluster.js';
import { renderKubeconfig } from '../../aiopslab-harness/sim/kubeconfig.js';
import type { Pod } from '../../aiopslab-harness/sim/model.js';
import { asView } from '../../aiopslab-harness/sim/model.js';
import { SimServer } from '../../aiopslab-harness/sim/server/http.js';

const PODS = resourceByKind('Pod');
const SERVICES = resourceByKind('Service');
const ENDPOINTS = resourceByKind('Endpoints');
const REPLICASETS = resourceByKind('ReplicaSet');
const CONFIGMAPS = resourceByKind('ConfigMap');

const APPS: [string, number][] = [
  ['hotel-reservation', 21],
  ['social-network', 27],
  ['astronomy-shop', 33],
];

function app(name: string): AppSpec {
  const spec = getApp(name);
  if (!spec) throw new Error(`no app ${name}`);
  return spec;
}

function deployed(spec: AppSpec, seed: number, namespace?: string): SimCluster {
  const cluster = new SimCluster({ seed });
  cluster.deployApp(spec, namespace);
  expect(cluster.settle()).toBe(true);
  return cluster;
}

function pods(cluster: SimCluster, namespace: string): Pod[] {
  return cluster.store.peekAll(PODS, namespace).map((p) => asView<Pod>(p));
}

/** The workload (Deployment via its ReplicaSet, or StatefulSet) that owns a pod. */
function ownerOf(cluster: SimCluster, pod: Pod): string {
  const ref = (pod.metadata.ownerReferences ?? [])[0];
  if (!ref) return '';
  if (ref.kind !== 'ReplicaSet') return `${ref.kind}/${ref.name}`;
  const rs = cluster.store.peek(REPLICASETS, pod.metadata.namespace, ref.name);
  const meta = rs?.['metadata'] as { ownerReferences?: { kind: string; name: string }[] } | undefined;
  const deploy = meta?.ownerReferences?.[0];
  return deploy ? `${deploy.kind}/${deploy.name}` : '';
}

function ready(pod: Pod): boolean {
  return (
    pod.status.phase === 'Running' &&
    (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

function endpointPorts(cluster: SimCluster, namespace: string, name: string): JsonObject[] {
  const ep = cluster.store.peek(ENDPOINTS, namespace, name);
  const subsets = (ep?.['subsets'] as JsonObject[] | undefined) ?? [];
  expect(subsets, `endpoints of ${name}`).toHaveLength(1);
  expect((subsets[0]!['addresses'] as JsonObject[]).length, `ready addresses of ${name}`).toBe(1);
  return subsets[0]!['ports'] as JsonObject[];
}

const byName = (a: JsonObject, b: JsonObject) => text(a['name']).localeCompare(text(b['name']));
const expectedPorts = (c: ComponentSpec) =>
  c.ports.map((p) => ({ name: p.name, port: p.containerPort, protocol: p.protocol ?? 'TCP' })).sort(byName);

describe('app catalog', () => {
  it('registers the three AIOpsLab apps', () => {
    expect(appNames()).toEqual(['hotel-reservation', 'social-network', 'astronomy-shop']);
    expect(getApp('nope')).toBeUndefined();
  });

  it.each(APPS.map(([name]) => name))('%s: names are unique and every call names a component', (name) => {
    const spec = app(name);
    const names = spec.components.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of spec.components) for (const callee of c.calls) expect(names, c.name).toContain(callee);
  });
});

describe.each(APPS)('%s deployed on a fresh cluster', (name, seed) => {
  const spec = app(name);
  let cluster: SimCluster;
  const ns = spec.defaultNamespace;

  beforeAll(() => {
    cluster = deployed(spec, seed);
  });

  it('runs one Running and Ready pod per component', () => {
    const all = pods(cluster, ns);
    expect(all).toHaveLength(spec.components.length);
    for (const pod of all) expect(ready(pod), pod.metadata.name).toBe(true);
    for (const pod of all) expect(pod.status.containerStatuses?.[0]?.restartCount ?? 0).toBe(0);
  });

  it("selects exactly one workload's pods with the component label", () => {
    const all = pods(cluster, ns);
    for (const c of spec.components) {
      const selected = all.filter((p) => p.metadata.labels?.[spec.componentLabel] === c.name);
      expect(selected, c.name).toHaveLength(c.replicas ?? 1);
      expect(new Set(selected.map((p) => ownerOf(cluster, p))), c.name).toEqual(
        new Set([`${c.workload}/${c.name}`]),
      );
      for (const key of spec.componentLabelAliases ?? [])
        expect(selected[0]?.metadata.labels?.[key], `${c.name} ${key}`).toBe(c.name);
      for (const [key, value] of Object.entries(spec.commonLabels ?? {}))
        expect(selected[0]?.metadata.labels?.[key], `${c.name} ${key}`).toBe(value);
      expect(selected[0]?.spec.containers[0]?.name).toBe(c.containerName);
    }
  });

  it('gives every Service endpoints on the container ports', () => {
    const services = cluster.store.peekAll(SERVICES, ns).map((s) => (s['metadata'] as { name: string }).name);
    const withPorts = spec.components.filter((c) => c.ports.length > 0);
    expect(services.sort()).toEqual(withPorts.map((c) => c.name).sort());
    for (const c of withPorts) {
      expect([...endpointPorts(cluster, ns, c.name)].sort(byName), c.name).toEqual(expectedPorts(c));
    }
  });

  it('creates the ConfigMaps the app ships and mounts them where the components say', () => {
    for (const cm of spec.configMaps ?? []) {
      const obj = cluster.store.peek(CONFIGMAPS, ns, cm.name);
      expect(obj?.['data'], cm.name).toEqual(cm.data);
    }
    const all = pods(cluster, ns);
    for (const c of spec.components.filter((x) => x.configMapMounts?.length)) {
      const pod = all.find((p) => p.metadata.labels?.[spec.componentLabel] === c.name)!;
      const mounts = (pod.spec.containers[0]?.volumeMounts ?? []).map((m) => m.mountPath);
      for (const m of c.configMapMounts ?? []) {
        expect(mounts, c.name).toContain(m.mountPath);
        expect(pod.spec.volumes?.find((v) => v.name === (m.volume ?? m.configMap))?.configMap?.name).toBe(
          m.configMap,
        );
      }
    }
  });

  it('deploys into a custom namespace too', () => {
    const other = deployed(spec, seed + 1, 'other-ns');
    expect(other.store.peekAll(PODS, spec.defaultNamespace)).toHaveLength(0);
    const all = pods(other, 'other-ns');
    expect(all).toHaveLength(spec.components.length);
    expect(all.every(ready)).toBe(true);
    for (const c of spec.components.filter((x) => x.ports.length > 0))
      expect([...endpointPorts(other, 'other-ns', c.name)].sort(byName), c.name).toEqual(expectedPorts(c));
  });
});

describe('astronomy-shop feature flags', () => {
  const REQUIRED = [
    'adFailure',
    'adHighCpu',
    'adManualGc',
    'cartFailure',
    'imageSlowLoad',
    'kafkaQueueProblems',
    'loadGeneratorFloodHomepage',
    'paymentFailure',
    'paymentUnreachable',
    'productCatalogFailure',
    'recommendationCacheFailure',
  ];

  it('ships flagd-config with every flag off, and readFlags reads it', () => {
    const cluster = deployed(app('astronomy-shop'), 5);
    const cm = cluster.store.peek(CONFIGMAPS, 'astronomy-shop', FLAGD_CONFIGMAP);
    expect(cm).toBeDefined();
    expect((cm!['metadata'] as { labels: Record<string, string> }).labels).toMatchObject({
      'app.kubernetes.io/part-of': 'opentelemetry-demo',
    });
    const flags = readFlags(cm!['data'] as Record<string, string>);
    expect(Object.keys(flags).sort()).toEqual([...FLAG_NAMES].sort());
    for (const flag of REQUIRED) expect(flags[flag], flag).toBe('off');
    expect(Object.values(flags).every((v) => v === 'off')).toBe(true);
    const file = JSON.parse((cm!['data'] as Record<string, string>)[FLAGD_CONFIG_KEY]!) as {
      $schema: string;
      flags: Record<string, { state: string; variants: Record<string, unknown> }>;
    };
    expect(file.$schema).toBe('https://flagd.dev/schema/v0/flags.json');
    for (const flag of Object.values(file.flags)) {
      expect(flag.state).toBe('ENABLED');
      expect(flag.variants).toHaveProperty('off');
    }
    expect(file.flags['paymentFailure']?.variants['100%']).toBe(1);
    expect(file.flags['imageSlowLoad']?.variants['10sec']).toBe(10000);
  });

  it('reads a changed defaultVariant, and nothing from a missing or broken file', () => {
    const data = app('astronomy-shop').configMaps![0]!.data;
    const file = JSON.parse(data[FLAGD_CONFIG_KEY]!) as { flags: Record<string, { defaultVariant: string }> };
    file.flags['kafkaQueueProblems']!.defaultVariant = 'on';
    const flags = readFlags({ [FLAGD_CONFIG_KEY]: JSON.stringify(file) });
    expect(flags['kafkaQueueProblems']).toBe('on');
    expect(flags['adFailure']).toBe('off');
    expect(readFlags(undefined)).toEqual({});
    expect(readFlags({})).toEqual({});
    expect(readFlags({ [FLAGD_CONFIG_KEY]: '{not json' })).toEqual({});
    expect(readFlags({ [FLAGD_CONFIG_KEY]: '{"flags": []}' })).toEqual({});
  });
});

describe('social-network through kubectl', () => {
  const NS = 'test-social-network';
  let server: SimServer;
  let dir: string;
  let kubeconfig: string;

  const kubectl = (args: string[]) =>
    execa('kubectl', ['--kubeconfig', kubeconfig, '--context', 'aoi-observer', ...args], {
      reject: false,
      timeout: 20_000,
      env: { HOME: dir, KUBECACHEDIR: join(dir, 'cache') },
      extendEnv: false,
    });

  beforeAll(async () => {
    const cluster = deployed(app('social-network'), 13);
    cluster.advance(30_000);
    server = await SimServer.start({ cluster, realtime: true, speed: 4 });
    dir = await mkdtemp(join(tmpdir(), 'aoi-apps-'));
    kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, renderKubeconfig(server.url, server.tokens, server.caPem), { mode: 0o600 });
  });

  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the user-service pod by its app label and reads its startup line', async () => {
    const get = await kubectl(['get', 'pods', '-n', NS, '-l', 'app=user-service', '-o', 'name']);
    expect(get.exitCode, get.stderr).toBe(0);
    const names = get.stdout.trim().split('\n');
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^pod\/user-service-[a-z0-9]+-[a-z0-9]{5}$/);
    const logs = await kubectl(['logs', names[0]!, '-n', NS]);
    expect(logs.exitCode, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(
      /^\[\S+\] <info>: \(UserService\.cpp:\d+:main\) Starting the user-service server \.\.\.$/m,
    );
  });
});
