/**
 * Prometheus' HTTP API over the generated series: /api/v1/query, /query_range, /series, /labels and
 * /label/<name>/values, with its response envelope and `bad_data` errors. Times are simulated: a query
 * without `time` runs at the simulator's now, a `time` in the future is read as now, and range steps past
 * now are left out (nothing has been scraped there yet).
 */
import type { Expr } from './promql-ast.js';
import { TYPE_NAMES, typeOf } from './promql-ast.js';
import type { Value } from './promql-eval.js';
import { Evaluator, LOOKBACK_MS } from './promql-eval.js';
import { PromQLError, parseDurationText } from './promql-lexer.js';
import { parsePromQL } from './promql-parser.js';
import type { Reply } from './reply.js';
import { json } from './reply.js';
import type { ClusterSeriesSource } from './series.js';
import type { Labels, Series } from './types.js';

const MAX_POINTS = 11_000;

class BadData extends Error {}

function badData(message: string): Reply {
  return json(400, { status: 'error', errorType: 'bad_data', error: message });
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const point = (t: number, v: number): [number, string] => [t / 1000, formatValue(v)];

function parseTime(name: string, text: string | null, fallback?: number): number {
  if (text === null || text === '') {
    if (fallback !== undefined) return fallback;
    throw new BadData(`invalid parameter "${name}": cannot parse "" to a valid timestamp`);
  }
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.round(seconds * 1000);
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new BadData(`invalid parameter "${name}": cannot parse "${text}" to a valid timestamp`);
  return ms;
}

function parseStep(text: string | null): number {
  const raw = text ?? '';
  const seconds = Number(raw);
  const ms = raw !== '' && Number.isFinite(seconds) ? seconds * 1000 : parseDurationText(raw);
  if (ms === undefined)
    throw new BadData(`invalid parameter "step": cannot parse "${raw}" to a valid duration`);
  if (ms <= 0)
    throw new BadData(
      'zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  return ms;
}

function parseQuery(text: string | null, name = 'query'): Expr {
  try {
    return parsePromQL(text ?? '');
  } catch (error) {
    if (error instanceof PromQLError) throw new BadData(`invalid parameter "${name}": ${error.message}`);
    throw error;
  }
}

function resultOf(value: Value, t: number): { resultType: string; result: unknown } {
  switch (value.type) {
    case 'scalar':
      return { resultType: 'scalar', result: point(t, value.v) };
    case 'string':
      return { resultType: 'string', result: [t / 1000, value.s] };
    case 'vector':
      return {
        resultType: 'vector',
        result: value.samples.map((s) => ({ metric: s.labels, value: point(t, s.v) })),
      };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: value.series.map((s) => ({ metric: s.labels, values: s.points.map((p) => point(p.t, p.v)) })),
      };
  }
}

/** Series matching any `match[]` selector (all series when none is given and `required` is false). */
function matchingSeries(source: ClusterSeriesSource, params: URLSearchParams, required: boolean): Series[] {
  const matches = params.getAll('match[]');
  if (matches.length === 0) {
    if (required) throw new BadData('no match[] parameter provided');
    return source.select([]);
  }
  const end = Math.min(parseTime('end', params.get('end'), source.now), source.now);
  const found = new Map<Series, true>();
  for (const text of matches) {
    const expr = parseQuery(text, 'match[]');
    if (expr.type !== 'selector')
      throw new BadData(`invalid parameter "match[]": ${text} is not a vector selector`);
    for (const s of source.select(expr.matchers))
      if (s.samples(end - LOOKBACK_MS, end).length > 0) found.set(s, true);
  }
  return [...found.keys()];
}

function execute(source: ClusterSeriesSource, path: string, params: URLSearchParams): Reply {
  const now = source.now;
  if (path === '/api/v1/query') {
    const expr = parseQuery(params.get('query'));
    const t = Math.min(parseTime('time', params.get('time'), now), now);
    return json(200, { status: 'success', data: resultOf(new Evaluator(source).instant(expr, t), t) });
  }
  if (path === '/api/v1/query_range') {
    const expr = parseQuery(params.get('query'));
    const start = parseTime('start', params.get('start'));
    const end = parseTime('end', params.get('end'));
    if (end < start) throw new BadData('end timestamp must not be before start time');
    const step = parseStep(params.get('step'));
    if ((end - start) / step > MAX_POINTS)
      throw new BadData(
        'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
      );
    const type = typeOf(expr);
    if (type !== 'scalar' && type !== 'vector')
      throw new BadData(
        `invalid expression type "${TYPE_NAMES[type]}" for range query, must be Scalar or instant Vector`,
      );
    const lastStep = start + Math.floor((Math.min(end, now) - start) / step) * step;
    const series = lastStep >= start ? new Evaluator(source).range(expr, start, lastStep, step) : [];
    return json(200, {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: series.map((s) => ({ metric: s.labels, values: s.points.map((p) => point(p.t, p.v)) })),
      },
    });
  }
  if (path === '/api/v1/series') {
    const data: Labels[] = matchingSeries(source, params, true).map((s) => s.labels);
    return json(200, { status: 'success', data });
  }
  if (path === '/api/v1/labels') {
    const names = new Set(matchingSeries(source, params, false).flatMap((s) => Object.keys(s.labels)));
    return json(200, { status: 'success', data: [...names].sort() });
  }
  const label = /^\/api\/v1\/label\/([^/]+)\/values$/.exec(path);
  if (label) {
    const name = decodeURIComponent(label[1]!);
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw new BadData(`invalid label name: "${name}"`);
    const values = new Set<string>();
    for (const s of matchingSeries(source, params, false)) {
      const v = s.labels[name];
      if (v !== undefined) values.add(v);
    }
    return json(200, { status: 'success', data: [...values].sort() });
  }
  return json(404, { status: 'error', errorType: 'not_found', error: `no such endpoint: ${path}` });
}

/** Answers one Prometheus API request; `params` holds the query string and any form body. */
export function prometheusApi(source: ClusterSeriesSource, path: string, params: URLSearchParams): Reply {
  try {
    return execute(source, path, params);
  } catch (error) {
    if (error instanceof BadData) return badData(error.message);
    if (error instanceof PromQLError)
      return json(422, { status: 'error', errorType: 'execution', error: error.message });
    throw error;
  }
}
