import type { V1ConfigMap, V1PodTemplateSpec } from '@kubernetes/client-node';
import { parseDocument } from 'yaml';
import { FORBIDDEN_PATH_KEYS } from '../../core/actions.js';
import type { HandlerFor } from './types.js';
import type { ExecutorClients } from './types.js';
import { FIELD_MANAGER, MERGE, asObject } from './workload.js';

type SetConfigValue = Parameters<HandlerFor<'setConfigValue'>['apply']>[1];
type Scalar = SetConfigValue['value'];

/** A key larger than this is refused: its pre-image goes into the audit log. */
export const MAX_CONFIG_TEXT = 128 * 1024;

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const where = (a: SetConfigValue) => `configmap/${a.namespace}/${a.name}`;
const dotted = (path: readonly string[]) => (path.length === 0 ? '(root)' : path.join('.'));

/** The key's text, refusing a missing or oversized key (never reads through the prototype). */
export function keyText(cm: V1ConfigMap, a: SetConfigValue): string {
  const data = cm.data ?? {};
  if (!Object.hasOwn(data, a.key)) {
    const keys = Object.keys(data);
    throw new Error(
      `${where(a)} has no data key "${a.key}"${keys.length > 0 ? ` (has: ${keys.slice(0, 10).join(', ')})` : ''}`,
    );
  }
  const text = data[a.key] ?? '';
  if (text.length > MAX_CONFIG_TEXT)
    throw new Error(`${where(a)} key "${a.key}" is ${text.length} characters (max ${MAX_CONFIG_TEXT})`);
  return text;
}

interface Parsed {
  root: Mapping;
  /** Re-serialises with the value at the path set (or removed, for null). */
  render(path: readonly string[], value: Scalar): string;
}

