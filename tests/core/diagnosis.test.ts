import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Diagnosis } from '../../src/core/diagnosis.js';
import { Evidence } from '../../src/core/evidence.js';

const diagnosis = {
  detected: true,
  faultyComponents: ['user-service'],
  rootCause: {
    systemLevel: 'Application',
    faultType: 'Misconfiguration',
    summary: 'targetPort 9999 has no listener',
  },
  hypotheses: [{ statement: 'Service targetPort is wrong', confidence: 0.9, evidence: ['ev-1', 'ev-2'] }],
  proposals: [
    {
      kind: 'patchService',
      namespace: 'test-social-network',
      name: 'user-service',
      ports: [{ port: 9090, targetPort: 9090 }],
      rationale: 'point the Service at the container port',
      evidence: ['ev-1'],
    },
  ],
};

describe('Diagnosis', () => {
  it('accepts a full diagnosis and a healthy one', () => {
    expect(Diagnosis.safeParse(diagnosis).success).toBe(true);
    expect(
      Diagnosis.safeParse({ detected: false, faultyComponents: [], hypotheses: [], proposals: [] }).success,
    ).toBe(true);
  });

  it.each([
    ['confidence above 1', { hypotheses: [{ statement: 's', confidence: 1.2, evidence: ['ev-1'] }] }],
    ['an unknown fault type', { rootCause: { systemLevel: 'Application', faultType: 'Bug', summary: 's' } }],
    [
      'an unknown system level',
      { rootCause: { systemLevel: 'Kernel', faultType: 'Code Defect', summary: 's' } },
    ],
  ])('rejects %s', (_label, patch) => {
    expect(Diagnosis.safeParse({ ...diagnosis, ...patch }).success).toBe(false);
  });

  it.each(['input', 'output'] as const)('converts to JSON schema (%s)', (io) => {
    const schema = z.toJSONSchema(Diagnosis, { io }) as {
      type: string;
      properties: Record<string, { description?: string; type?: string }>;
    };
    expect(schema.type).toBe('object');
    expect(schema.properties.proposals?.type).toBe('array');
    expect(schema.properties.detected?.description).toBe('True if there is an anomaly or fault');
  });
});

describe('Evidence', () => {
  const evidence = {
    id: 'ev-3',
    source: 'events',
    subject: { kind: 'Pod', namespace: 'ns', name: 'p' },
    signal: 'CrashLoopBackOff',
    severity: 'error',
    summary: 'back-off restarting failed container',
    observedAt: '2025-01-01T00:00:00Z',
  };

  it.each([
    ['valid', {}, true],
    ['a non-ISO time', { observedAt: 'yesterday' }, false],
    ['a long signal', { signal: 'x'.repeat(65) }, false],
    ['a long excerpt', { excerpt: 'x'.repeat(2001) }, false],
    ['a bad id', { id: 'ev3' }, false],
  ])('%s', (_label, patch, valid) => {
    expect(Evidence.safeParse({ ...evidence, ...patch }).success).toBe(valid);
  });
});
