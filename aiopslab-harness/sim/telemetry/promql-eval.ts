/**
 * Evaluates a parsed PromQL expression against a SeriesSource at one time (an instant query) or at every
 * step of a range (a range query, one instant evaluation per step). Selections are made once per query.
 */
import type { Expr, SelectorExpr } from './promql-ast.js';
import { binaryOp } from './promql-binary.js';
import { MATH, extrapolatedRate, histogramQuantile, instantRate, overTime } from './promql-functions.js';
import type { MatrixSeries, Value, VectorSample } from './promql-values.js';
import { labelsKey, omit, pick, unique } from './promql-values.js';
import type { Labels, Series, SeriesSource } from './types.js';

export type { MatrixSeries, Value, VectorSample } from './promql-values.js';

export const LOOKBACK_MS = 5 * 60_000;
const KEEPS_NAME = new Set(['last_over_time', 'sort', 'sort_desc']);

export class Evaluator {
  private readonly selections = new Map<SelectorExpr, Series[]>();

  constructor(private readonly source: SeriesSource) {}

  private select(selector: SelectorExpr): Series[] {
    let series = this.selections.get(selector);
    if (!series) {
      series = this.source.select(selector.matchers);
      this.selections.set(selector, series);
    }
    return series;
  }

  /** One evaluation at simulated time `t` (ms). */
  instant(expr: Expr, t: number): Value {
    return this.eval(expr, t);
  }

  /** Evaluations at start, start+step, ... end, gathered into series (a scalar result has no labels). */
  range(expr: Expr, start: number, end: number, step: number): MatrixSeries[] {
    const out = new Map<string, MatrixSeries>();
    for (let t = start; t <= end; t += step) {
      const value = this.eval(expr, t);
      const samples =
        value.type === 'scalar' ? [{ labels: {}, v: value.v }] : value.type === 'vector' ? value.samples : [];
      for (const s of samples) {
        const key = labelsKey(s.labels);
        const series = out.get(key) ?? { labels: s.labels, points: [] };
        series.points.push({ t, v: s.v });
        out.set(key, series);
      }
    }
    return [...out.values()];
  }

  private vector(expr: Expr, t: number): VectorSample[] {
    const value = this.eval(expr, t);
    return value.type === 'vector' ? value.samples : [];
  }

  private scalar(expr: Expr, t: number): number {
    const value = this.eval(expr, t);
    return value.type === 'scalar' ? value.v : NaN;
  }

  private eval(expr: Expr, t: number): Value {
    switch (expr.type) {
      case 'number':
        return { type: 'scalar', v: expr.value };
      case 'string':
        return { type: 'string', s: expr.value };
      case 'selector': {
        const samples: VectorSample[] = [];
        const at = t - (expr.offsetMs ?? 0);
        for (const series of this.select(expr)) {
          const last = series.samples(at - LOOKBACK_MS, at).at(-1);
          if (last) samples.push({ labels: series.labels, v: last.v });
        }
        return { type: 'vector', samples };
      }
      case 'matrix': {
        const at = t - (expr.selector.offsetMs ?? 0);
        return {
          type: 'matrix',
          series: this.select(expr.selector)
            .map((s) => ({ labels: s.labels, points: s.samples(at - expr.rangeMs, at) }))
            .filter((s) => s.points.length > 0),
        };
      }
      case 'call':
        return this.call(expr, t);
      case 'aggregate':
        return { type: 'vector', samples: this.aggregate(expr, t) };
      case 'unary': {
        const value = this.eval(expr.expr, t);
        if (expr.op === '+' || value.type === 'string' || value.type === 'matrix') return value;
        if (value.type === 'scalar') return { type: 'scalar', v: -value.v };
        return {
          type: 'vector',
          samples: unique(value.samples.map((s) => ({ labels: omit(s.labels, ['__name__']), v: -s.v }))),
        };
      }
      case 'binary':
        return binaryOp(expr, this.eval(expr.lhs, t), this.eval(expr.rhs, t));
    }
  }

