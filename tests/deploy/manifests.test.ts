/**
 * Renders deploy/ as kustomize would (the kustomization's resources concatenated in order, its namespace and
 * image applied) and checks every object against the shape Kubernetes requires, plus the rules aoi relies
 * on: read-only observer, narrow executor, non-root read-only containers, shards that match the Job.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseShard } from '../../aiopslab-harness/bench/shard.js';
import { parseGuidance } from '../../src/core/guidance.js';
import { parsePolicy } from '../../src/executor/load-policy.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DEPLOY = join(ROOT, 'deploy');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

interface Kustomization {
  namespace: string;
  resources: string[];
  images?: { name: string; newName: string; newTag: string }[];
}

const kustomization = parse(readFileSync(join(DEPLOY, 'kustomization.yaml'), 'utf8')) as Kustomization;

/** API group/version and scope of every kind the manifests may hold. */
const KINDS: Record<string, { apiVersion: string; namespaced: boolean }> = {
  Namespace: { apiVersion: 'v1', namespaced: false },
  ServiceAccount: { apiVersion: 'v1', namespaced: true },
  ConfigMap: { apiVersion: 'v1', namespaced: true },
  PersistentVolumeClaim: { apiVersion: 'v1', namespaced: true },
  ClusterRole: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false },
  ClusterRoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false },
  Role: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true },
  RoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true },
  CronJob: { apiVersion: 'batch/v1', namespaced: true },
  Deployment: { apiVersion: 'apps/v1', namespaced: true },
  Service: { apiVersion: 'v1', namespaced: true },
  Job: { apiVersion: 'batch/v1', namespaced: true },
};

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** What `kustomize build deploy/` does with what we use: concatenation, namespace, image. */
function render(): K8sObject[] {
  return kustomization.resources.flatMap((file) =>
    parseAllDocuments(readFileSync(join(DEPLOY, file), 'utf8')).map((doc) => {
      expect(doc.errors, file).toEqual([]);
      const obj = doc.toJS() as K8sObject;
      if (KINDS[obj.kind]?.namespaced) obj.metadata.namespace = kustomization.namespace;
      for (const pod of podSpecs(obj))
        for (const c of pod.containers) {
          const image = kustomization.images?.find((i) => i.name === c.image);
          if (image) c.image = `${image.newName}:${image.newTag}`;
        }
      return obj;
    }),
  );
}

interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  volumeMounts?: { name: string; mountPath: string }[];
  securityContext?: Record<string, unknown>;
}
interface PodSpec {
  serviceAccountName?: string;
  restartPolicy?: string;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string }; persistentVolumeClaim?: { claimName: string } }[];
}

function podSpecs(obj: K8sObject): PodSpec[] {
  type Template = { template: { spec: PodSpec } };
  if (obj.kind === 'Job' || obj.kind === 'Deployment') return [(obj.spec as Template).template.spec];
  if (obj.kind === 'CronJob')
    return [(obj.spec as { jobTemplate: { spec: Template } }).jobTemplate.spec.template.spec];
  return [];
}

const objects = render();
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

