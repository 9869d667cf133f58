import { describe, expect, it } from 'vitest';
import { Evaluator } from '../../../aiopslab-harness/sim/telemetry/promql-eval.js';
import type { Value } from '../../../aiopslab-harness/sim/telemetry/promql-eval.js';
import { bucketQuantile } from '../../../aiopslab-harness/sim/telemetry/promql-functions.js';
import { PromQLError } from '../../../aiopslab-harness/sim/telemetry/promql-lexer.js';
import { parsePromQL } from '../../../aiopslab-harness/sim/telemetry/promql-parser.js';
import type { Labels, Sample, SeriesSource } from '../../../aiopslab-harness/sim/telemetry/types.js';
import { matchesAll } from '../../../aiopslab-harness/sim/telemetry/types.js';

const NOW = 600_000;

/** Samples every 15s from 0 to NOW of `v(t)` (t in seconds). */
function scraped(v: (seconds: number) => number): Sample[] {
  const out: Sample[] = [];
  for (let t = 0; t <= NOW; t += 15_000) out.push({ t, v: v(t / 1000) });
  return out;
}

const SERIES: { labels: Labels; points: Sample[] }[] = [
  { labels: { __name__: 'req', service: 'a', code: '200' }, points: scraped((s) => 10 * s) },
  { labels: { __name__: 'req', service: 'a', code: '500' }, points: scraped((s) => s) },
  { labels: { __name__: 'req', service: 'b', code: '200' }, points: scraped((s) => 2 * s) },
  { labels: { __name__: 'req', service: 'b', code: '500' }, points: scraped(() => 0) },
  // A counter that resets at 300s.
  { labels: { __name__: 'resets', service: 'a' }, points: scraped((s) => (s < 300 ? s : s - 300)) },
  { labels: { __name__: 'other', service: 'a' }, points: scraped((s) => s) },
  { labels: { __name__: 'mem', service: 'a', pod: 'a-1' }, points: scraped((s) => 100 + (s % 60)) },
  { labels: { __name__: 'mem', service: 'a', pod: 'a-2' }, points: scraped(() => 300) },
  { labels: { __name__: 'mem', service: 'b', pod: 'b-1' }, points: scraped(() => 50) },
  ...[
    ['0.1', 50],
    ['0.5', 90],
    ['+Inf', 100],
  ].map(([le, n]) => ({
    labels: { __name__: 'lat_bucket', service: 'a', le: String(le) },
    points: scraped((s) => Number(n) * s),
  })),
];

const source: SeriesSource = {
  select: (matchers) =>
    SERIES.filter((s) => matchesAll(matchers, s.labels)).map((s) => ({
      labels: s.labels,
      samples: (from: number, to: number) => s.points.filter((p) => p.t > from && p.t <= to),
    })),
};

function evaluate(query: string, t = NOW): Value {
  return new Evaluator(source).instant(parsePromQL(query), t);
}