  private call(expr: Extract<Expr, { type: 'call' }>, t: number): Value {
    const { func, args } = expr;
    const arg = args[0];
    const dropName = (labels: Labels) => (KEEPS_NAME.has(func) ? labels : omit(labels, ['__name__']));
    if (func === 'time') return { type: 'scalar', v: t / 1000 };
    if (func === 'vector') return { type: 'vector', samples: [{ labels: {}, v: this.scalar(arg!, t) }] };
    if (func === 'scalar') {
      const samples = this.vector(arg!, t);
      return { type: 'scalar', v: samples.length === 1 ? samples[0]!.v : NaN };
    }
    if (func === 'histogram_quantile')
      return { type: 'vector', samples: histogramQuantile(this.scalar(arg!, t), this.vector(args[1]!, t)) };
    if (arg?.type === 'matrix') {
      const samples: VectorSample[] = [];
      const end = t - (arg.selector.offsetMs ?? 0);
      for (const series of this.select(arg.selector)) {
        const points = series.samples(end - arg.rangeMs, end);
        const from = end - arg.rangeMs;
        const v =
          func === 'rate' || func === 'increase' || func === 'delta'
            ? extrapolatedRate(points, from, end, func !== 'delta', func === 'rate')
            : func === 'irate' || func === 'idelta'
              ? instantRate(points, func === 'irate')
              : overTime(func, points);
        if (v !== undefined) samples.push({ labels: dropName(series.labels), v });
      }
      return { type: 'vector', samples: unique(samples) };
    }
    const input = this.vector(arg!, t);
    if (func === 'absent') {
      if (input.length > 0) return { type: 'vector', samples: [] };
      const labels: Labels = {};
      if (arg?.type === 'selector')
        for (const m of arg.matchers) if (m.op === '=' && m.name !== '__name__') labels[m.name] = m.value;
      return { type: 'vector', samples: [{ labels, v: 1 }] };
    }
    if (func === 'sort' || func === 'sort_desc') {
      const sign = func === 'sort' ? 1 : -1;
      return { type: 'vector', samples: [...input].sort((a, b) => sign * (a.v - b.v)) };
    }
    let fn: (v: number) => number;
    if (func in MATH) fn = MATH[func]!;
    else if (func === 'round') {
      const nearest = args[1] ? this.scalar(args[1], t) : 1;
      fn = (v) => Math.floor(v / nearest + 0.5) * nearest;
    } else {
      const low = func === 'clamp_max' ? -Infinity : this.scalar(args[1]!, t);
      const high = func === 'clamp_min' ? Infinity : this.scalar(args[func === 'clamp' ? 2 : 1]!, t);
      if (low > high) return { type: 'vector', samples: [] };
      fn = (v) => Math.max(low, Math.min(high, v));
    }
    return {
      type: 'vector',
      samples: unique(input.map((s) => ({ labels: dropName(s.labels), v: fn(s.v) }))),
    };
  }

  private aggregate(expr: Extract<Expr, { type: 'aggregate' }>, t: number): VectorSample[] {
    const input = this.vector(expr.expr, t);
    const groupLabels = (labels: Labels) =>
      expr.without ? omit(labels, [...expr.grouping, '__name__']) : pick(labels, expr.grouping);
    const groups = new Map<string, { labels: Labels; members: VectorSample[] }>();
    for (const s of input) {
      const labels = groupLabels(s.labels);
      const key = labelsKey(labels);
      const group = groups.get(key) ?? { labels, members: [] };
      group.members.push(s);
      groups.set(key, group);
    }
    const out: VectorSample[] = [];
    if (expr.op === 'topk' || expr.op === 'bottomk') {
      const k = Math.floor(this.scalar(expr.param!, t));
      const sign = expr.op === 'topk' ? -1 : 1;
      for (const { members } of groups.values())
        out.push(...[...members].sort((a, b) => sign * (a.v - b.v)).slice(0, Math.max(0, k)));
      return out;
    }
    for (const { labels, members } of groups.values()) {
      const values = members.map((m) => m.v);
      const sum = values.reduce((a, b) => a + b, 0);
      const finite = values.filter((v) => !Number.isNaN(v));
      const v =
        expr.op === 'sum'
          ? sum
          : expr.op === 'avg'
            ? sum / values.length
            : expr.op === 'count'
              ? values.length
              : finite.length === 0
                ? NaN
                : expr.op === 'max'
                  ? Math.max(...finite)
                  : Math.min(...finite);
      out.push({ labels, v });
    }
    return out;
  }
}
