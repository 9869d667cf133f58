import { describe, expect, it } from 'vitest';
import { buildMessages, evidenceLine, systemPrompt } from '../../src/reasoner/prompt.js';
import { parseToolCall } from '../../src/reasoner/reasoner.js';
import { ev, EVIDENCE } from './fixtures.js';

describe('prompt', () => {
  it('writes evidence as compact JSON lines', () => {
    expect(evidenceLine(EVIDENCE[0]!)).toMatchInlineSnapshot(
      `"{"id":"ev-1","signal":"CrashLoopBackOff","severity":"error","subject":"Pod test-social/user-service-7d9f8c6b5-abcde","summary":"user-service-7d9f8c6b5-abcde: CrashLoopBackOff","excerpt":"panic: cannot connect to mongodb"}"`,
    );
  });

  it('keeps each line valid JSON after redaction', () => {
    const line = evidenceLine(
      ev(9, 'db', 'LogErrors', 'error', { excerpt: 'password="hunter2hunter2" token=abc' }),
    );
    const parsed = JSON.parse(line) as { excerpt: string };
    expect(parsed.excerpt).not.toContain('hunter2');
  });

  it('names the vocabularies and the rules', () => {
    const text = systemPrompt();
    expect(text).toContain('Operating System');
    expect(text).toContain('Network/Storage Issue');
    expect(text).toMatch(/Localise the cause, not the victims/);
    expect(text).toMatch(/detected: false/);
    expect(text).toMatch(/never invent one/);
  });

  it('builds the task, namespace, evidence and guidance into the user message', () => {
    const [system, user] = buildMessages({
      evidence: EVIDENCE,
      task: 'localization',
      namespace: 'test-social',
      guidance: [{ id: 'g-7', title: 'Check callers', body: 'Look at the callee first.' }],
    });
    expect(system?.role).toBe('system');
    expect(user?.content).toMatch(/^Task \(localization\): Find the faulty components/);
    expect(user?.content).toContain('Namespace: test-social');
    expect(user?.content).toContain('Guidance g-7: Check callers\nLook at the callee first.');
    expect(user?.content.split('\n').filter((l) => l.startsWith('{"id":'))).toHaveLength(3);
  });
});

describe('parseToolCall', () => {
  it.each([
    ['describe', { kind: 'Service', namespace: 'ns', name: 'frontend' }, true],
    ['get_events', { namespace: 'ns' }, true],
    ['get_events', { namespace: 'ns', extra: 1 }, false],
    ['query_metrics', { promql: '' }, false],
    ['delete_pod', { namespace: 'ns' }, false],
  ])('%s %j → ok %s', (name, args, ok) => {
    expect(parseToolCall(name, args).ok).toBe(ok);
  });
});
