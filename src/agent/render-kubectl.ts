/**
 * Typed action → the kubectl argv that does the same thing, for an orchestrator that only runs shell commands.
 * Every argv but releaseVolume's must pass the executor's classifier as a write; releaseVolume patches a
 * cluster-scoped PersistentVolume, which the classifier refuses for any kubectl write (its policy decision
 * was taken on the typed action, matched on the claim's namespace).
 */
import type { ActionProposal } from '../core/actions.js';
import { classifyKubectlArgv } from '../executor/kubectl-argv.js';

export type RenderedArgv = { ok: true; argv: string[] } | { ok: false; reason: string };

/**
 * JSON for a `-p` body that reaches kubectl unchanged through every orchestrator shell: inside strings, `"`,
 * `\\`, `$`, a backquote and `'` become \\u escapes, so the kind host shell (which sees the command inside
 * `sh -c "…"`) has nothing to expand and the POSIX single quotes around the body need no splicing.
 */
export function hostSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/\\(["\\])|[$`']/g, (whole, escaped?: string) => {
    const char = escaped ?? whole;
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

const json = hostSafeJson;

/** `kubectl patch KIND NAME [-n NS] --type TYPE -p BODY`; no namespace for a cluster-scoped kind. */
function patchArgv(
  kind: string,
  name: string,
  namespace: string | undefined,
  type: 'merge' | 'strategic' | 'json',
  body: unknown,
): string[] {
  return [
    'patch',
    kind,
    name,
    ...(namespace === undefined ? [] : ['-n', namespace]),
    '--type',
    type,
    '-p',
    json(body),
  ];
}

/** The configmap's new key text is computed by the caller (it needs the current text). */
export function configMapPatchArgv(namespace: string, name: string, key: string, text: string): string[] {
  return patchArgv('configmap', name, namespace, 'merge', { data: { [key]: text } });
}

function argvOf(a: Exclude<ActionProposal, { kind: 'setConfigValue' }>): string[] {
  switch (a.kind) {
    case 'scaleDeployment':
      return ['scale', 'deployment', a.name, '-n', a.namespace, `--replicas=${a.replicas}`];
    case 'rolloutRestart':
      return ['rollout', 'restart', a.workload.toLowerCase(), a.name, '-n', a.namespace];
    case 'deletePod':
      return ['delete', 'pod', a.name, '-n', a.namespace];
    case 'patchService':
      // Strategic merge keys spec.ports by port, so only the listed ports change.
      return patchArgv('service', a.name, a.namespace, 'strategic', {
        spec: {
          ports: a.ports.map((p) => ({
            ...(p.name ? { name: p.name } : {}),
            port: p.port,
            targetPort: p.targetPort,
          })),
        },
      });
    case 'setImage':
      return ['set', 'image', `deployment/${a.name}`, `${a.container}=${a.image}`, '-n', a.namespace];
    case 'setCommand':
      return patchArgv('deployment', a.name, a.namespace, 'strategic', {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: a.container,
                  command: a.command,
                  ...(a.args === undefined ? {} : { args: a.args }),
                },
              ],
            },
          },
        },
      });
    case 'setEnv':
      return [
        'set',
        'env',
        `deployment/${a.name}`,
        '-c',
        a.container,
        ...Object.entries(a.env).map(([k, v]) => (v === null ? `${k}-` : `${k}=${v}`)),
        '-n',
        a.namespace,
      ];
    case 'rollbackDeployment':
      return [
        'rollout',
        'undo',
        `deployment/${a.name}`,
        '-n',
        a.namespace,
        ...(a.toRevision === undefined ? [] : [`--to-revision=${a.toRevision}`]),
      ];
    case 'patchNodeSelector':
      return patchArgv('deployment', a.name, a.namespace, 'merge', {
        spec: { template: { spec: { nodeSelector: a.nodeSelector } } },
      });
    case 'setResources':
      // Strategic merge keys containers by name and merges limits/requests: only the given ones change.
      return patchArgv('deployment', a.name, a.namespace, 'strategic', {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: a.container,
                  resources: {
                    ...(a.limits === undefined ? {} : { limits: a.limits }),
                    ...(a.requests === undefined ? {} : { requests: a.requests }),
                  },
                },
              ],
            },
          },
        },
      });
    case 'setProbe': {
      const field = { liveness: 'livenessProbe', readiness: 'readinessProbe', startup: 'startupProbe' }[
        a.probe
      ];
      const timing = Object.fromEntries(
        (['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold'] as const)
          .filter((f) => a[f] !== undefined)
          .map((f) => [f, a[f]]),
      );
      return patchArgv('deployment', a.name, a.namespace, 'strategic', {
        spec: { template: { spec: { containers: [{ name: a.container, [field]: timing }] } } },
      });
    }
    case 'kubectl':
      return [...a.argv];
    case 'releaseVolume':
      return patchArgv('persistentvolume', a.name, undefined, 'json', [
        { op: 'test', path: '/spec/claimRef/namespace', value: a.claimNamespace },
        { op: 'test', path: '/spec/claimRef/name', value: a.claim },
        { op: 'remove', path: '/spec/claimRef' },
      ]);
  }
}

export function renderKubectl(a: Exclude<ActionProposal, { kind: 'setConfigValue' }>): RenderedArgv {
  // A probe's port or path sits under its handler (tcpSocket, httpGet, grpc), which only a read can tell.
  if (a.kind === 'setProbe' && (a.port !== undefined || a.path !== undefined))
    return { ok: false, reason: "setProbe's port or path needs the current probe; the executor applies it" };
  // A startup probe the container may not have yet is made from its liveness probe's handler: a read too.
  if (a.kind === 'setProbe' && a.probe === 'startup')
    return {
      ok: false,
      reason: 'a startup probe is built from the current liveness probe; the executor applies it',
    };
  const argv = argvOf(a);
  if (a.kind === 'releaseVolume') return { ok: true, argv };
  return checked(argv);
}

/** The classifier's verdict on a rendered argv: it must be a write it accepts. */
export function checked(argv: string[]): RenderedArgv {
  const verdict = classifyKubectlArgv(argv);
  if (!verdict.ok) return { ok: false, reason: verdict.reason };
  return { ok: true, argv };
}
