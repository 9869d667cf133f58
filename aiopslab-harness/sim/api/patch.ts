/** PATCH bodies applied as the API server applies them: JSON Patch, JSON merge patch and strategic merge patch. */
import type { Json, JsonObject } from './json.js';
import { cloneJson, isJsonObject } from './json.js';
import { badRequest, patchDoesNotApply, unsupportedMediaType } from './status.js';
import { strategicMerge } from './strategic-merge.js';

const JSON_PATCH = 'application/json-patch+json';
const MERGE_PATCH = 'application/merge-patch+json';
const APPLY_PATCH = 'application/apply-patch+yaml';
const STRATEGIC_PATCH = 'application/strategic-merge-patch+json';
const ACCEPTED = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH, STRATEGIC_PATCH] as const;

/** Applies a PATCH body to `current` (left untouched) and returns the patched object. */
export function applyPatch(
  current: JsonObject,
  bodyText: string,
  contentType: string,
  target: { kind: string },
): JsonObject {
  if (contentType !== JSON_PATCH && contentType !== MERGE_PATCH && contentType !== STRATEGIC_PATCH) {
    throw unsupportedMediaType(contentType, ACCEPTED);
  }
  const body = decode(bodyText);
  if (contentType === JSON_PATCH) {
    if (!Array.isArray(body)) throw badRequest(cannotUnmarshal(body, '[]handlers.jsonPatchOp'));
    const result = applyJsonPatch(current, body);
    if (!isJsonObject(result)) throw patchDoesNotApply(`the patched ${target.kind} is not a JSON object`);
    return result;
  }
  if (!isJsonObject(body)) throw badRequest(cannotUnmarshal(body, 'map[string]interface {}'));
  return contentType === MERGE_PATCH ? mergePatch(current, body) : strategicMerge(current, body);
}

