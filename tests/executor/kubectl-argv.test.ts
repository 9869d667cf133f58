import { describe, expect, it } from 'vitest';
import { classifyKubectlArgv } from '../../src/executor/kubectl-argv.js';

describe('classifyKubectlArgv', () => {
  it.each<
    [string[], { verb: string; resource?: string; names: string[]; namespace?: string; write: boolean }]
  >([
    [['get', 'pods', '-n', 'x'], { verb: 'get', resource: 'pod', names: [], namespace: 'x', write: false }],
    [['get', 'pods', '-A', '-o', 'json'], { verb: 'get', resource: 'pod', names: [], write: false }],
    [
      ['logs', 'web-1', '-n', 'x', '--tail=50', '-p'],
      { verb: 'logs', resource: 'web-1', names: [], namespace: 'x', write: false },
    ],
    [
      ['patch', 'cm', 'flags', '-n', 'x', '--type', 'merge', '-p', '{"data":{"a":"b"}}'],
      { verb: 'patch', resource: 'configmap', names: ['flags'], namespace: 'x', write: true },
    ],
    [
      ['scale', 'deploy/web', '--replicas=3', '-n', 'x'],
      { verb: 'scale', resource: 'deployment', names: ['web'], namespace: 'x', write: true },
    ],
    [
      ['rollout', 'restart', 'deployment/web', '-n', 'x'],
      { verb: 'rollout restart', resource: 'deployment', names: ['web'], namespace: 'x', write: true },
    ],
    [
      ['rollout', 'undo', 'deployment', 'web', '-n', 'x', '--to-revision=2'],
      { verb: 'rollout undo', resource: 'deployment', names: ['web'], namespace: 'x', write: true },
    ],
    [
      ['set', 'image', 'deploy/web', 'web=docker.io/web:2', '-n', 'x'],
      { verb: 'set image', resource: 'deployment', names: ['web'], namespace: 'x', write: true },
    ],
    [
      ['set', 'env', 'deploy/web', 'A=1', '-n', 'x'],
      { verb: 'set env', resource: 'deployment', names: ['web'], namespace: 'x', write: true },
    ],
    [
      ['delete', 'pod', 'web-1', 'web-2', '-n', 'x'],
      { verb: 'delete', resource: 'pod', names: ['web-1', 'web-2'], namespace: 'x', write: true },
    ],
    [
      ['label', 'pod', 'web-1', 'a=b', '-n', 'x', '--overwrite'],
      { verb: 'label', resource: 'pod', names: ['web-1'], namespace: 'x', write: true },
    ],
  ])('allows %j', (argv, expected) => {
    expect(classifyKubectlArgv(argv)).toEqual({
      ok: true,
      resource: undefined,
      namespace: undefined,
      ...expected,
    });
  });

  it.each<[string[], RegExp]>([
    [['exec', 'web-1', '--', 'sh'], /verb "exec"/],
    [['cp', 'a', 'b'], /verb "cp"/],
    [['port-forward', 'web-1', '8080'], /verb "port-forward"/],
    [['proxy'], /verb "proxy"/],
    [['apply', '-f', '-'], /verb "apply"/],
    [['get', 'pods', '--token', 't'], /flag "--token"/],
    [['get', 'pods', '--token=t'], /flag "--token"/],
    [['get', 'pods', '--kubeconfig', '/tmp/k'], /flag "--kubeconfig"/],
    [['get', 'pods', '--context', 'admin'], /flag "--context"/],
    [['get', 'pods', '-s', 'https://evil'], /flag "-s"/],
    [['get', 'pods', '--server=https://evil'], /flag "--server"/],
    [['delete', 'pod', 'x', '-n', 'y', '--as', 'admin'], /flag "--as"/],
    [['get', 'pods', '-w'], /flag "-w"/],
    [['patch', 'cm', 'c', '-n', 'x', '--dry-run=none', '-p', '{}'], /flag "--dry-run"/],
    [['delete', 'pod', 'web-1'], /needs an explicit -n/],
    [['delete', 'pod', 'web-1', '-A', '-n', 'x'], /flag "-A"/],
    [['label', 'pods', 'a', '-A', 'x=y'], /flag "-A"/],
    [['delete', 'deployment', 'web', '-n', 'x'], /may only touch pod/],
    [['delete', 'pods', '-n', 'x', '-l', 'app=web'], /select objects by label/],
    [['patch', 'cm', '-', '-n', 'x'], /stdin/],
    [['get', 'pods\0', '-n', 'x'], /NUL/],
    [['get', 'pods', '-n', 'bad ns'], /not a namespace/],
    [[], /empty/],
    [['patch', 'pv', 'pv-1', '--namespace=x', '--type=json', '-p', '[]'], /cluster-scoped.*releaseVolume/],
    [['patch', 'persistentvolumes', 'pv-1', '-n', 'x', '-p', '{}'], /cluster-scoped/],
    [['label', 'pv', 'pv-1', 'a=b', '-n', 'x'], /cluster-scoped/],
    [['annotate', 'ingressclass', 'nginx', 'a=b', '-n', 'x'], /only touch namespaced/],
    [['patch', 'volumeattachments.storage.k8s.io', 'v', '-n', 'x', '-p', '{}'], /only touch namespaced/],
  ])('refuses %j', (argv, reason) => {
    const result = classifyKubectlArgv(argv);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('keeps shell metacharacters as plain arguments', () => {
    expect(classifyKubectlArgv(['get', 'pods', '$(touch /tmp/pwned);', '-n', 'x'])).toMatchObject({
      ok: true,
    });
  });
});