describe('deploy/ manifests', () => {
  it('holds every object the design asks for', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/aoi',
      'ServiceAccount/aoi-observer',
      'ClusterRole/aoi-observer',
      'ClusterRoleBinding/aoi-observer',
      'ServiceAccount/aoi-executor',
      'ClusterRole/aoi-executor',
      'RoleBinding/aoi-executor',
      'ConfigMap/aoi-config',
      'CronJob/aoi-diagnose',
      'Deployment/aoi-serve',
      'Service/aoi-serve',
      'PersistentVolumeClaim/aoi-bench-results',
      'Job/aoi-bench',
    ]);
  });

  it.each(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o] as const))(
    '%s has a valid object shape',
    (_, o) => {
      const kind = KINDS[o.kind];
      expect(kind, `unknown kind ${o.kind}`).toBeDefined();
      expect(o.apiVersion).toBe(kind!.apiVersion);
      expect(o.metadata.name).toMatch(o.kind === 'Namespace' ? DNS_LABEL : DNS_SUBDOMAIN);
      if (kind!.namespaced) expect(o.metadata.namespace).toBe('aoi');
      else expect(o.metadata.namespace).toBeUndefined();
      for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
        expect(k).toMatch(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/);
        expect(typeof v).toBe('string');
      }
      const allowed = new Set([
        'apiVersion',
        'kind',
        'metadata',
        'spec',
        'data',
        'rules',
        'roleRef',
        'subjects',
        'automountServiceAccountToken',
      ]);
      expect(Object.keys(o).filter((k) => !allowed.has(k))).toEqual([]);
    },
  );

  it('binds roles to accounts that exist', () => {
    for (const b of objects.filter((o) => o.kind.endsWith('Binding'))) {
      const ref = b.roleRef as { apiGroup: string; kind: string; name: string };
      expect(ref.apiGroup).toBe('rbac.authorization.k8s.io');
      expect(find(ref.kind, ref.name), `${b.metadata.name} → ${ref.kind}/${ref.name}`).toBeDefined();
      for (const s of b.subjects as { kind: string; name: string; namespace: string }[]) {
        expect(s.kind).toBe('ServiceAccount');
        expect(find('ServiceAccount', s.name)?.metadata.namespace).toBe(s.namespace);
      }
    }
  });

  it('gives the observer reads only, never Secrets, and the executor no cluster-wide grant', () => {
    type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
    const observer = find('ClusterRole', 'aoi-observer')!.rules as Rule[];
    for (const r of observer) {
      expect(r.verbs.every((v) => ['get', 'list', 'watch'].includes(v))).toBe(true);
      expect(r.resources).not.toContain('secrets');
      expect(r.resources).not.toContain('*');
    }
    const executor = find('ClusterRole', 'aoi-executor')!.rules as Rule[];
    for (const r of executor) {
      expect(r.resources.some((x) => ['secrets', '*', 'nodes', 'namespaces'].includes(x))).toBe(false);
      expect(r.verbs.some((v) => ['*', 'create', 'escalate', 'bind', 'impersonate'].includes(v))).toBe(false);
    }
    const bindings = objects.filter(
      (o) => (o.roleRef as { name?: string } | undefined)?.name === 'aoi-executor',
    );
    expect(bindings.map((b) => b.kind)).toEqual(['RoleBinding']);
  });

  it('ships a policy and guidance aoi itself accepts', () => {
    const data = find('ConfigMap', 'aoi-config')!.data as Record<string, string>;
    expect(parsePolicy(data['cluster-policy.yaml']!, 'cluster-policy.yaml').default).toBe('deny');
    expect(parseGuidance(data['guidance-target-port.md']!, 'guidance-target-port.md').frontMatter.id).toBe(
      'target-port-mismatch',
    );
  });

  it('runs every container non-root on a read-only root filesystem, with what it mounts defined', () => {
    const workloads = objects.filter((o) => ['Job', 'CronJob', 'Deployment'].includes(o.kind));
    expect(workloads).toHaveLength(3);
    for (const o of workloads) {
      for (const pod of podSpecs(o)) {
        if (o.kind !== 'Deployment') expect(pod.restartPolicy).toBe('Never');
        expect(pod.securityContext).toMatchObject({
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
        if (pod.serviceAccountName) expect(find('ServiceAccount', pod.serviceAccountName)).toBeDefined();
        const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
        for (const v of volumes.values()) {
          if (v.configMap) expect(find('ConfigMap', v.configMap.name)).toBeDefined();
          if (v.persistentVolumeClaim)
            expect(find('PersistentVolumeClaim', v.persistentVolumeClaim.claimName)).toBeDefined();
        }
        expect(pod.containers.length).toBeGreaterThan(0);
        for (const c of pod.containers) {
          expect(c.name).toMatch(DNS_LABEL);
          expect(c.image).toBe('ghcr.io/aoi-sre/aoi:0.1.0');
          expect(c.securityContext).toMatchObject({
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          });
          for (const m of c.volumeMounts ?? []) expect(volumes.has(m.name), m.name).toBe(true);
          const mounted = (c.volumeMounts ?? []).map((m) => m.mountPath);
          expect(mounted).toContain('/tmp');
          const state = c.env?.find((e) => e.name === 'AOI_STATE_DIR')?.value;
          expect(mounted).toContain(state);
        }
      }
    }
  });

  it('diagnoses every namespace as JSON on a schedule, as the read-only observer', () => {
    const cron = find('CronJob', 'aoi-diagnose')!;
    const spec = cron.spec as { schedule: string; jobTemplate: unknown };
    expect(spec.schedule.split(' ')).toHaveLength(5);
    const pod = podSpecs(cron)[0]!;
    expect(pod.serviceAccountName).toBe('aoi-observer');
    const args = pod.containers[0]!.args!;
    expect(args.slice(0, 4)).toEqual(['diagnose', '-A', '--output', 'json']);
    expect(args).not.toContain('--apply');
  });

  it('runs one bench shard per completion index, with --shard N equal to completions', () => {
    const job = find('Job', 'aoi-bench')!;
    const spec = job.spec as { completionMode: string; completions: number; parallelism: number };
    expect(spec.completionMode).toBe('Indexed');
    const c = podSpecs(job)[0]!.containers[0]!;
    const shard = c.args![c.args!.indexOf('--shard') + 1]!;
    expect(shard).toBe(`$(JOB_COMPLETION_INDEX)/${spec.completions}`);
    // $(VAR) expands only for variables the container declares.
    expect(c.env?.map((e) => e.name)).toContain('JOB_COMPLETION_INDEX');
    for (let i = 0; i < spec.completions; i++)
      expect(parseShard(shard.replace('$(JOB_COMPLETION_INDEX)', String(i)))).toEqual({
        index: i,
        count: spec.completions,
      });
    expect(c.args).toContain('--json');
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  it('runs as a non-root numeric user with the CLI as entrypoint', () => {
    const users = lines.filter((l) => l.startsWith('USER '));
    expect(users.at(-1)).toMatch(/^USER [1-9]\d*(:[1-9]\d*)?$/);
    expect(lines.findIndex((l) => l.startsWith('USER '))).toBeGreaterThan(
      lines.findLastIndex((l) => l.startsWith('FROM ')),
    );
    expect(text).toMatch(/ENTRYPOINT \["node", "\/app\/bin\/aoi\.js"\]/);
  });
  it('keeps writable state off the root filesystem and uses the runtime the project supports', () => {
    expect(text).toMatch(/AOI_STATE_DIR=\/var\/lib\/aoi/);
    expect(text).toMatch(/VOLUME \["\/var\/lib\/aoi", "\/tmp"\]/);
    for (const from of lines.filter((l) => l.startsWith('FROM '))) expect(from).toMatch(/^FROM node:20[-.]/);
  });
});

describe('deploy/serve.yaml', () => {
  it('runs aoi serve as the read-only observer, its notify URL from a Secret, never in args', () => {
    const deployment = find('Deployment', 'aoi-serve')!;
    const pod = podSpecs(deployment)[0]!;
    expect(pod.serviceAccountName).toBe('aoi-observer');
    const c = pod.containers[0] as unknown as {
      args: string[];
      env: { name: string; valueFrom?: { secretKeyRef?: { name: string; optional?: boolean } } }[];
    };
    expect(c.args.slice(0, 1)).toEqual(['serve']);
    expect(c.args).not.toContain('--apply');
    expect(c.args.join(' ')).not.toMatch(/--notify/);
    expect(c.env.find((e) => e.name === 'AOI_NOTIFY_URL')?.valueFrom?.secretKeyRef).toEqual({
      name: 'aoi-notify',
      key: 'url',
      optional: true,
    });
    const service = find('Service', 'aoi-serve')!.spec as { selector: Record<string, string> };
    const labels = (deployment.spec as { template: { metadata: { labels: Record<string, string> } } })
      .template.metadata.labels;
    for (const [k, v] of Object.entries(service.selector)) expect(labels[k]).toBe(v);
  });
});