/** An instant vector as `labels → value`, labels written `k=v,...` in order. */
function vector(query: string): Record<string, number> {
  const value = evaluate(query);
  if (value.type !== 'vector') throw new Error(`${query} gave a ${value.type}`);
  return Object.fromEntries(
    value.samples.map((s) => [
      Object.entries(s.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
      Math.round(s.v * 1e6) / 1e6,
    ]),
  );
}

function scalar(query: string): number {
  const value = evaluate(query);
  if (value.type !== 'scalar') throw new Error(`${query} gave a ${value.type}`);
  return value.v;
}

function parseErrorOf(query: string): string {
  try {
    parsePromQL(query);
  } catch (error) {
    if (error instanceof PromQLError) return error.message;
    throw error;
  }
  throw new Error(`${query} parsed`);
}

describe('PromQL offset modifier', () => {
  it('reads an instant selector and a range that far back', () => {
    expect(vector('req{service="a",code="200"} offset 5m')).toEqual({
      '__name__=req,service=a,code=200': 3000,
    });
    expect(vector('req{service="a",code="200"}')).toEqual({ '__name__=req,service=a,code=200': 6000 });
    // The counter restarts at 300s; a window ending at 290s sees only its first life.
    expect(vector('increase(resets[1m] offset 310s)')).toEqual({ 'service=a': 60 });
    expect(vector('rate(req{service="b"}[2m] offset 4m)')).toEqual({
      'service=b,code=200': 2,
      'service=b,code=500': 0,
    });
    expect(parsePromQL('rate(req[5m] offset 30m)')).toMatchObject({
      args: [{ type: 'matrix', selector: { offsetMs: 1_800_000 } }],
    });
  });
});

describe('PromQL parser', () => {
  it.each([
    ['sum by (service) (rate(req{code=~"5.."}[5m]))', 'aggregate'],
    ['sum(rate(req[5m])) without (code)', 'aggregate'],
    ['req{service!="a", code!~"2.*",}', 'selector'],
    ['{__name__="req"}', 'selector'],
    ['req[1h30m]', 'matrix'],
    ['histogram_quantile(0.99, sum by (le) (rate(lat_bucket[5m])))', 'call'],
    ['req / on(service) req', 'binary'],
    ['req > bool 1', 'binary'],
    ['-req', 'unary'],
    ['topk(3, req)', 'aggregate'],
    ['1 + 2 # a comment', 'binary'],
  ])('parses %s', (query, type) => {
    expect(parsePromQL(query).type).toBe(type);
  });

  it('keeps `by` labels wherever they are written', () => {
    const before = parsePromQL('sum by (a, b) (req)');
    const after = parsePromQL('sum(req) by (a, b)');
    expect(before).toMatchObject({ grouping: ['a', 'b'], without: false });
    expect(after).toMatchObject({ grouping: ['a', 'b'], without: false });
    expect(parsePromQL('req[1h30m]')).toMatchObject({ rangeMs: 5_400_000 });
  });

  it.each([
    ['', '1:1: parse error: no expression found in input'],
    ['sum(rate(req[5m])', '1:18: parse error: unexpected end of input in aggregation, expected "," or ")"'],
    [
      'rate(req)',
      '1:6: parse error: expected type range vector in call to function "rate", got instant vector',
    ],
    [
      'sum(req) offset 5m',
      '1:10: parse error: offset modifier must be preceded by an instant vector selector or range vector selector',
    ],
    ['req offset 5m offset 1m', '1:15: parse error: offset may not be set multiple times'],
    ['req offset 5', '1:12: parse error: unexpected number "5" in offset, expected duration'],
    ['req @ 100', '1:5: parse error: @ modifier is not supported'],
    ['rate(req[5m:1m])', '1:12: parse error: subqueries are not supported'],
    [
      'label_replace(req, "a", "$1", "b", "(.*)")',
      '1:1: parse error: function "label_replace" is not supported',
    ],
    ['nosuch(req)', '1:1: parse error: unknown function with name "nosuch"'],
    ['stddev(req)', '1:1: parse error: aggregation "stddev" is not supported'],
    ['req and req', '1:5: parse error: set operator "and" is not supported'],
    ['req / on(a) group_left req', '1:13: parse error: group_left (many-to-one matching) is not supported'],
    ['{code=""}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
    ['req{code=~"("}', 'invalid regular expression'],
    ['req{code="5"', '1:13: parse error: unexpected end of input in label matching, expected "," or "}"'],
    [
      'req{code 5}',
      '1:10: parse error: unexpected number "5" in label matching, expected label matching operator',
    ],
    ['1 > 2', '1:3: parse error: comparisons between scalars must use BOOL modifier'],
    ['req[5m] + 1', '1:9: parse error: binary expression must contain only scalar and instant vector types'],
    [
      'sum(req[5m])',
      '1:5: parse error: expected type instant vector in aggregation expression, got range vector',
    ],
    ['rate(req[5m], 1)', '1:1: parse error: expected 1 argument(s) in call to "rate", got 2'],
    ['sum(1, req)', 'wrong number of arguments for aggregate expression provided, expected 1, got 2'],
    ['rate(req[5x])', '1:10: parse error: unexpected number "5" in range selector, expected duration'],
    ['req{a="b"} !', "1:12: parse error: unexpected character: '!'"],
  ])('rejects %j', (query, message) => {
    expect(parseErrorOf(query)).toContain(message);
  });
});

describe('PromQL evaluator', () => {
  it('computes counter rates the way Prometheus extrapolates them', () => {
    expect(vector('rate(req{service="a",code="200"}[5m])')).toEqual({ 'service=a,code=200': 10 });
    expect(vector('increase(req{service="a",code="500"}[5m])')).toEqual({ 'service=a,code=500': 300 });
    expect(vector('irate(req{service="b",code="200"}[1m])')).toEqual({ 'service=b,code=200': 2 });
    // Across the reset at 300s the rate still counts the events before it.
    expect(vector('rate(resets[10m])')['service=a']).toBeCloseTo(0.974, 3);
  });

  it('aggregates by and without labels', () => {
    expect(vector('sum by (service) (rate(req[5m]))')).toEqual({ 'service=a': 11, 'service=b': 2 });
    expect(vector('sum without (code) (rate(req[5m]))')).toEqual({ 'service=a': 11, 'service=b': 2 });
    expect(vector('sum(rate(req[5m])) by (code)')).toEqual({ 'code=200': 12, 'code=500': 1 });
    expect(vector('avg(mem)')).toEqual({ '': 150 });
    expect(vector('max by (service) (mem)')).toEqual({ 'service=a': 300, 'service=b': 50 });
    expect(vector('min(mem)')).toEqual({ '': 50 });
    expect(vector('count by (service) (mem)')).toEqual({ 'service=a': 2, 'service=b': 1 });
    expect(vector('topk(1, mem)')).toEqual({ '__name__=mem,service=a,pod=a-2': 300 });
    expect(vector('bottomk(1, mem)')).toEqual({ '__name__=mem,service=b,pod=b-1': 50 });
  });

  it('answers the error-ratio query an SRE writes', () => {
    expect(
      vector('sum by (service) (rate(req{code=~"5.."}[5m])) / sum by (service) (rate(req[5m]))'),
    ).toEqual({ 'service=a': Math.round((1 / 11) * 1e6) / 1e6, 'service=b': 0 });
  });

  it('matches vectors one-to-one, on or ignoring labels', () => {
    expect(vector('req{code="500"} / ignoring(code) req{code="200"}')).toEqual({
      'service=a': 0.1,
      'service=b': 0,
    });
    expect(vector('sum by (service) (req{code="500"}) / on(service) sum by (service) (req)')).toEqual({
      'service=a': Math.round((600 / 6600) * 1e6) / 1e6,
      'service=b': 0,
    });
  });

  it('refuses matches that are not one-to-one, with a clear error', () => {
    expect(() => evaluate('sum by (service) (req) / on(service) req')).toThrow(
      /duplicate series for the match group/,
    );
    expect(() => evaluate('req / on(service) sum by (service) (req)')).toThrow(
      /many-to-one matching must be explicit/,
    );
    expect(() => evaluate('rate({__name__=~"resets|other"}[5m])')).toThrow(
      'vector cannot contain metrics with the same labelset',
    );
  });

  it('filters with comparisons, or answers 0/1 with bool', () => {
    expect(vector('mem > 100')).toEqual({ '__name__=mem,service=a,pod=a-2': 300 });
    expect(vector('100 < mem')).toEqual({ '__name__=mem,service=a,pod=a-2': 300 });
    expect(vector('mem > bool 100')).toEqual({
      'service=a,pod=a-1': 0,
      'service=a,pod=a-2': 1,
      'service=b,pod=b-1': 0,
    });
    expect(vector('rate(req[5m]) == 0')).toEqual({ 'service=b,code=500': 0 });
  });

  it('does scalar arithmetic with Prometheus precedence', () => {
    expect(scalar('1 + 2 * 3')).toBe(7);
    expect(scalar('2 ^ 3 ^ 2')).toBe(512);
    expect(scalar('-2 ^ 2')).toBe(-4);
    expect(scalar('(1 + 2) * 3 - 10 / 4')).toBe(6.5);
    expect(scalar('7 % 4')).toBe(3);
    expect(scalar('2 > bool 1')).toBe(1);
    expect(scalar('time()')).toBe(NOW / 1000);
    expect(vector('mem{pod="b-1"} * 2 + 1')).toEqual({ 'service=b,pod=b-1': 101 });
  });

  it('computes quantiles from classic histogram buckets', () => {
    expect(vector('histogram_quantile(0.5, rate(lat_bucket[5m]))')).toEqual({ 'service=a': 0.1 });
    expect(vector('histogram_quantile(0.7, rate(lat_bucket[5m]))')).toEqual({ 'service=a': 0.3 });
    expect(vector('histogram_quantile(0.99, sum by (le) (rate(lat_bucket[5m])))')).toEqual({ '': 0.5 });
    expect(
      bucketQuantile(0.5, [
        { upper: Infinity, count: 0 },
        { upper: 1, count: 0 },
      ]),
    ).toBeNaN();
    expect(bucketQuantile(-1, [])).toBe(-Infinity);
  });

  it('has the _over_time functions and simple math', () => {
    expect(vector('max_over_time(mem{pod="a-1"}[1m])')).toEqual({ 'service=a,pod=a-1': 145 });
    expect(vector('min_over_time(mem{pod="a-1"}[1m])')).toEqual({ 'service=a,pod=a-1': 100 });
    expect(vector('count_over_time(mem{pod="a-1"}[1m])')).toEqual({ 'service=a,pod=a-1': 4 });
    expect(vector('avg_over_time(mem{pod="a-2"}[5m])')).toEqual({ 'service=a,pod=a-2': 300 });
    expect(vector('sum_over_time(mem{pod="b-1"}[1m])')).toEqual({ 'service=b,pod=b-1': 200 });
    expect(vector('clamp_max(mem, 120)')).toEqual({
      'service=a,pod=a-1': 100,
      'service=a,pod=a-2': 120,
      'service=b,pod=b-1': 50,
    });
    expect(vector('absent(nothing{service="x"})')).toEqual({ 'service=x': 1 });
    expect(vector('absent(mem)')).toEqual({});
  });

  it('evaluates range queries step by step', () => {
    const series = new Evaluator(source).range(parsePromQL('sum(rate(req[1m]))'), 120_000, NOW, 60_000);
    expect(series).toHaveLength(1);
    expect(series[0]!.points.map((p) => Math.round(p.v))).toEqual(Array(9).fill(13));
  });

  it('returns a matrix for a range selector at an instant', () => {
    const value = evaluate('mem{pod="b-1"}[1m]');
    expect(value.type).toBe('matrix');
    if (value.type === 'matrix')
      expect(value.series[0]!.points.map((p) => p.t)).toEqual([555_000, 570_000, 585_000, 600_000]);
  });
});
