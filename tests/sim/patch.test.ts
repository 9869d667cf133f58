import { describe, expect, it } from 'vitest';
import type { Json, JsonObject } from '../../aiopslab-harness/sim/api/json.js';
import { cloneJson } from '../../aiopslab-harness/sim/api/json.js';
import { applyPatch } from '../../aiopslab-harness/sim/api/patch.js';
import { ApiError } from '../../aiopslab-harness/sim/api/status.js';

const JSON_PATCH = 'application/json-patch+json';
const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';

function deployment(): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'ns',
      labels: { app: 'web', 'a/b': 'x', 'm~n': 'y' },
      finalizers: ['a'],
    },
    spec: {
      replicas: 2,
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'app:1',
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
              ],
              ports: [{ containerPort: 80, name: 'http' }],
            },
            { name: 'sidecar', image: 'envoy:1' },
          ],
          tolerations: [{ key: 'k', operator: 'Exists' }],
        },
      },
    },
  };
}

function service(): JsonObject {
  return {
    kind: 'Service',
    metadata: { name: 'svc' },
    spec: {
      ports: [
        { name: 'http', port: 80, targetPort: 8080 },
        { name: 'grpc', port: 9090, targetPort: 9090 },
      ],
    },
  };
}

function patch(current: JsonObject, body: Json, type = JSON_PATCH, kind = 'Deployment'): JsonObject {
  return applyPatch(current, JSON.stringify(body), type, { kind });
}

