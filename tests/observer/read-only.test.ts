import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKubectlReader } from '../../src/observer/kubectl-reader.js';

const OBSERVER = resolve(import.meta.dirname, '../../src/observer');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(entry) ? [path] : [];
  });
}

/** Comments may name what is forbidden; code may not. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

const WRITE_METHOD =
  /\b(?:create|replace|patch|delete|deleteCollection)(?:Namespaced|Collection|Node|PersistentVolume|Namespace|Cluster|CertificateSigningRequest)\w*\s*\(/;
const OBJECT_API = /KubernetesObjectApi|\.(?:create|patch|delete)\s*\(/;
const KUBECTL_VERBS =
  /['"`](?:apply|create|delete|edit|patch|replace|scale|set|label|annotate|rollout|exec|cp|drain|cordon|uncordon|taint|port-forward|attach|run|expose|autoscale)['"`]/;

describe('the observer cannot write', () => {
  const sources = files(OBSERVER);

  it('has source files to check', () => {
    expect(sources.length).toBeGreaterThan(10);
  });

  it.each([
    ['a writing client-node method', WRITE_METHOD],
    ['the generic object API or a create/patch/delete call', OBJECT_API],
    ['a writing kubectl verb', KUBECTL_VERBS],
  ])('no file calls %s', (_name, pattern) => {
    const offenders = sources.filter((file) => pattern.test(code(readFileSync(file, 'utf8'))));
    expect(offenders.map((f) => relative(OBSERVER, f))).toEqual([]);
  });

  it('the patterns do catch writes (so the scan is not vacuous)', () => {
    expect(WRITE_METHOD.test('await core.deleteNamespacedPod({ name, namespace })')).toBe(true);
    expect(WRITE_METHOD.test('apps.patchNamespacedDeploymentScale(req)')).toBe(true);
    expect(OBJECT_API.test('client.patch(obj)')).toBe(true);
    expect(KUBECTL_VERBS.test("execa('kubectl', ['delete', 'pod', name])")).toBe(true);
    expect(WRITE_METHOD.test('core.listNamespacedPod({ namespace })')).toBe(false);
  });

  it('a kubectl that fails gives a failure value, not a throw', async () => {
    const reader = createKubectlReader({ binary: 'false' });
    const listed = await reader.list('pods', 'default');
    expect(listed.ok).toBe(false);
    expect(reader.requestCount()).toBeGreaterThan(0);
  });
});
