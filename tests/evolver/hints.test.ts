import { describe, expect, it } from 'vitest';
import type { GuidanceHint } from '../../src/core/guidance.js';
import { userPrompt } from '../../src/reasoner/prompt.js';
import type { GuidanceNote } from '../../src/reasoner/reasoner.js';
import { RulesReasoner } from '../../src/reasoner/rules-backend.js';
import { item } from './fixtures.js';

const userGone = [
  item(1, 'db', 'AuthErrors', {
    excerpt: '{"msg":"Authentication failed","error":"UserNotFound: Could not find user \\"admin\\""}',
  }),
  item(2, 'api', 'AuthErrors', {
    blames: ['db'],
    excerpt: 'SASL authentication step: Authentication failed.',
  }),
  item(3, 'api', 'CrashLoopBackOff', { source: 'kubernetes' }),
];

const note = (hints: GuidanceHint[]): GuidanceNote => ({ id: 'g', title: 'g', body: '', hints });

const classifyHint: GuidanceHint = {
  kind: 'classify',
  signals: ['AuthErrors'],
  logPattern: '\\bUserNotFound\\b',
  systemLevel: 'Application',
  faultType: 'Network/Storage Issue',
};

describe('rules backend: weakening switch and guidance hints', () => {
  it.each([
    ['full rules', {}, [], 'Network/Storage Issue', ''],
    ['log classification off', { disable: ['log-classification' as const] }, [], 'Authentication Issue', ''],
    [
      'off, with the classify hint',
      { disable: ['log-classification' as const] },
      [classifyHint],
      'Network/Storage Issue',
      'classify',
    ],
  ])('%s', async (_name, options, hints, faultType, applied) => {
    const result = await new RulesReasoner(options).diagnose({
      evidence: userGone,
      task: 'analysis',
      ...(hints.length > 0 ? { guidance: [note(hints)] } : {}),
    });
    expect(result.diagnosis.faultyComponents).toEqual(['db']);
    expect(result.diagnosis.rootCause?.faultType).toBe(faultType);
    expect(result.steps[0]!.summary.includes(`guidance hints applied: ${applied}`)).toBe(applied !== '');
  });

  it('a classify hint whose log pattern does not match changes nothing', async () => {
    const hint = { ...classifyHint, logPattern: 'SSLHandshakeFailed' };
    const result = await new RulesReasoner({ disable: ['log-classification'] }).diagnose({
      evidence: userGone,
      guidance: [note([hint])],
    });
    expect(result.diagnosis.rootCause?.faultType).toBe('Authentication Issue');
  });

  it('the TLS rule keeps its signal half when log classification is off', async () => {
    const tls = [item(1, 'db', 'TlsRequired', { source: 'kubernetes' })];
    const result = await new RulesReasoner({ disable: ['log-classification'] }).diagnose({ evidence: tls });
    expect(result.diagnosis.rootCause?.faultType).toBe('Misconfiguration');
  });

  it('preferCallee moves the root to the callee; preferCaller to a caller showing the signals', async () => {
    // "cache" shows nothing of its own, so the rules blame its caller "api".
    const evidence = [
      item(1, 'api', 'ErrorLogs', { blames: ['cache'], excerpt: 'dial cache: connection refused' }),
      item(2, 'web', 'ErrorRateHigh', { blames: ['api'], severity: 'warning' }),
    ];
    const plain = await new RulesReasoner().diagnose({ evidence });
    expect(plain.diagnosis.faultyComponents).toEqual(['api']);
    const callee = await new RulesReasoner().diagnose({
      evidence,
      guidance: [note([{ kind: 'preferCallee', signals: ['ErrorLogs'] }])],
    });
    expect(callee.diagnosis.faultyComponents).toEqual(['cache']);
    const caller = await new RulesReasoner().diagnose({
      evidence: [
        ...evidence.slice(0, 1),
        item(2, 'web', 'RolloutStuck', { blames: ['api'], source: 'kubernetes' }),
      ],
      guidance: [note([{ kind: 'preferCaller', signals: ['RolloutStuck'] }])],
    });
    expect(caller.diagnosis.faultyComponents).toEqual(['web']);
  });

  it('the Ollama prompt carries the guidance body and its hints as context', () => {
    const prompt = userPrompt({
      evidence: userGone,
      guidance: [{ ...note([classifyHint]), body: 'Read the logs.' }],
    });
    expect(prompt).toContain('Guidance g: g\nRead the logs.\n- hint: {"kind":"classify"');
    expect(prompt).toContain('UserNotFound');
  });
});
