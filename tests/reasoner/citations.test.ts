import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/core/diagnosis.js';
import { namesComponent, verifyDiagnosis } from '../../src/reasoner/citations.js';
import { diagnosis, ev, EVIDENCE } from './fixtures.js';

const QUIET = [ev(1, 'frontend', 'Healthy', 'info'), ev(2, 'cart', 'Healthy', 'warning')];

describe('verifyDiagnosis', () => {
  it('keeps a diagnosis whose claims all cite existing evidence', () => {
    const d = diagnosis();
    expect(verifyDiagnosis(d, EVIDENCE)).toEqual({ diagnosis: d, rejected: [] });
  });

  it.each<{
    name: string;
    d: Diagnosis;
    evidence?: typeof EVIDENCE;
    expected: Partial<Diagnosis>;
    reasons: string[];
  }>([
    {
      name: 'drops a hypothesis citing an unknown id',
      d: diagnosis({
        hypotheses: [
          { statement: 'made up', confidence: 0.9, evidence: ['ev-1', 'ev-99'] },
          { statement: 'real', confidence: 0.5, evidence: ['ev-1'] },
        ],
      }),
      expected: { hypotheses: [{ statement: 'real', confidence: 0.5, evidence: ['ev-1'] }] },
      reasons: ['cites evidence that does not exist: ev-99'],
    },
    {
      name: 'drops a proposal citing an unknown id',
      d: diagnosis({
        proposals: [{ kind: 'deletePod', namespace: 'n', name: 'p', rationale: 'r', evidence: ['ev-42'] }],
      }),
      expected: { proposals: [] },
      reasons: ['cites evidence that does not exist: ev-42'],
    },
    {
      name: 'drops a faulty component no cited evidence is about',
      d: diagnosis({ faultyComponents: ['user-service', 'frontend'] }),
      expected: { faultyComponents: ['user-service'] },
      reasons: ['no cited evidence is about it'],
    },
    {
      name: 'keeps a component named in a cited summary',
      d: diagnosis({
        faultyComponents: ['user-service'],
        hypotheses: [{ statement: 'callers fail', confidence: 0.6, evidence: ['ev-2'] }],
        proposals: [],
      }),
      expected: { faultyComponents: ['user-service'] },
      reasons: [],
    },
    {
      name: 'removes the root cause and keeps detected when severe evidence exists',
      d: diagnosis({ hypotheses: [{ statement: 'x', confidence: 0.5, evidence: ['ev-7'] }], proposals: [] }),
      expected: { detected: true, faultyComponents: [], hypotheses: [] },
      reasons: [
        'cites evidence that does not exist: ev-7',
        'no cited evidence is about it',
        'no surviving hypothesis supports it',
      ],
    },
    {
      name: 'turns detected off with no hypothesis and no severe evidence',
      d: { detected: true, faultyComponents: [], hypotheses: [], proposals: [] },
      evidence: QUIET,
      expected: { detected: false },
      reasons: ['no surviving hypothesis and no error or critical evidence'],
    },
    {
      name: 'accepts an honest "No"',
      d: { detected: false, faultyComponents: [], hypotheses: [], proposals: [] },
      evidence: QUIET,
      expected: { detected: false, hypotheses: [] },
      reasons: [],
    },
  ])('$name', ({ d, evidence, expected, reasons }) => {
    const out = verifyDiagnosis(d, evidence ?? EVIDENCE);
    expect(out.diagnosis).toMatchObject(expected);
    expect(out.rejected.map((r) => r.reason)).toEqual(reasons);
    if (reasons.includes('no surviving hypothesis supports it'))
      expect(out.diagnosis.rootCause).toBeUndefined();
  });

  it('does not mutate its input', () => {
    const d = diagnosis({ faultyComponents: ['ghost'] });
    const copy = structuredClone(d);
    verifyDiagnosis(d, EVIDENCE);
    expect(d).toEqual(copy);
  });
});

describe('namesComponent', () => {
  it.each([
    ['user-service', true],
    ['user', false],
    ['USER-SERVICE', true],
    ['mongodb', true],
    ['compose-post', false],
  ])('%s → %s', (component, expected) => {
    expect(namesComponent(EVIDENCE[0]!, component)).toBe(expected);
  });
});
