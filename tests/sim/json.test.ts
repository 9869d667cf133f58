import { describe, expect, it } from 'vitest';
import type { Json, JsonObject } from '../../aiopslab-harness/sim/api/json.js';
import { cloneJson, sameJson } from '../../aiopslab-harness/sim/api/json.js';

const pod: JsonObject = {
  metadata: { name: 'geo-1', labels: { app: 'geo' }, ownerReferences: [{ kind: 'ReplicaSet', uid: 'u' }] },
  spec: { containers: [{ name: 'geo', ports: [{ containerPort: 8083 }], command: ['geo'] }], nodeName: null },
  status: { phase: 'Running', ready: true, restartCount: 0 },
};

describe('cloneJson', () => {
  it('copies deeply: changing the copy leaves the original alone', () => {
    const copy = cloneJson(pod);
    expect(copy).toEqual(pod);
    ((copy['spec'] as JsonObject)['containers'] as JsonObject[])[0]!['name'] = 'changed';
    expect(JSON.stringify(pod)).toContain('"name":"geo"');
  });

  it('keeps a "__proto__" key from a request body as a plain field, never as the prototype', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as JsonObject;
    const copy = cloneJson(hostile);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(JSON.stringify(copy)).toBe(JSON.stringify(hostile));
  });
});

describe('sameJson', () => {
  const cases: [Json | undefined, Json | undefined][] = [
    [pod, cloneJson(pod)],
    [pod, { ...pod, status: { phase: 'Pending' } }],
    [
      { a: 1, b: 2 },
      { b: 2, a: 1 },
    ],
    [{ a: 1 }, { a: 1, b: undefined } as unknown as Json],
    [
      [1, 2],
      [1, 2, 3],
    ],
    [[], {}],
    [null, {}],
    ['1', 1],
    [{ a: [{ b: null }] }, { a: [{ b: null }] }],
    [undefined, undefined],
    [{ a: 1 }, undefined],
  ];
  it.each(cases)('agrees with comparing JSON texts: %j vs %j', (a, b) => {
    expect(sameJson(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
  });
});
