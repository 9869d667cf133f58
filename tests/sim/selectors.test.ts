import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../aiopslab-harness/sim/api/json.js';
import type { LabelRequirement } from '../../aiopslab-harness/sim/api/selectors.js';
import {
  fieldSelectorFields,
  getFieldValue,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from '../../aiopslab-harness/sim/api/selectors.js';
import { ApiError } from '../../aiopslab-harness/sim/api/status.js';

function failure(run: () => unknown): ApiError {
  try {
    run();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

const labels = {
  app: 'web',
  tier: 'frontend',
  'app.kubernetes.io/name': 'geo',
  'io.kompose.service': 'geo',
  weight: '5',
};

describe('label selector parsing', () => {
  it.each<[string, LabelRequirement[]]>([
    ['', []],
    ['   ', []],
    ['app=web', [{ key: 'app', operator: 'Equals', values: ['web'] }]],
    ['app==web', [{ key: 'app', operator: 'Equals', values: ['web'] }]],
    ['app!=web', [{ key: 'app', operator: 'NotEquals', values: ['web'] }]],
    ['app=', [{ key: 'app', operator: 'Equals', values: [''] }]],
    ['app in (web, api)', [{ key: 'app', operator: 'In', values: ['web', 'api'] }]],
    ['app notin (web)', [{ key: 'app', operator: 'NotIn', values: ['web'] }]],
    ['app', [{ key: 'app', operator: 'Exists', values: [] }]],
    ['!app', [{ key: 'app', operator: 'DoesNotExist', values: [] }]],
    ['weight>3', [{ key: 'weight', operator: 'Gt', values: ['3'] }]],
    ['weight<3', [{ key: 'weight', operator: 'Lt', values: ['3'] }]],
    [
      ' app.kubernetes.io/name = geo , !gone,io.kompose.service in(geo)',
      [
        { key: 'app.kubernetes.io/name', operator: 'Equals', values: ['geo'] },
        { key: 'gone', operator: 'DoesNotExist', values: [] },
        { key: 'io.kompose.service', operator: 'In', values: ['geo'] },
      ],
    ],
  ])('parses %j', (text, expected) => {
    expect(parseLabelSelector(text)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['=x', "unable to parse requirement: found '=', expected: !, identifier, or 'end of string'"],
    ['a in b', "unable to parse requirement: found 'b', expected: '('"],
    ['a in ()', "values set can't be empty"],
    ['a b', "found 'b', expected: [!= < = == > in notin]"],
    ['a=b=c', "found '=', expected: ',' or 'end of string'"],
    ['a=b,', "found '', expected: !, identifier, or 'end of string'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['a>b', 'the value must be an integer'],
    ['-a=b', 'key: Invalid value: "-a"'],
    ['Example.com/a=b', 'prefix part'],
    ['a/b/c=d', 'key: Invalid value: "a/b/c"'],
    [`${'k'.repeat(64)}=v`, 'name part must be no more than 63 characters'],
    [`a=${'v'.repeat(64)}`, 'must be no more than 63 characters'],
    ['a=b_', 'values[0][a]: Invalid value: "b_"'],
  ])('rejects %j with 400', (text, message) => {
    const err = failure(() => parseLabelSelector(text));
    expect(err.code).toBe(400);
    expect(err.status['reason']).toBe('BadRequest');
    expect(err.message).toContain(message);
  });
});

describe('label selector matching', () => {
  it.each<[string, boolean]>([
    ['', true],
    ['app=web', true],
    ['app=api', false],
    ['app!=api', true],
    ['missing!=x', true],
    ['app in (api,web)', true],
    ['app in (api)', false],
    ['app notin (api)', true],
    ['missing notin (api)', true],
    ['app notin (web)', false],
    ['tier', true],
    ['missing', false],
    ['!missing', true],
    ['!tier', false],
    ['weight>3', true],
    ['weight<3', false],
    ['app>3', false],
    ['app.kubernetes.io/name=geo,io.kompose.service=geo', true],
    ['app=web,tier=backend', false],
  ])('%j matches: %s', (text, expected) => {
    expect(matchesLabels(parseLabelSelector(text), labels)).toBe(expected);
  });

  it('treats absent labels as an empty set', () => {
    expect(matchesLabels(parseLabelSelector('!app'), undefined)).toBe(true);
    expect(matchesLabels(parseLabelSelector('app'), undefined)).toBe(false);
  });
});

const pod = (name: string, phase: string, nodeName?: string): JsonObject => ({
  kind: 'Pod',
  metadata: { name, namespace: 'ns' },
  spec: nodeName ? { nodeName, restartPolicy: 'Always' } : { restartPolicy: 'Always' },
  status: { phase, podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }] },
});

const event: JsonObject = {
  kind: 'Event',
  metadata: { name: 'web.1', namespace: 'ns' },
  involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'ns' },
  reason: 'BackOff',
  type: 'Warning',
  source: { component: 'kubelet' },
};

function select(objects: JsonObject[], plural: string, text: string): string[] {
  const reqs = parseFieldSelector(text, fieldSelectorFields(plural));
  return objects
    .filter((o) => matchesFields(reqs, (path) => getFieldValue(o, path)))
    .map((o) => (o['metadata'] as { name: string }).name);
}

describe('field selectors', () => {
  const pods = [pod('a', 'Running', 'node-1'), pod('b', 'Pending'), pod('c', 'Running', 'node-2')];

  it.each<[string, string[]]>([
    ['', ['a', 'b', 'c']],
    ['status.phase=Running', ['a', 'c']],
    ['status.phase==Running', ['a', 'c']],
    ['status.phase!=Running', ['b']],
    ['spec.nodeName=', ['b']],
    ['spec.nodeName!=', ['a', 'c']],
    ['spec.nodeName=node-1,status.phase=Running', ['a']],
    ['metadata.name=c', ['c']],
    ['metadata.namespace=ns,metadata.name!=a', ['b', 'c']],
    ['spec.hostNetwork=false', ['a', 'b', 'c']],
  ])('pods %j → %j', (text, expected) => {
    expect(select(pods, 'pods', text)).toEqual(expected);
  });

  it.each<[string, string[]]>([
    ['involvedObject.name=web-1', ['web.1']],
    ['involvedObject.name=x', []],
    ['involvedObject.kind=Pod,type=Warning', ['web.1']],
    ['reason!=BackOff', []],
    ['source=kubelet', ['web.1']],
  ])('events %j → %j', (text, expected) => {
    expect(select([event], 'events', text)).toEqual(expected);
  });

  it.each<[string, string, string]>([
    ['pods', 'spec.foo=bar', 'field label not supported: spec.foo'],
    ['services', 'status.phase=Running', 'field label not supported: status.phase'],
    ['nodes', 'metadata.namespace=x', 'field label not supported: metadata.namespace'],
    [
      'pods',
      'status.phase',
      "invalid field selector: invalid selector: 'status.phase'; can't understand 'status.phase'",
    ],
    ['pods', '=Running', 'invalid field selector'],
  ])('%s %j answers 400', (plural, text, message) => {
    const err = failure(() => parseFieldSelector(text, fieldSelectorFields(plural)));
    expect(err.code).toBe(400);
    expect(err.message).toContain(message);
  });

  it.each<[string, readonly string[]]>([
    ['nodes', ['metadata.name', 'spec.unschedulable']],
    ['namespaces', ['metadata.name', 'status.phase']],
    ['secrets', ['metadata.name', 'metadata.namespace', 'type']],
    ['replicasets', ['metadata.name', 'metadata.namespace', 'status.replicas']],
    ['deployments', ['metadata.name', 'metadata.namespace']],
  ])('%s supports %j', (plural, fields) => {
    expect(fieldSelectorFields(plural)).toEqual(fields);
  });

  it.each<[JsonObject, string, string | undefined]>([
    [pod('a', 'Running'), 'status.podIPs', '10.0.0.1,fd00::1'],
    [pod('a', 'Running'), 'spec.nodeName', ''],
    [pod('a', 'Running'), 'spec.unknownField', undefined],
    [{ spec: { unschedulable: true } }, 'spec.unschedulable', 'true'],
    [{ status: { replicas: 3 } }, 'status.replicas', '3'],
    [{ status: {} }, 'status.replicas', '0'],
    [{ kind: 'Event', reportingComponent: 'controller' }, 'source', 'controller'],
  ])('renders %j %s as %j', (obj, path, expected) => {
    expect(getFieldValue(obj, path)).toBe(expected);
  });

  it('parses an escaped comma in a value', () => {
    expect(parseFieldSelector('metadata.name=a\\,b', ['metadata.name'])).toEqual([
      { field: 'metadata.name', operator: '=', value: 'a,b' },
    ]);
  });
});
