/**
 * The server's dry run as a diff: the fields an action changes, read from the object before the dry run and
 * from the object the API server answered with. Values that may hold secrets (ConfigMap text, env values)
 * are redacted, since the diff is shown on screens and prompts.
 */
import type { ActionProposal } from '../../core/actions.js';
import { redactEnvValue, redactText } from '../../observer/redact.js';
import type { DryRunOutcome, KubeObject } from './types.js';

export interface DiffLine {
  sign: '-' | '+' | ' ';
  text: string;
}

/** Flattens a JSON-like value to `path: value` pairs (`ports[0].targetPort`). */
export function flatten(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) {
      if (v.length === 0) out.set(path, '[]');
      v.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      if (entries.length === 0) out.set(path, '{}');
      for (const [k, item] of entries) walk(item, path ? `${path}.${k}` : k);
    } else {
      out.set(path, JSON.stringify(v) ?? 'undefined');
    }
  };
  walk(value, prefix);
  return out;
}

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

function at(value: unknown, ...path: (string | number)[]): unknown {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

function containerOf(object: KubeObject, name: string): Record<string, unknown> | undefined {
  const containers = at(object, 'spec', 'template', 'spec', 'containers');
  if (!Array.isArray(containers)) return undefined;
  return (containers as Record<string, unknown>[]).find((c) => c['name'] === name);
}

/** The fields of `object` that the action is about, flattened; undefined when the action has no object view. */
export function fieldsOf(action: ActionProposal, object: KubeObject): Map<string, string> | undefined {
  switch (action.kind) {
    case 'scaleDeployment':
      return flatten(at(object, 'spec', 'replicas') ?? null, 'spec.replicas');
    case 'patchService':
      return flatten(at(object, 'spec', 'ports') ?? [], 'spec.ports');
    case 'setImage':
      return flatten(containerOf(object, action.container)?.['image'] ?? null, `${action.container}.image`);
    case 'setCommand': {
      // Arguments may carry credentials (--password=…).
      const c = containerOf(object, action.container);
      const lines = [
        ...flatten(c?.['command'] ?? [], `${action.container}.command`),
        ...flatten(c?.['args'] ?? [], `${action.container}.args`),
      ];
      return new Map(lines.map(([path, value]) => [path, redactText(value)]));
    }
    case 'setEnv': {
      const env = containerOf(object, action.container)?.['env'];
      const out = new Map<string, string>();
      for (const e of Array.isArray(env) ? (env as Record<string, unknown>[]) : []) {
        const name = String(e['name']);
        const value =
          typeof e['value'] === 'string' ? JSON.stringify(redactEnvValue(name, e['value'])) : 'valueFrom';
        out.set(`${action.container}.env.${name}`, value);
      }
      return out;
    }
    case 'patchNodeSelector':
      return flatten(at(object, 'spec', 'template', 'spec', 'nodeSelector') ?? {}, 'nodeSelector');
    case 'rollbackDeployment':
      return flatten(at(object, 'spec', 'template', 'spec', 'containers') ?? [], 'containers');
    case 'rolloutRestart':
      return flatten(
        at(object, 'spec', 'template', 'metadata', 'annotations', RESTARTED_AT) ?? null,
        `template.annotations.${RESTARTED_AT}`,
      );
    case 'releaseVolume':
      return new Map([
        ...flatten(at(object, 'spec', 'claimRef') ?? null, 'spec.claimRef'),
        ...flatten(at(object, 'status', 'phase') ?? null, 'status.phase'),
      ]);
    case 'deletePod':
      return new Map([
        ['pod', JSON.stringify(`${action.namespace}/${action.name}`)],
        ...flatten(at(object, 'metadata', 'uid') ?? null, 'uid'),
        ...flatten(at(object, 'status', 'phase') ?? null, 'phase'),
      ]);
    case 'setResources':
      return flatten(
        containerOf(object, action.container)?.['resources'] ?? {},
        `${action.container}.resources`,
      );
    case 'setProbe': {
      const field = `${action.probe}Probe`;
      return flatten(containerOf(object, action.container)?.[field] ?? null, `${action.container}.${field}`);
    }
    case 'setConfigValue':
    case 'kubectl':
      return undefined;
  }
}

/** Lines of a text that changed: the common head and tail are cut to a line of context each. */
function textDiff(before: string, after: string, label: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a.at(-1 - tail) === b.at(-1 - tail)) tail++;
  const line = (sign: DiffLine['sign'], text: string) => ({ sign, text: `${label}| ${redactText(text)}` });
  return [
    ...a.slice(head, a.length - tail).map((t) => line('-', t)),
    ...b.slice(head, b.length - tail).map((t) => line('+', t)),
    ...(head > 0 ? [line(' ', a[head - 1]!)] : []),
    ...(tail > 0 ? [line(' ', a[a.length - tail]!)] : []),
  ];
}

/**
 * The diff between the object before the dry run and the server's answer, over the fields the action changes;
 * changed lines first. Undefined when the dry run gave no object to compare (the caller shows a local preview).
 */
export function dryRunDiff(
  action: ActionProposal,
  dryRun: DryRunOutcome | undefined,
): DiffLine[] | undefined {
  const { current, object } = dryRun ?? {};
  if (!dryRun?.ok || !current || !object) return undefined;
  if (action.kind === 'setConfigValue') {
    const text = (o: KubeObject) => at(o, 'data', action.key);
    const before = text(current);
    const after = text(object);
    if (typeof before !== 'string' || typeof after !== 'string') return undefined;
    return textDiff(before, after, `data.${action.key}`);
  }
  if (action.kind === 'deletePod') {
    const was = fieldsOf(action, object) ?? new Map<string, string>();
    return [
      ...[...was].map(([path, value]) => ({ sign: '-' as const, text: `${path}: ${value}` })),
      { sign: '+', text: '(deleted: the server accepted the dry-run delete; its controller replaces it)' },
    ];
  }
  const have = fieldsOf(action, current);
  const want = fieldsOf(action, object);
  if (!have || !want) return undefined;
  const lines: DiffLine[] = [];
  for (const path of new Set([...have.keys(), ...want.keys()])) {
    const was = have.get(path);
    const now = want.get(path);
    if (was === now) lines.push({ sign: ' ', text: `${path}: ${now}` });
    else {
      if (was !== undefined) lines.push({ sign: '-', text: `${path}: ${was}` });
      if (now !== undefined) lines.push({ sign: '+', text: `${path}: ${now}` });
    }
  }
  return [...lines.filter((l) => l.sign !== ' '), ...lines.filter((l) => l.sign === ' ')];
}
