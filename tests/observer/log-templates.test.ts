import { describe, expect, it } from 'vitest';
import { errorTemplates, extractTemplates, templateOf } from '../../src/observer/log-templates.js';

const goLog = [
  '2024-05-01T10:00:00.000000000Z INF services/search/server.go:118 > nearby lat = 37.7749',
  '2024-05-01T10:00:01.000000000Z ERR services/search/server.go:97 > rpc error: code = Unavailable desc = dial tcp 10.96.12.7:8083: connect: connection refused',
  '2024-05-01T10:00:02.000000000Z INF services/search/server.go:118 > nearby lat = 37.7812',
  '2024-05-01T10:00:03.000000000Z ERR services/search/server.go:97 > rpc error: code = Unavailable desc = dial tcp 10.96.12.9:8083: connect: connection refused',
  '2024-05-01T10:00:04.000000000Z WRN services/search/server.go:60 > slow call took 250ms',
  '2024-05-01T10:00:05.000000000Z ERR services/search/server.go:97 > rpc error: code = Unavailable desc = dial tcp 10.96.12.7:8083: connect: connection refused',
].join('\r\n');

describe('extractTemplates', () => {
  it('collapses repeated lines, errors first, with counts, times and an example', () => {
    const out = extractTemplates(goLog);
    expect(out.map((t) => [t.level, t.count])).toEqual([
      ['error', 3],
      ['warn', 1],
      ['info', 2],
    ]);
    expect(out[0]).toEqual({
      template:
        '<ts> ERR services/search/server.go:<n> > rpc error: code = Unavailable desc = dial tcp <ip>: connect: connection refused',
      count: 3,
      example:
        '2024-05-01T10:00:01.000000000Z ERR services/search/server.go:97 > rpc error: code = Unavailable desc = dial tcp 10.96.12.7:8083: connect: connection refused',
      level: 'error',
      firstAt: '2024-05-01T10:00:01.000000000Z',
      lastAt: '2024-05-01T10:00:05.000000000Z',
    });
    expect(out[1]!.template).toBe('<ts> WRN services/search/server.go:<n> > slow call took <dur>');
  });

  it.each([
    ['{"t":{"$date":"2024-05-01T10:00:00.000+00:00"},"s":"E","c":"NETWORK","msg":"x"}', 'error'],
    ['{"t":{"$date":"2024-05-01T10:00:00.000+00:00"},"s":"W","c":"NETWORK","msg":"x"}', 'warn'],
    [
      '{"t":{"$date":"2024-05-01T10:00:00.000+00:00"},"s":"I","c":"ACCESS","msg":"Authentication failed"}',
      'error',
    ],
    [
      '{"t":{"$date":"2024-05-01T10:00:00.000+00:00"},"s":"I","c":"NETWORK","msg":"Connection accepted"}',
      'info',
    ],
    ['[2024-May-01 10:00:00.123456] <error>: (UserHandler.h:120:Login) Failed', 'error'],
    ['[2024-May-01 10:00:00.123456] <info>: (UserHandler.h:120:Login) ok', 'info'],
    ['10:00 FTL main.go:12 > cannot start', 'error'],
    ['10:00 PNC main.go:12 > boom', 'error'],
    ['panic: runtime error: invalid memory address', 'error'],
    ['Exception in thread "main" java.lang.NullPointerException', 'error'],
    ['request timeout after 5s', 'error'],
    ['permission denied', 'error'],
    ['level=warn msg="retrying"', 'warn'],
    ['{"level":"error","msg":"Payment request failed"}', 'error'],
    ['WARNING: disk almost full', 'warn'],
    ['Successfully registered in consul', 'info'],
    ['the error budget is fine', 'info'],
  ])('classifies %s as %s', (line, level) => {
    expect(extractTemplates(line)[0]!.level).toBe(level);
  });

  it('masks variable parts so that lines from different pods and requests collapse', () => {
    expect(
      templateOf(
        'pod geo-6b4b89b5f5-hlpqn user-service-8562w62l7q-5hdk5 id=0a1b2c3d-4e5f-6789-abcd-ef0123456789 hash deadbeef1234 "conn42" took 1.5s at Jan  2 15:04:05',
      ),
    ).toBe('pod geo-<pod> user-service-<pod> id=<uuid> hash <hex> "<v>" took <dur> at <ts>');
    const mongo = (conn: number, remote: string) =>
      `{"t":{"$date":"2024-05-01T10:00:0${conn}.000+00:00"},"s":"I",  "c":"NETWORK",  "id":22943,   "ctx":"conn${conn}","msg":"Connection accepted","attr":{"remote":"${remote}","connectionCount":${conn}}}`;
    const out = extractTemplates([mongo(1, '10.0.0.1:4000'), mongo(2, '10.0.0.2:4001')].join('\n'));
    expect(out).toHaveLength(1);
    expect(out[0]!.count).toBe(2);
    expect(out[0]!.template).toContain('"msg":"Connection accepted"');
  });

  it('redacts the example and the template', () => {
    const out = extractTemplates('dial mongodb://admin:canary-7f3a9c2e8b1d4f6a0c5e@db:27017 failed');
    expect(out[0]!.example).toBe('dial mongodb://admin:[REDACTED]@db:27017 failed');
    expect(JSON.stringify(out)).not.toContain('canary');
  });

  it('caps templates and line length', () => {
    const text = Array.from({ length: 30 }, (_, i) => `line ${'x'.repeat(i)} ${'y'.repeat(2000)}`).join('\n');
    const out = extractTemplates(text, { maxTemplates: 5, maxLineLength: 100 });
    expect(out).toHaveLength(5);
    for (const t of out) expect(t.example.length).toBeLessThanOrEqual(101);
  });

  it('never throws on odd input', () => {
    expect(extractTemplates('')).toEqual([]);
    expect(extractTemplates('\n\r\n  \n')).toEqual([]);
    const binary = String.fromCharCode(...Array.from({ length: 512 }, (_, i) => i % 256));
    const out = extractTemplates(binary);
    expect(out.length).toBeGreaterThan(0);
    // eslint-disable-next-line no-control-regex
    for (const t of out) expect(t.example).not.toMatch(/[\x00-\x08\x0e-\x1f]/);
    const huge = 'ERR boom 1\n'.repeat(200_000);
    const big = extractTemplates(huge);
    expect(big).toHaveLength(1);
    expect(big[0]!.count).toBe(100_000);
  });
});

describe('errorTemplates', () => {
  it('keeps only error and warn templates', () => {
    expect(errorTemplates(goLog).map((t) => t.level)).toEqual(['error', 'warn']);
    expect(errorTemplates(goLog, 1)).toHaveLength(1);
  });
});
