import type { Diagnosis } from '../../src/core/diagnosis.js';
import type { Evidence, Severity } from '../../src/core/evidence.js';

export function ev(
  n: number,
  name: string,
  signal: string,
  severity: Severity = 'error',
  extra: Partial<Evidence> = {},
): Evidence {
  return {
    id: `ev-${n}`,
    source: 'kubernetes',
    subject: { kind: 'Pod', namespace: 'test-social', name },
    signal,
    severity,
    summary: `${name}: ${signal}`,
    observedAt: '2026-11-25T03:00:00Z',
    ...extra,
  };
}

export const EVIDENCE: Evidence[] = [
  ev(1, 'user-service-7d9f8c6b5-abcde', 'CrashLoopBackOff', 'error', {
    excerpt: 'panic: cannot connect to mongodb',
  }),
  ev(2, 'compose-post-5c4b9d7f6-xyz12', 'ErrorRateHigh', 'warning', {
    source: 'metrics',
    summary: 'compose-post calls to user-service fail (52% errors)',
  }),
  ev(3, 'frontend', 'Healthy', 'info', {
    subject: { kind: 'Service', namespace: 'test-social', name: 'frontend' },
  }),
];

export function diagnosis(overrides: Partial<Diagnosis> = {}): Diagnosis {
  return {
    detected: true,
    faultyComponents: ['user-service'],
    rootCause: {
      systemLevel: 'Application',
      faultType: 'Misconfiguration',
      summary: 'user-service cannot reach mongodb',
    },
    hypotheses: [{ statement: 'user-service crashes on start', confidence: 0.8, evidence: ['ev-1'] }],
    proposals: [
      {
        kind: 'rolloutRestart',
        namespace: 'test-social',
        name: 'user-service',
        workload: 'Deployment',
        rationale: 'restart after fixing config',
        evidence: ['ev-1'],
      },
    ],
    ...overrides,
  };
}