function decode(bodyText: string): Json {
  try {
    return JSON.parse(bodyText) as Json;
  } catch (err) {
    throw badRequest(`error decoding patch: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Go's encoding/json wording, which clients and people recognise from the real server. */
function cannotUnmarshal(value: Json, goType: string): string {
  const what = Array.isArray(value)
    ? 'array'
    : value === null
      ? 'null'
      : typeof value === 'boolean'
        ? 'bool'
        : typeof value;
  return `json: cannot unmarshal ${what} into Go value of type ${goType}`;
}

// ---- RFC 7386 merge patch ----

export function mergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(target)) out[key] = cloneJson(value);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isJsonObject(value)) {
      const existing = out[key];
      out[key] = mergePatch(isJsonObject(existing) ? existing : {}, value);
    } else out[key] = cloneJson(value);
  }
  return out;
}

// ---- RFC 6902 JSON Patch ----

type Op = 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
const OPS: readonly string[] = ['add', 'remove', 'replace', 'move', 'copy', 'test'];

class PatchFailure extends Error {}

function applyJsonPatch(current: JsonObject, ops: Json[]): Json {
  let doc: Json = cloneJson(current);
  for (const raw of ops) {
    if (!isJsonObject(raw)) throw badRequest(cannotUnmarshal(raw, 'handlers.jsonPatchOp'));
    const op = raw['op'];
    if (typeof op !== 'string' || !OPS.includes(op))
      throw patchDoesNotApply(`Unexpected kind: ${typeof op === 'string' ? op : ''}`);
    try {
      doc = applyOp(doc, op as Op, raw);
    } catch (err) {
      if (err instanceof PatchFailure)
        throw patchDoesNotApply(`jsonpatch ${op} operation does not apply: ${err.message}`);
      throw err;
    }
  }
  return doc;
}

function stringField(op: JsonObject, name: string): string {
  const value = op[name];
  if (typeof value !== 'string') throw new PatchFailure(`operation missing "${name}" field`);
  return value;
}

function valueField(op: JsonObject): Json {
  const value = op['value'];
  if (value === undefined) throw new PatchFailure('operation missing "value" field');
  return cloneJson(value);
}

function applyOp(doc: Json, op: Op, raw: JsonObject): Json {
  const path = stringField(raw, 'path');
  const tokens = parsePointer(path);
  const missing = (which = 'path', where = path) =>
    new PatchFailure(`doc is missing ${which}: "${where}": missing value`);
  switch (op) {
    case 'add':
      return add(doc, tokens, valueField(raw), missing);
    case 'remove':
      return remove(doc, tokens, missing);
    case 'replace': {
      const value = valueField(raw);
      if (tokens.length === 0) return value;
      const next = remove(doc, tokens, missing);
      return add(next, tokens, value, missing);
    }
    case 'test': {
      const expected = valueField(raw);
      const found = get(doc, tokens);
      if (found === undefined) throw missing();
      if (!deepEqual(found, expected)) throw new PatchFailure(`testing value "${path}" failed: test failed`);
      return doc;
    }
    case 'move':
    case 'copy': {
      const from = stringField(raw, 'from');
      const fromTokens = parsePointer(from);
      const value = get(doc, fromTokens);
      if (value === undefined) throw missing('from path', from);
      if (op === 'copy') return add(doc, tokens, cloneJson(value), missing);
      if (from === path) return doc;
      if (path.startsWith(`${from}/`))
        throw new PatchFailure(`cannot move "${from}" into its own child "${path}"`);
      return add(remove(doc, fromTokens, missing), tokens, value, missing);
    }
  }
}

/** RFC 6901: "" is the whole document; "~1" is "/" and "~0" is "~" (decoded in that order). */
function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchFailure(`invalid JSON pointer "${path}": must start with "/"`);
  return path
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~[^01]|~$/.test(token))
        throw new PatchFailure(`invalid JSON pointer "${path}": bad escape in "${token}"`);
      return token.replaceAll('~1', '/').replaceAll('~0', '~');
    });
}

/** An array index as RFC 6901 allows it: digits without leading zeros. */
function indexOf(token: string): number | undefined {
  return /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : undefined;
}

function get(doc: Json, tokens: readonly string[]): Json | undefined {
  let node: Json | undefined = doc;
  for (const token of tokens) {
    if (Array.isArray(node)) {
      const i = indexOf(token);
      node = i === undefined ? undefined : node[i];
    } else if (isJsonObject(node)) {
      node = Object.hasOwn(node, token) ? node[token] : undefined;
    } else return undefined;
  }
  return node;
}

/** The container holding the last token, or a failure when any step on the way is missing. */
function parentOf(doc: Json, tokens: readonly string[], missing: () => PatchFailure): Json[] | JsonObject {
  const parent = get(doc, tokens.slice(0, -1));
  if (!Array.isArray(parent) && !isJsonObject(parent)) throw missing();
  return parent;
}

function add(doc: Json, tokens: readonly string[], value: Json, missing: () => PatchFailure): Json {
  const last = tokens.at(-1);
  if (last === undefined) return value;
  const parent = parentOf(doc, tokens, missing);
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : indexOf(last);
    if (i === undefined || i > parent.length) throw missing();
    parent.splice(i, 0, value);
  } else parent[last] = value;
  return doc;
}

function remove(doc: Json, tokens: readonly string[], missing: () => PatchFailure): Json {
  const last = tokens.at(-1);
  if (last === undefined) throw missing();
  const parent = parentOf(doc, tokens, missing);
  if (Array.isArray(parent)) {
    const i = indexOf(last);
    if (i === undefined || i >= parent.length) throw missing();
    parent.splice(i, 1);
  } else {
    if (!Object.hasOwn(parent, last)) throw missing();
    delete parent[last];
  }
  return doc;
}

function deepEqual(a: Json, b: Json): boolean {
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]!));
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k]!, b[k]!))
    );
  }
  return a === b;
}
