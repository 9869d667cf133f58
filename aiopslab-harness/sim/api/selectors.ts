/** Label and field selectors, parsed and matched with the grammar and wording of the real API server. */
import type { Json, JsonObject } from './json.js';
import { isJsonObject } from './json.js';
import { RESOURCES } from './resources.js';
import { badRequest } from './status.js';

export type LabelOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Equals' | 'NotEquals' | 'Gt' | 'Lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

// ---- label selectors ----

type Token = { kind: 'id' | 'op'; text: string } | { kind: 'end'; text: '' };

const SPECIAL = new Set(['!', '=', '<', '>', '(', ')', ',']);
const SYMBOLS = ['!=', '==', '=', '!', '(', ')', ',', '<', '>'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (SPECIAL.has(ch)) {
      const symbol = SYMBOLS.find((s) => text.startsWith(s, i))!;
      tokens.push({ kind: 'op', text: symbol });
      i += symbol.length;
    } else {
      let j = i;
      while (j < text.length && !SPECIAL.has(text[j]!) && !/\s/.test(text[j]!)) j++;
      const word = text.slice(i, j);
      tokens.push({ kind: word === 'in' || word === 'notin' ? 'op' : 'id', text: word });
      i = j;
    }
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

function parseFailure(reason: string): never {
  throw badRequest(`unable to parse requirement: ${reason}`);
}

const OPERATORS: Record<string, LabelOperator> = {
  '=': 'Equals',
  '==': 'Equals',
  '!=': 'NotEquals',
  in: 'In',
  notin: 'NotIn',
  '>': 'Gt',
  '<': 'Lt',
};

/** Parses `a=b,c!=d,e in (f,g),h notin (i),j,!k,l>3` into requirements; '' selects everything. */
export function parseLabelSelector(text: string): LabelRequirement[] {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token => tokens[pos]!;
  const next = (): Token => tokens[pos++]!;
  const reqs: LabelRequirement[] = [];
  if (peek().kind === 'end') return reqs;
  for (;;) {
    reqs.push(parseRequirement(peek, next));
    const after = next();
    if (after.kind === 'end') return reqs;
    if (after.text !== ',') parseFailure(`found '${after.text}', expected: ',' or 'end of string'`);
  }
}

function parseRequirement(peek: () => Token, next: () => Token): LabelRequirement {
  let first = next();
  const negated = first.kind === 'op' && first.text === '!';
  if (negated) first = next();
  if (first.kind !== 'id') parseFailure(`found '${first.text}', expected: !, identifier, or 'end of string'`);
  const key = first.text;
  validateKey(key);
  const following = peek();
  if (following.kind === 'end' || following.text === ',') {
    return { key, operator: negated ? 'DoesNotExist' : 'Exists', values: [] };
  }
  if (negated) parseFailure(`found '${following.text}', expected: ',' or 'end of string'`);
  const opToken = next();
  const operator = opToken.kind === 'op' ? OPERATORS[opToken.text] : undefined;
  if (!operator) parseFailure(`found '${opToken.text}', expected: [!= < = == > in notin]`);
  const values =
    operator === 'In' || operator === 'NotIn' ? parseValueSet(next) : [parseExactValue(peek, next)];
  if (operator === 'In' || operator === 'NotIn') {
    if (values.length === 0) parseFailure(`for 'in', 'notin' operators, values set can't be empty`);
  }
  if ((operator === 'Gt' || operator === 'Lt') && !/^-?[0-9]+$/.test(values[0]!)) {
    parseFailure(`for 'Gt', 'Lt' operators, the value must be an integer`);
  }
  values.forEach((value, i) => validateValue(key, value, i));
  return { key, operator, values };
}

function parseExactValue(peek: () => Token, next: () => Token): string {
  const token = peek();
  if (token.kind === 'end' || token.text === ',') return '';
  next();
  if (token.kind !== 'id') parseFailure(`found '${token.text}', expected: identifier`);
  return token.text;
}

function parseValueSet(next: () => Token): string[] {
  const open = next();
  if (open.text !== '(') parseFailure(`found '${open.text}', expected: '('`);
  const values: string[] = [];
  let token = next();
  if (token.text === ')') return values;
  for (;;) {
    if (token.kind === 'id') {
      values.push(token.text);
      token = next();
    } else if (token.text === ',' || token.text === ')') {
      values.push(''); // "(a,)" and "(,a)" carry an empty value, as in Kubernetes
    } else {
      parseFailure(`found '${token.text}', expected: ',', ')' or identifier`);
    }
    if (token.text === ')') return values;
    if (token.text !== ',') parseFailure(`found '${token.text}', expected: ',' or ')'`);
    token = next();
  }
}

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAME_RULE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_RULE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/** A qualified name: an optional DNS-subdomain prefix and "/", then a name of at most 63 characters. */
function validateKey(key: string): void {
  const invalidKey = (why: string): never => parseFailure(`key: Invalid value: "${key}": ${why}`);
  const parts = key.split('/');
  if (parts.length > 2) {
    invalidKey(
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    );
  }
  const name = parts.at(-1)!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix.length === 0) invalidKey('prefix part must be non-empty');
    if (prefix.length > 253) invalidKey('prefix part must be no more than 253 characters');
    if (!SUBDOMAIN.test(prefix)) {
      invalidKey(
        "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
      );
    }
  }
  if (name.length === 0) invalidKey('name part must be non-empty');
  if (name.length > 63) invalidKey('name part must be no more than 63 characters');
  if (!NAME.test(name)) invalidKey(NAME_RULE);
}