function failure(run: () => unknown): ApiError {
  try {
    run();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

const at = (obj: Json, ...path: (string | number)[]): Json | undefined =>
  path.reduce<Json | undefined>(
    (node, key) => (node as Record<string | number, Json> | undefined)?.[key],
    obj,
  );

describe('JSON Patch (RFC 6902)', () => {
  it.each<[string, Json, (string | number)[], Json | undefined]>([
    ['add a field', [{ op: 'add', path: '/spec/paused', value: true }], ['spec', 'paused'], true],
    [
      'add appends with -',
      [{ op: 'add', path: '/metadata/finalizers/-', value: 'b' }],
      ['metadata', 'finalizers'],
      ['a', 'b'],
    ],
    [
      'add inserts at an index',
      [{ op: 'add', path: '/metadata/finalizers/0', value: 'z' }],
      ['metadata', 'finalizers'],
      ['z', 'a'],
    ],
    ['replace a scalar', [{ op: 'replace', path: '/spec/replicas', value: 5 }], ['spec', 'replicas'], 5],
    [
      'replace through an array index',
      [{ op: 'replace', path: '/spec/template/spec/containers/1/image', value: 'envoy:2' }],
      ['spec', 'template', 'spec', 'containers', 1, 'image'],
      'envoy:2',
    ],
    ['remove a field', [{ op: 'remove', path: '/spec/replicas' }], ['spec', 'replicas'], undefined],
    [
      '~1 escapes a slash',
      [{ op: 'replace', path: '/metadata/labels/a~1b', value: 'z' }],
      ['metadata', 'labels', 'a/b'],
      'z',
    ],
    [
      '~0 escapes a tilde',
      [{ op: 'remove', path: '/metadata/labels/m~0n' }],
      ['metadata', 'labels', 'm~n'],
      undefined,
    ],
    [
      'move',
      [{ op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/tier' }],
      ['metadata', 'labels'],
      { 'a/b': 'x', 'm~n': 'y', tier: 'web' },
    ],
    [
      'copy',
      [{ op: 'copy', from: '/metadata/labels', path: '/spec/template/metadata/labels' }],
      ['spec', 'template', 'metadata', 'labels'],
      { app: 'web', 'a/b': 'x', 'm~n': 'y' },
    ],
    [
      'test then replace',
      [
        { op: 'test', path: '/spec/replicas', value: 2 },
        { op: 'replace', path: '/spec/replicas', value: 3 },
      ],
      ['spec', 'replicas'],
      3,
    ],
  ])('%s', (_name, ops, path, expected) => {
    const current = deployment();
    const before = cloneJson(current);
    expect(at(patch(current, ops), ...path)).toEqual(expected);
    expect(current).toEqual(before);
  });

  it.each<[string, Json, string]>([
    [
      'replace a missing key',
      [{ op: 'replace', path: '/spec/foo', value: 1 }],
      'jsonpatch replace operation does not apply: doc is missing path: "/spec/foo": missing value',
    ],
    [
      'remove a missing key',
      [{ op: 'remove', path: '/spec/foo' }],
      'jsonpatch remove operation does not apply: doc is missing path: "/spec/foo": missing value',
    ],
    [
      'add under a missing parent',
      [{ op: 'add', path: '/nope/x', value: 1 }],
      'jsonpatch add operation does not apply: doc is missing path: "/nope/x": missing value',
    ],
    [
      'add past the end of an array',
      [{ op: 'add', path: '/metadata/finalizers/5', value: 'b' }],
      'doc is missing path',
    ],
    [
      'remove past the end of an array',
      [{ op: 'remove', path: '/metadata/finalizers/1' }],
      'doc is missing path',
    ],
    [
      'an index with a leading zero',
      [{ op: 'replace', path: '/metadata/finalizers/00', value: 'b' }],
      'doc is missing path',
    ],
    [
      'a failed test',
      [{ op: 'test', path: '/spec/replicas', value: 3 }],
      'jsonpatch test operation does not apply: testing value "/spec/replicas" failed',
    ],
    [
      'move from a missing path',
      [{ op: 'move', from: '/spec/x', path: '/spec/y' }],
      'doc is missing from path: "/spec/x"',
    ],
    ['an unknown op', [{ op: 'frobnicate', path: '/spec' }], 'Unexpected kind: frobnicate'],
    ['replacing the root with a scalar', [{ op: 'replace', path: '', value: 1 }], 'is not a JSON object'],
  ])('%s fails with 422', (_name, ops, message) => {
    const err = failure(() => patch(deployment(), ops));
    expect(err.code).toBe(422);
    expect(err.status['reason']).toBe('Invalid');
    expect(err.message).toContain(message);
  });

  it('applies nothing when a later op fails', () => {
    const current = deployment();
    failure(() =>
      patch(current, [
        { op: 'replace', path: '/spec/replicas', value: 9 },
        { op: 'remove', path: '/x' },
      ]),
    );
    expect(at(current, 'spec', 'replicas')).toBe(2);
  });

  it.each<[string, string]>([
    ['{"not":"an array"}', 'json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp'],
    ['"text"', 'json: cannot unmarshal string into Go value of type []handlers.jsonPatchOp'],
    ['[1]', 'json: cannot unmarshal number into Go value of type handlers.jsonPatchOp'],
    ['[{"op":', 'error decoding patch: '],
  ])('rejects %s with 400', (body, message) => {
    const err = failure(() => applyPatch(deployment(), body, JSON_PATCH, { kind: 'Deployment' }));
    expect(err.code).toBe(400);
    expect(err.status['reason']).toBe('BadRequest');
    expect(err.message).toContain(message);
  });
});

describe('JSON merge patch (RFC 7386)', () => {
  it('deletes with null, merges objects, replaces arrays and scalars', () => {
    const current = deployment();
    const out = patch(
      current,
      {
        metadata: { labels: { app: null, new: 'v' }, finalizers: ['b'] },
        spec: { replicas: 1, paused: null },
      },
      MERGE,
    );
    expect(at(out, 'metadata', 'labels')).toEqual({ 'a/b': 'x', 'm~n': 'y', new: 'v' });
    expect(at(out, 'metadata', 'finalizers')).toEqual(['b']);
    expect(at(out, 'spec', 'replicas')).toBe(1);
    expect(at(out, 'metadata', 'labels', 'app')).toBeUndefined();
    expect(at(current, 'metadata', 'labels', 'app')).toBe('web');
  });

  it('replaces a list of containers whole', () => {
    const out = patch(
      deployment(),
      { spec: { template: { spec: { containers: [{ name: 'app', image: 'app:2' }] } } } },
      MERGE,
    );
    expect(at(out, 'spec', 'template', 'spec', 'containers')).toEqual([{ name: 'app', image: 'app:2' }]);
  });

  it('drops nulls inside a newly added object', () => {
    expect(at(patch(deployment(), { status: { a: 1, b: null } }, MERGE), 'status')).toEqual({ a: 1 });
  });

  it.each(['[]', '"x"', '3'])('rejects %s with 400', (body) => {
    expect(failure(() => applyPatch(deployment(), body, MERGE, { kind: 'Deployment' })).code).toBe(400);
  });
});

describe('strategic merge patch', () => {
  const containers = (obj: JsonObject) => at(obj, 'spec', 'template', 'spec', 'containers') as JsonObject[];

  it('changes one container image by name and keeps the other container', () => {
    const out = patch(
      deployment(),
      { spec: { template: { spec: { containers: [{ name: 'app', image: 'app:2' }] } } } },
      STRATEGIC,
    );
    expect(containers(out).map((c) => [c['name'], c['image']])).toEqual([
      ['app', 'app:2'],
      ['sidecar', 'envoy:1'],
    ]);
    expect(containers(out)[0]!['env']).toHaveLength(2);
  });

  it('appends a container whose name is new', () => {
    const out = patch(
      deployment(),
      { spec: { template: { spec: { containers: [{ name: 'extra', image: 'x:1' }] } } } },
      STRATEGIC,
    );
    expect(containers(out).map((c) => c['name'])).toEqual(['app', 'sidecar', 'extra']);
  });

  it('removes an env var with $patch: delete and merges another by name', () => {
    const env = [
      { name: 'A', $patch: 'delete' },
      { name: 'B', value: '20' },
      { name: 'C', value: '3' },
    ];
    const out = patch(
      deployment(),
      { spec: { template: { spec: { containers: [{ name: 'app', env }] } } } },
      STRATEGIC,
    );
    expect(containers(out)[0]!['env']).toEqual([
      { name: 'B', value: '20' },
      { name: 'C', value: '3' },
    ]);
  });

  it('merges container ports by containerPort', () => {
    const ports = [{ containerPort: 80, protocol: 'TCP' }];
    const out = patch(
      deployment(),
      { spec: { template: { spec: { containers: [{ name: 'app', ports }] } } } },
      STRATEGIC,
    );
    expect(containers(out)[0]!['ports']).toEqual([{ containerPort: 80, name: 'http', protocol: 'TCP' }]);
  });

  it('changes a service targetPort by port and keeps the port name', () => {
    const out = patch(service(), { spec: { ports: [{ port: 80, targetPort: 8081 }] } }, STRATEGIC, 'Service');
    expect(at(out, 'spec', 'ports')).toEqual([
      { name: 'http', port: 80, targetPort: 8081 },
      { name: 'grpc', port: 9090, targetPort: 9090 },
    ]);
  });

  it('replaces lists without a merge key (tolerations)', () => {
    const tolerations = [{ key: 'other', operator: 'Exists' }];
    const out = patch(deployment(), { spec: { template: { spec: { tolerations } } } }, STRATEGIC);
    expect(at(out, 'spec', 'template', 'spec', 'tolerations')).toEqual(tolerations);
  });

  it('strips $setElementOrder and other directives from the result', () => {
    const body = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }],
            containers: [{ name: 'app', image: 'app:3' }],
          },
        },
      },
    };
    const out = patch(deployment(), body, STRATEGIC);
    expect(JSON.stringify(out)).not.toContain('$');
    expect(containers(out).map((c) => c['image'])).toEqual(['app:3', 'envoy:1']);
  });

  it.each<[string, JsonObject, (string | number)[], Json | undefined]>([
    ['null deletes a field', { spec: { replicas: null } }, ['spec', 'replicas'], undefined],
    [
      '$patch: replace replaces an object',
      { metadata: { labels: { $patch: 'replace', only: 'me' } } },
      ['metadata', 'labels'],
      { only: 'me' },
    ],
    [
      '$patch: delete deletes an object',
      { spec: { template: { metadata: { $patch: 'delete' } } } },
      ['spec', 'template', 'metadata'],
      undefined,
    ],
    [
      '$patch: replace in a list replaces the list',
      {
        spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'solo', image: 's:1' }] } } },
      },
      ['spec', 'template', 'spec', 'containers'],
      [{ name: 'solo', image: 's:1' }],
    ],
    [
      '$retainKeys keeps only the listed keys',
      { spec: { $retainKeys: ['replicas', 'paused'], paused: true } },
      ['spec'],
      { replicas: 2, paused: true },
    ],
    [
      'finalizers merge as a set',
      { metadata: { finalizers: ['a', 'b'] } },
      ['metadata', 'finalizers'],
      ['a', 'b'],
    ],
    [
      '$deleteFromPrimitiveList removes finalizers',
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
      ['metadata', 'finalizers'],
      [],
    ],
  ])('%s', (_name, body, path, expected) => {
    const current = deployment();
    const before = cloneJson(current);
    expect(at(patch(current, body, STRATEGIC), ...path)).toEqual(expected);
    expect(current).toEqual(before);
  });

  it('merges status conditions by type', () => {
    const pod: JsonObject = {
      metadata: { name: 'p' },
      status: {
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'PodScheduled', status: 'True' },
        ],
      },
    };
    const out = patch(
      pod,
      { status: { conditions: [{ type: 'Ready', status: 'False' }] } },
      STRATEGIC,
      'Pod',
    );
    expect(at(out, 'status', 'conditions')).toEqual([
      { type: 'Ready', status: 'False' },
      { type: 'PodScheduled', status: 'True' },
    ]);
  });

  it('merges a Pod spec containers list by name too', () => {
    const pod: JsonObject = {
      metadata: { name: 'p' },
      spec: {
        containers: [
          { name: 'a', image: 'a:1' },
          { name: 'b', image: 'b:1' },
        ],
      },
    };
    const out = patch(pod, { spec: { containers: [{ name: 'b', image: 'b:2' }] } }, STRATEGIC, 'Pod');
    expect(at(out, 'spec', 'containers')).toEqual([
      { name: 'a', image: 'a:1' },
      { name: 'b', image: 'b:2' },
    ]);
  });

  it('patches a Scale', () => {
    const scale: JsonObject = { kind: 'Scale', metadata: { name: 'web' }, spec: { replicas: 1 } };
    expect(at(patch(scale, { spec: { replicas: 4 } }, STRATEGIC, 'Scale'), 'spec', 'replicas')).toBe(4);
  });

  it('rejects a keyed element without its merge key', () => {
    const body = { spec: { template: { spec: { containers: [{ image: 'x' }] } } } };
    const err = failure(() => patch(deployment(), body, STRATEGIC));
    expect(err.code).toBe(400);
    expect(err.message).toContain('does not contain declared merge key: name');
  });
});

describe('content types', () => {
  it.each(['application/apply-patch+yaml', 'application/json', 'text/plain', ''])(
    'answers 415 for %j',
    (type) => {
      const err = failure(() => applyPatch(deployment(), '{}', type, { kind: 'Deployment' }));
      expect(err.code).toBe(415);
      expect(err.status['reason']).toBe('UnsupportedMediaType');
      expect(err.message).toContain(
        'application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json',
      );
    },
  );
});
