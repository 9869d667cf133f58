import { parseAllDocuments, visit } from 'yaml';
import { describe, expect, it } from 'vitest';
import { rbacManifests } from '../../src/cli/commands/rbac.js';
import { runCli } from './cli-harness.js';

interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  roleRef?: { kind: string; name: string };
  subjects?: { name: string; namespace: string }[];
}

const READ = new Set(['get', 'list', 'watch']);

async function docs(args: string[]): Promise<Doc[]> {
  const { stdout, exitCode } = await runCli(['rbac', ...args]);
  expect(exitCode).toBe(0);
  return parseAllDocuments(stdout).map((d) => d.toJS() as Doc);
}

const rulesOf = (all: Doc[], name: string) =>
  all.filter((d) => d.metadata.name.startsWith(name) && d.rules).flatMap((d) => d.rules!);

describe('aoi rbac', () => {
  it('gives the observer reads only (configmaps, pods/log, no secrets) and binds each role to its account', async () => {
    const all = await docs(['--namespace', 'shop']);
    const observer = rulesOf(all, 'aoi-observer');
    for (const rule of observer) for (const verb of rule.verbs) expect(READ.has(verb), verb).toBe(true);
    const resources = observer.flatMap((r) => r.resources);
    expect(resources).toEqual(
      expect.arrayContaining(['configmaps', 'pods/log', 'pods', 'events', 'deployments']),
    );
    expect(resources).not.toContain('secrets');
    const role = all.find((d) => d.kind === 'Role' && d.metadata.name === 'aoi-observer');
    expect(role?.metadata.namespace).toBe('shop');
    const bindings = all.filter((d) => d.kind.endsWith('Binding'));
    for (const b of bindings) {
      expect(b.roleRef?.name).toBe(b.metadata.name);
      expect(b.subjects?.[0]?.namespace).toBe('aoi');
    }
    expect(all.filter((d) => d.kind === 'ServiceAccount').map((d) => d.metadata.name)).toEqual([
      'aoi-observer',
      'aoi-executor',
    ]);
  });

  it('lets the observer list Secrets only when asked (--certificates), and still never get or watch one', async () => {
    const all = await docs(['--namespace', 'shop', '--certificates']);
    const secrets = rulesOf(all, 'aoi-observer').filter((r) => r.resources.includes('secrets'));
    expect(secrets).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }]);
    expect(rulesOf(all, 'aoi-executor').flatMap((r) => r.resources)).not.toContain('secrets');
  });

  it('gives the executor only the writes its actions make, in the namespace asked for', async () => {
    const all = await docs(['-n', 'shop']);
    const executor = all.find((d) => d.kind === 'Role' && d.metadata.name === 'aoi-executor');
    expect(executor?.metadata.namespace).toBe('shop');
    const writes = rulesOf(all, 'aoi-executor').flatMap((r) =>
      r.verbs.filter((v) => !READ.has(v)).map((v) => `${v} ${r.resources.join(',')}`),
    );
    expect(writes).toEqual([
      'patch deployments,statefulsets',
      'patch deployments/scale,statefulsets/scale',
      'update deployments/scale,statefulsets/scale',
      'delete pods',
      'patch services',
      'patch configmaps',
      'patch persistentvolumes',
    ]);
    expect(rulesOf(all, 'aoi-executor').flatMap((r) => r.verbs)).not.toContain('create');
  });

  it('reads cluster-wide without a namespace and keeps the executor in default', () => {
    const all = rbacManifests({ serviceAccountNamespace: 'ops' }) as Doc[];
    expect(all.find((d) => d.metadata.name === 'aoi-observer' && d.rules)?.kind).toBe('ClusterRole');
    expect(all.find((d) => d.kind === 'Role' && d.metadata.name === 'aoi-executor')?.metadata.namespace).toBe(
      'default',
    );
    expect(all.find((d) => d.kind === 'ServiceAccount')?.metadata.namespace).toBe('ops');
  });

  it("creates the accounts' namespace first, and spells every list out: no YAML anchors or aliases", async () => {
    const { stdout } = await runCli(['rbac', '--service-account-namespace', 'ops']);
    const parsed = parseAllDocuments(stdout);
    for (const doc of parsed) expect(doc.errors).toEqual([]);
    const nodes: string[] = [];
    for (const doc of parsed)
      visit(doc, {
        Alias: () => void nodes.push('alias'),
        Node: (_key, node) => void (node.anchor ? nodes.push(`anchor &${node.anchor}`) : undefined),
      });
    expect(nodes).toEqual([]);
    expect(stdout).not.toMatch(/: [&*]\w|^\s*- [&*]\w/m);
    const all = parsed.map((d) => d.toJS() as Doc);
    expect(all[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'ops' } });
    expect(all.filter((d) => d.kind === 'ServiceAccount').map((d) => d.metadata.namespace)).toEqual([
      'ops',
      'ops',
    ]);
    // A built-in namespace exists already: it is not declared (and relabelled) again.
    const inDefault = rbacManifests({ serviceAccountNamespace: 'default' }) as Doc[];
    expect(inDefault.some((d) => d.kind === 'Namespace')).toBe(false);
  });
});
