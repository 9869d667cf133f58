/**
 * Kubernetes strategic merge patch over plain JSON. The real server reads merge keys from Go struct tags; here
 * a small table keyed by field-name path stands in for them, covering the kinds the simulator serves.
 */
import type { Json, JsonObject } from './json.js';
import { cloneJson, isJsonObject } from './json.js';
import { badRequest } from './status.js';

/** How a list merges: element-wise by a key, as a set of primitives, or (no rule) replaced whole. */
type ListRule = { key: string } | 'primitive';

const CONTAINER_LISTS: Record<string, string> = {
  ports: 'containerPort',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
};

const POD_SPEC_LISTS: Record<string, ListRule> = {
  volumes: { key: 'name' },
  imagePullSecrets: { key: 'name' },
  hostAliases: { key: 'ip' },
};
for (const containers of ['containers', 'initContainers', 'ephemeralContainers']) {
  POD_SPEC_LISTS[containers] = { key: 'name' };
  for (const [field, key] of Object.entries(CONTAINER_LISTS))
    POD_SPEC_LISTS[`${containers}.${field}`] = { key };
}

/** Where a pod spec sits: in a Pod itself, in a workload's template, in a CronJob's job template. */
const POD_SPEC_ROOTS = ['spec', 'spec.template.spec', 'spec.jobTemplate.spec.template.spec'];

const OBJECT_LISTS: Record<string, ListRule> = {
  'spec.ports': { key: 'port' },
  'status.conditions': { key: 'type' },
  'status.addresses': { key: 'type' },
  'status.podIPs': { key: 'ip' },
  'status.hostIPs': { key: 'ip' },
};

const METADATA_LISTS: Record<string, ListRule> = {
  ownerReferences: { key: 'uid' },
  finalizers: 'primitive',
};

function ruleFor(path: readonly string[]): ListRule | undefined {
  if (path.length >= 2 && path.at(-2) === 'metadata') return METADATA_LISTS[path.at(-1)!];
  const dotted = path.join('.');
  const direct = OBJECT_LISTS[dotted];
  if (direct) return direct;
  for (const root of POD_SPEC_ROOTS) {
    if (dotted.startsWith(`${root}.`)) {
      const rule = POD_SPEC_LISTS[dotted.slice(root.length + 1)];
      if (rule) return rule;
    }
  }
  return undefined;
}

/** Merges `patch` into a copy of `current`; directives (`$patch`, `$retainKeys`, …) never reach the result. */
export function strategicMerge(current: JsonObject, patch: JsonObject): JsonObject {
  return mergeMap(current, patch, []) ?? {};
}

/** undefined: the map is deleted (`$patch: delete`). */
function mergeMap(
  original: JsonObject | undefined,
  patch: JsonObject,
  path: readonly string[],
): JsonObject | undefined {
  const directive = patch['$patch'];
  if (directive === 'delete') return undefined;
  if (directive === 'replace') {
    const rest = Object.fromEntries(Object.entries(patch).filter(([k]) => k !== '$patch'));
    return mergeMap(undefined, rest, path);
  }
  if (directive !== undefined && directive !== 'merge')
    throw badRequest(`Unknown patch type: ${JSON.stringify(directive)}`);

  const out: JsonObject = {};
  for (const [key, value] of Object.entries(original ?? {})) out[key] = cloneJson(value);
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    const merged = value === null ? undefined : mergeValue(out[key], value, [...path, key]);
    if (merged === undefined) delete out[key];
    else out[key] = merged;
  }
  for (const [key, value] of Object.entries(patch)) {
    const prefix = '$deleteFromPrimitiveList/';
    if (!key.startsWith(prefix)) continue;
    if (!Array.isArray(value))
      throw badRequest(`${key}: the value must be a list, got ${JSON.stringify(value)}`);
    const field = key.slice(prefix.length);
    const list = out[field];
    if (Array.isArray(list)) out[field] = list.filter((item) => !value.includes(item));
  }
  const retain = patch['$retainKeys'];
  if (retain !== undefined) {
    if (!Array.isArray(retain) || !retain.every((k) => typeof k === 'string')) {
      throw badRequest(`$retainKeys: the value must be a list of strings, got ${JSON.stringify(retain)}`);
    }
    for (const key of Object.keys(out)) if (!retain.includes(key)) delete out[key];
  }
  return out;
}

function mergeValue(original: Json | undefined, patch: Json, path: readonly string[]): Json | undefined {
  if (isJsonObject(patch)) return mergeMap(isJsonObject(original) ? original : undefined, patch, path);
  if (Array.isArray(patch)) return mergeList(Array.isArray(original) ? original : undefined, patch, path);
  return patch;
}

function isDirective(item: Json, kind: string): boolean {
  return isJsonObject(item) && item['$patch'] === kind;
}

function mergeList(original: Json[] | undefined, patch: Json[], path: readonly string[]): Json[] {
  const rule = ruleFor(path);
  const replaceAll = patch.some((item) => isDirective(item, 'replace'));
  const items = patch.filter((item) => !isDirective(item, 'replace'));
  if (rule === undefined || replaceAll) {
    return items.flatMap((item) => {
      const clean = mergeValue(undefined, item, path);
      return clean === undefined ? [] : [clean];
    });
  }
  const out = (original ?? []).map((item) => cloneJson(item));
  if (rule === 'primitive') {
    for (const item of items) if (!out.includes(item)) out.push(cloneJson(item));
    return out;
  }
  return items.reduce<Json[]>((list, item) => mergeKeyed(list, item, rule.key, path), out);
}

function mergeKeyed(list: Json[], item: Json, key: string, path: readonly string[]): Json[] {
  if (!isJsonObject(item))
    throw badRequest(`${path.join('.')}: cannot merge ${JSON.stringify(item)}: not a map`);
  const wanted = item[key];
  if (wanted === undefined)
    throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
  const matches = (existing: Json): boolean => isJsonObject(existing) && existing[key] === wanted;
  const index = list.findIndex(matches);
  const existing = list[index];
  const merged = mergeMap(isJsonObject(existing) ? existing : undefined, item, path);
  if (merged === undefined) return list.filter((e) => !matches(e));
  if (index < 0) return [...list, merged];
  return list.map((e, i) => (i === index ? merged : e));
}
