import { describe, expect, it } from 'vitest';
import type { Evidence, Severity } from '../../src/core/evidence.js';
import { countTokens, evidenceTokens, fitToBudget } from '../../src/observer/token-budget.js';

let seq = 0;
function ev(severity: Severity, excerptChars = 0): Evidence {
  seq++;
  return {
    id: `ev-${seq}`,
    source: 'logs',
    subject: { kind: 'Pod', namespace: 'test-hotel-reservation', name: `search-${seq}` },
    signal: 'ErrorLogs',
    severity,
    summary: `search pod ${seq} logs connection refused to geo`,
    ...(excerptChars > 0
      ? {
          excerpt: 'dial tcp 10.96.12.7:8083: connect: connection refused\n'
            .repeat(40)
            .slice(0, excerptChars),
        }
      : {}),
    observedAt: '2024-05-01T10:00:00.000Z',
  };
}

describe('countTokens', () => {
  it('counts with a real BPE tokenizer', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('hello world')).toBe(2);
    // Special-token text in logs is plain text, not a control token, and never throws.
    expect(countTokens('<|endoftext|>')).toBeGreaterThan(1);
  });

  it('measures evidence as its JSON', () => {
    const e = ev('info', 500);
    expect(evidenceTokens(e)).toBe(countTokens(JSON.stringify(e)));
  });
});

describe('fitToBudget', () => {
  it('keeps everything, in order, when it fits', () => {
    const items = [ev('critical'), ev('info'), ev('warning')];
    const total = items.reduce((n, e) => n + evidenceTokens(e), 0);
    expect(fitToBudget(items, total)).toEqual({ kept: items, dropped: [], tokens: total });
  });

  it('always keeps critical and error items, reporting overflow', () => {
    const items = [ev('info'), ev('critical', 2000), ev('error', 2000)];
    const out = fitToBudget(items, 50);
    expect(out.kept.map((e) => e.id)).toEqual([items[1]!.id, items[2]!.id]);
    expect(out.dropped).toEqual([items[0]]);
    expect(out.kept[0]).toEqual(items[1]); // critical: never shortened
    expect(out.kept[1]!.excerpt).toBeUndefined(); // error: excerpt cut to make room
    expect(out.tokens).toBe(out.kept.reduce((n, e) => n + evidenceTokens(e), 0));
    expect(out.tokens).toBeGreaterThan(50);
  });

  it('shortens the excerpt of a lower item before dropping it, keeping room for later errors', () => {
    const critical = ev('critical');
    const warning = ev('warning', 2000);
    const info = ev('info', 2000);
    const error = ev('error');
    const budget = evidenceTokens(critical) + evidenceTokens(error) + 120;
    const out = fitToBudget([critical, warning, info, error], budget);
    expect(out.kept.map((e) => e.id)).toEqual([critical.id, warning.id, error.id]);
    expect(out.dropped).toEqual([info]);
    const shortened = out.kept[1]!;
    expect(shortened.excerpt!.length).toBeLessThan(warning.excerpt!.length);
    expect(shortened.excerpt!.endsWith('…')).toBe(true);
    expect(out.tokens).toBeLessThanOrEqual(budget);
    expect(out.tokens).toBe(out.kept.reduce((n, e) => n + evidenceTokens(e), 0));
  });

  it('handles nothing and a zero budget', () => {
    expect(fitToBudget([], 100)).toEqual({ kept: [], dropped: [], tokens: 0 });
    const info = ev('info');
    expect(fitToBudget([info], 0)).toEqual({ kept: [], dropped: [info], tokens: 0 });
  });
});