function parseText(text: string, format: SetConfigValue['format'], label: string): Parsed {
  if (format === 'json') {
    let root: unknown;
    try {
      root = JSON.parse(text);
    } catch (error) {
      throw new Error(`${label} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    if (!isMapping(root)) throw new Error(`${label}: the JSON document is not an object`);
    return {
      root,
      render(path, value) {
        const copy = JSON.parse(text) as Mapping;
        const parent = parentOf(copy, path, label);
        const last = path.at(-1)!;
        if (value === null) delete parent[last];
        else
          Object.defineProperty(parent, last, {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        return `${JSON.stringify(copy, null, 2)}${text.endsWith('\n') ? '\n' : ''}`;
      },
    };
  }
  if (/^\s*[{[]/.test(text) && isJson(text))
    throw new Error(`${label} holds JSON; use format "json" so it stays JSON`);
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const [first] = doc.errors;
  if (first) throw new Error(`${label} is not valid YAML: ${first.message.split('\n')[0] ?? ''}`);
  let root: unknown;
  try {
    root = doc.toJS();
  } catch (error) {
    throw new Error(`${label} is not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  if (!isMapping(root)) throw new Error(`${label}: the YAML document is not a mapping`);
  return {
    root,
    render(path, value) {
      // Edit the parsed document (not a re-dump of plain data), so comments and layout elsewhere survive.
      const copy = doc.clone();
      if (value === null) copy.deleteIn(path);
      else copy.setIn(path, value);
      return copy.toString();
    },
  };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The mapping holding the path's last key: every parent must exist and be a mapping (no new structure). */
function parentOf(root: Mapping, path: readonly string[], label: string): Mapping {
  const bad = path.find((key) => FORBIDDEN_PATH_KEYS.includes(key));
  if (bad !== undefined) throw new Error(`path segment "${bad}" is not allowed`);
  let node: unknown = root;
  for (const [i, key] of path.slice(0, -1).entries()) {
    if (!isMapping(node)) throw new Error(`${label}: ${dotted(path.slice(0, i))} is not a mapping`);
    if (!Object.hasOwn(node, key))
      throw new Error(
        `${label}: ${dotted(path.slice(0, i + 1))} does not exist (setConfigValue does not create new structure)`,
      );
    node = node[key];
  }
  if (!isMapping(node)) throw new Error(`${label}: ${dotted(path.slice(0, -1))} is not a mapping`);
  return node;
}

/** The value at the path, or `undefined` when its key is absent. */
function valueAt(root: Mapping, path: readonly string[], label: string): unknown {
  const parent = parentOf(root, path, label);
  const last = path.at(-1)!;
  return Object.hasOwn(parent, last) ? parent[last] : undefined;
}

/** The new text of the key and a note, from the key's current text. */
export function changeText(a: SetConfigValue, text: string): { text: string; note: string } {
  const label = `${where(a)} key "${a.key}"`;
  const parsed = parseText(text, a.format, label);
  const old = valueAt(parsed.root, a.path, label);
  const next = parsed.render(a.path, a.value);
  if (next.length > MAX_CONFIG_TEXT)
    throw new Error(`${label} would be ${next.length} characters (max ${MAX_CONFIG_TEXT})`);
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
  return {
    text: next,
    note: `${label}: ${dotted(a.path)} ${show(old)} → ${a.value === null ? '(removed)' : show(a.value)}`,
  };
}

async function read(clients: ExecutorClients, a: SetConfigValue): Promise<V1ConfigMap> {
  return clients.core.readNamespacedConfigMap({ name: a.name, namespace: a.namespace });
}

/** Merge-patches one data key; with a resourceVersion the write fails (409) if the object changed since. */
async function patchKey(
  clients: ExecutorClients,
  a: SetConfigValue,
  text: string,
  options: { resourceVersion?: string; dryRun?: boolean },
): Promise<V1ConfigMap> {
  const data: Record<string, string> = {};
  Object.defineProperty(data, a.key, { value: text, enumerable: true, writable: true, configurable: true });
  return clients.core.patchNamespacedConfigMap(
    {
      name: a.name,
      namespace: a.namespace,
      body: {
        ...(options.resourceVersion ? { metadata: { resourceVersion: options.resourceVersion } } : {}),
        data,
      },
      fieldManager: FIELD_MANAGER,
      ...(options.dryRun ? { dryRun: 'All' } : {}),
    },
    MERGE,
  );
}

function mountsConfigMap(template: V1PodTemplateSpec | undefined, name: string): boolean {
  const spec = template?.spec;
  if (!spec) return false;
  const volumes = spec.volumes ?? [];
  if (volumes.some((v) => v.configMap?.name === name)) return true;
  if (volumes.some((v) => v.projected?.sources?.some((s) => s.configMap?.name === name))) return true;
  return [...spec.containers, ...(spec.initContainers ?? [])].some(
    (c) =>
      (c.envFrom ?? []).some((e) => e.configMapRef?.name === name) ||
      (c.env ?? []).some((e) => e.valueFrom?.configMapKeyRef?.name === name),
  );
}

/**
 * Sets one value inside a JSON or YAML document held in a ConfigMap key, patching only that key. Pre-image =
 * the key's old text (rollback writes it back byte for byte); verify = the key re-read and parsed holds the value.
 */
export const setConfigValue: HandlerFor<'setConfigValue'> = {
  async blastRadius(clients, a) {
    const [deployments, statefulSets] = await Promise.all([
      clients.apps.listNamespacedDeployment({ namespace: a.namespace }),
      clients.apps.listNamespacedStatefulSet({ namespace: a.namespace }),
    ]);
    const users = [
      ...deployments.items
        .filter((d) => mountsConfigMap(d.spec?.template, a.name))
        .map((d) => `deployment/${a.namespace}/${d.metadata?.name ?? '?'}`),
      ...statefulSets.items
        .filter((s) => mountsConfigMap(s.spec?.template, a.name))
        .map((s) => `statefulset/${a.namespace}/${s.metadata?.name ?? '?'}`),
    ];
    return { objects: [`configmap/${a.namespace}/${a.name}`, ...users], pods: [] };
  },
  async dryRun(clients, a) {
    const cm = await read(clients, a);
    const change = changeText(a, keyText(cm, a));
    const resourceVersion = cm.metadata?.resourceVersion;
    const object = await patchKey(clients, a, change.text, {
      dryRun: true,
      ...(resourceVersion ? { resourceVersion } : {}),
    });
    return { message: change.note, current: asObject(cm), object: asObject(object) };
  },
  async preImage(clients, a) {
    const cm = await read(clients, a);
    return {
      kind: 'ConfigMap',
      key: a.key,
      text: keyText(cm, a),
      resourceVersion: cm.metadata?.resourceVersion ?? null,
    };
  },
  async apply(clients, a, pre) {
    // From the pre-image's text, guarded by its resourceVersion: a change in between fails the write.
    const change = changeText(a, String(pre['text']));
    const resourceVersion = typeof pre['resourceVersion'] === 'string' ? pre['resourceVersion'] : undefined;
    await patchKey(clients, a, change.text, resourceVersion ? { resourceVersion } : {});
    return change.note;
  },
  async check(clients, a) {
    const label = `${where(a)} key "${a.key}"`;
    const cm = await read(clients, a);
    const parsed = parseText(keyText(cm, a), a.format, label);
    const got = valueAt(parsed.root, a.path, label);
    const want = a.value === null ? undefined : a.value;
    if (got === want)
      return {
        state: 'done',
        message: `${label}: ${dotted(a.path)} is ${got === undefined ? 'absent' : JSON.stringify(got)}`,
      };
    return {
      state: 'failed',
      message: `${label}: ${dotted(a.path)} is ${got === undefined ? 'absent' : JSON.stringify(got)}, expected ${want === undefined ? 'absent' : JSON.stringify(want)}`,
    };
  },
  async rollback(clients, a, pre) {
    if (typeof pre['text'] !== 'string') throw new Error('the pre-image has no text to restore');
    await patchKey(clients, a, pre['text'], {});
    return `${where(a)} key "${a.key}" restored from the pre-image`;
  },
};