function validateValue(key: string, value: string, index: number): void {
  const where = `values[${index}][${key}]: Invalid value: "${value}"`;
  if (value.length > 63) parseFailure(`${where}: must be no more than 63 characters`);
  if (value !== '' && !NAME.test(value)) parseFailure(`${where}: ${VALUE_RULE}`);
}

export function matchesLabels(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  return reqs.every((req) => {
    const value = labels !== undefined && Object.hasOwn(labels, req.key) ? labels[req.key] : undefined;
    switch (req.operator) {
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      case 'Equals':
      case 'In':
        return value !== undefined && req.values.includes(value);
      case 'NotEquals':
      case 'NotIn':
        return value === undefined || !req.values.includes(value);
      case 'Gt':
      case 'Lt': {
        if (value === undefined || !/^-?[0-9]+$/.test(value)) return false;
        const have = Number(value);
        const bound = Number(req.values[0]);
        return req.operator === 'Gt' ? have > bound : have < bound;
      }
    }
  });
}

// ---- field selectors ----

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

const EXTRA_FIELDS: Record<string, readonly string[]> = {
  pods: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.podIPs',
    'status.nominatedNodeName',
  ],
  events: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  secrets: ['type'],
  nodes: ['spec.unschedulable'],
  namespaces: ['status.phase'],
  replicasets: ['status.replicas'],
};

/** The fields the real API server lets a fieldSelector name for a resource. */
export function fieldSelectorFields(plural: string): readonly string[] {
  const namespaced = RESOURCES.find((r) => r.plural === plural)?.namespaced ?? true;
  const common = namespaced ? ['metadata.name', 'metadata.namespace'] : ['metadata.name'];
  return [...common, ...(EXTRA_FIELDS[plural] ?? [])];
}

/** Splits on unescaped commas; a backslash escapes the next character, as in Kubernetes field selectors. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) current += ch + text[++i]!;
    else if (ch === ',') {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms;
}

const unescape = (s: string): string => s.replace(/\\(.)/g, '$1');

export function parseFieldSelector(text: string, allowed: readonly string[]): FieldRequirement[] {
  if (text.trim() === '') return [];
  return splitTerms(text).map((term) => {
    const match = /^(.*?)(!=|==|=)(.*)$/s.exec(term);
    const field = match?.[1]?.trim();
    if (!match || !field)
      throw badRequest(`invalid field selector: invalid selector: '${text}'; can't understand '${term}'`);
    if (!allowed.includes(field)) throw badRequest(`field label not supported: ${field}`);
    return { field, operator: match[2] === '!=' ? '!=' : '=', value: unescape(match[3]!.trim()) };
  });
}

/** Fields whose unset value still renders (Go zero values), so `spec.nodeName=` matches unscheduled pods. */
const ZERO_VALUES: Record<string, string> = {
  'spec.hostNetwork': 'false',
  'spec.unschedulable': 'false',
  'status.replicas': '0',
};
const SELECTABLE = new Set([...Object.values(EXTRA_FIELDS).flat(), 'metadata.name', 'metadata.namespace']);

function lookup(obj: JsonObject, path: string): Json | undefined {
  let node: Json | undefined = obj;
  for (const part of path.split('.')) node = isJsonObject(node) ? node[part] : undefined;
  return node;
}

function render(value: Json | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  return undefined;
}

/**
 * A field as the API server renders it for selection. Special cases: `status.podIPs` joins the IPs with
 * commas; an event's `source` is `source.component`, else `reportingComponent`; unset selectable fields are
 * their Go zero value ('' for strings).
 */
export function getFieldValue(obj: JsonObject, path: string): string | undefined {
  let value: string | undefined;
  if (path === 'status.podIPs') {
    const ips = lookup(obj, path);
    value = Array.isArray(ips)
      ? ips.map((ip) => (isJsonObject(ip) ? render(ip['ip']) : undefined) ?? '').join(',')
      : undefined;
  } else if (path === 'source') {
    value = render(lookup(obj, 'source.component')) || render(obj['reportingComponent']);
  } else {
    value = render(lookup(obj, path));
  }
  if (value !== undefined) return value;
  return SELECTABLE.has(path) ? (ZERO_VALUES[path] ?? '') : undefined;
}

export function matchesFields(reqs: FieldRequirement[], get: (path: string) => string | undefined): boolean {
  return reqs.every((req) => ((get(req.field) ?? '') === req.value) === (req.operator === '='));
}
