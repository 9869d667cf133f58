import { describe, expect, it } from 'vitest';
import { diffLines, flatten, formatDuration } from '../../src/tui/format.js';
import { initialState, phaseSteps, reduce, shownVerdict, sortEvidence } from '../../src/tui/model.js';
import { KeyApprover, observingReasoner } from '../../src/tui/session.js';
import { colorWanted, makeTheme } from '../../src/tui/theme.js';
import { EVIDENCE, FIX, REASONING } from './fixtures.js';

describe('tui model', () => {
  it('follows an incident through its phases', () => {
    let s = reduce(initialState(), { type: 'run-start', at: 0 });
    expect(s.run).toBe(1);
    s = reduce(s, { type: 'incident', event: { type: 'phase-start', phase: 'observe' }, at: 10 });
    expect(s.phases.observe).toEqual({ status: 'running', startedAt: 10 });
    s = reduce(s, { type: 'observed', evidence: EVIDENCE });
    s = reduce(s, {
      type: 'incident',
      event: { type: 'phase-end', phase: 'observe', durationMs: 5, summary: '3 evidence item(s)' },
      at: 15,
    });
    expect(s.phases.observe.status).toBe('done');
    expect(phaseSteps(s, 'observe')).toBe('3 ev');
    s = reduce(s, { type: 'diagnosed', diagnosis: REASONING.diagnosis, steps: 2, verdicts: [] });
    expect(phaseSteps(s, 'reason')).toBe('2 steps');
    s = reduce(s, {
      type: 'incident',
      event: { type: 'phase-end', phase: 'reason', durationMs: 1, summary: 'failed: model down' },
      at: 16,
    });
    expect(s.phases.reason.status).toBe('failed');
    s = reduce(s, { type: 'run-failed', message: 'model down' });
    expect(s).toMatchObject({ runStatus: 'failed', notice: 'failed: model down' });
    // A re-run starts clean but keeps the audit tail.
    s = reduce({ ...s, audit: [] }, { type: 'run-start', at: 20 });
    expect(s).toMatchObject({ run: 2, runStatus: 'running', evidence: [] });
  });

  it('matches an approval request to its proposal', () => {
    let s = reduce(initialState(), {
      type: 'diagnosed',
      diagnosis: REASONING.diagnosis,
      steps: 1,
      verdicts: [],
    });
    s = reduce(s, {
      type: 'approval-requested',
      request: {
        action: { ...FIX },
        decision: { effect: 'approve', ruleId: 'r', reason: 'x' },
        dryRun: { ok: true },
        blastRadius: { objects: [], pods: [] },
      },
    });
    expect(s.pending?.index).toBe(0);
    s = reduce(s, { type: 'approval-answered', answer: 'rejected' });
    expect(s.pending).toBeUndefined();
    expect(s.notice).toBe('rejected');
  });

  it.each([
    [{ detected: false, resolved: null, rounds: null, remaining: 0 }, 'healthy: no fault found'],
    [
      { detected: true, resolved: true, rounds: 2, remaining: 0 },
      'RESOLVED: verified, incident cleared after 2 look(s)',
    ],
    [{ detected: true, resolved: false, rounds: 9, remaining: 4 }, 'NOT RESOLVED: 4 severe item(s) remain'],
    [{ detected: true, resolved: null, rounds: null, remaining: 0 }, 'incident found; nothing applied'],
  ])('ends a run with %o as %s', (end, notice) => {
    expect(reduce(initialState(), { type: 'run-end', end }).notice).toBe(notice);
  });

  it("shows the executor's own decision over the static verdict once it has one", () => {
    let s = reduce(initialState(), {
      type: 'diagnosed',
      diagnosis: REASONING.diagnosis,
      steps: 1,
      verdicts: [{ effect: 'deny', rule: 'scale', reason: 'replica change unknown' }],
    });
    expect(shownVerdict(s, 0)?.effect).toBe('deny');
    s = reduce(s, {
      type: 'incident',
      at: 1,
      event: {
        type: 'action',
        proposal: FIX,
        result: {
          status: 'verified',
          decision: { effect: 'allow', ruleId: 'scale', reason: 'ok' },
          dryRun: null,
          message: 'done',
        },
      },
    });
    expect(shownVerdict(s, 0)).toEqual({ effect: 'allow', rule: 'scale', reason: 'ok' });
    expect(s.notice).toBe('patchService: verified');
  });

  it('sorts evidence by severity, then id', () => {
    expect(sortEvidence(EVIDENCE, 'severity').map((e) => e.id)).toEqual(['ev-2', 'ev-1', 'ev-3']);
    expect(sortEvidence([...EVIDENCE].reverse(), 'id').map((e) => e.id)).toEqual(['ev-1', 'ev-2', 'ev-3']);
  });
});

describe('tui format', () => {
  it.each([
    [12, '12ms'],
    [668, '0.7s'],
    [1234, '1.2s'],
    [15_400, '15s'],
    [75_000, '1m15s'],
  ])('formats %d ms as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it('diffs what an action sets against the current object, changes first', () => {
    expect(diffLines(FIX, { kind: 'Service', ports: [{ port: 9090, targetPort: 9999 }] })).toEqual([
      { sign: '-', text: 'ports[0].targetPort: 9999' },
      { sign: '+', text: 'ports[0].targetPort: 9090' },
      { sign: ' ', text: 'ports[0].port: 9090' },
    ]);
    expect(diffLines(FIX, undefined).every((l) => l.sign === '+')).toBe(true);
    expect([...flatten({ a: [], b: { c: null } })]).toEqual([
      ['a', '[]'],
      ['b.c', 'null'],
    ]);
  });
});

describe('tui session', () => {
  it('answers only approve-effect requests by key, one at a time', async () => {
    const seen: string[] = [];
    const keys = new KeyApprover((r) => seen.push(r.action.kind));
    const request = {
      action: FIX,
      decision: { effect: 'approve' as const, ruleId: 'r', reason: 'x' },
      dryRun: { ok: true },
      blastRadius: { objects: [], pods: [] },
    };
    expect(await keys.approve({ ...request, decision: { ...request.decision, effect: 'allow' } })).toBe(
      'rejected',
    );
    expect(keys.answer('approved')).toBe(false);
    const answer = keys.approve(request);
    expect(keys.waiting).toBe(true);
    expect(keys.answer('approved')).toBe(true);
    expect(await answer).toBe('approved');
    expect(seen).toEqual(['patchService']);
  });

  it('passes evidence and diagnosis through the wrapped reasoner', async () => {
    const seen: string[] = [];
    const reasoner = observingReasoner(
      { name: 'fake', diagnose: () => Promise.resolve(REASONING) },
      {
        onEvidence: (ev) => seen.push(`ev:${ev.length}`),
        onDiagnosis: (r) => seen.push(`dx:${r.diagnosis.detected}`),
      },
    );
    expect(reasoner.name).toBe('fake');
    expect(await reasoner.diagnose({ evidence: EVIDENCE })).toBe(REASONING);
    expect(seen).toEqual(['ev:3', 'dx:true']);
  });
});

describe('tui theme', () => {
  it.each([
    [{}, true],
    [{ NO_COLOR: '1' }, false],
    [{ NO_COLOR: '' }, true],
    [{ TERM: 'dumb' }, false],
  ])('colour for env %o: %s', (env, wanted) => expect(colorWanted(env)).toBe(wanted));

  it('gives no colour props without colour', () => {
    expect(makeTheme(false).tone('red')).toEqual({});
    expect(makeTheme(false).strong()).toEqual({});
    expect(makeTheme(true).severity('critical')).toEqual({ color: 'magenta' });
  });
});
