/** The PromQL subset's syntax tree, value types and function signatures. */
import type { Matcher } from './types.js';

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export type AggregateOp = 'sum' | 'avg' | 'max' | 'min' | 'count' | 'topk' | 'bottomk';
export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type BinaryOp = ArithmeticOp | ComparisonOp;

export interface VectorMatching {
  /** `on(...)` (true) or `ignoring(...)` (false). */
  on: boolean;
  labels: string[];
}

export interface SelectorExpr {
  type: 'selector';
  name?: string;
  matchers: Matcher[];
  /** `offset <duration>`: evaluated this long before the query time. */
  offsetMs?: number;
  pos: number;
}

export type Expr =
  | { type: 'number'; value: number; pos: number }
  | { type: 'string'; value: string; pos: number }
  | SelectorExpr
  | { type: 'matrix'; selector: SelectorExpr; rangeMs: number; pos: number }
  | { type: 'call'; func: string; args: Expr[]; pos: number }
  | {
      type: 'aggregate';
      op: AggregateOp;
      expr: Expr;
      param?: Expr;
      /** Labels of `by (...)`, or of `without (...)` when `without` is set. */
      grouping: string[];
      without: boolean;
      pos: number;
    }
  | {
      type: 'binary';
      op: BinaryOp;
      lhs: Expr;
      rhs: Expr;
      bool: boolean;
      matching?: VectorMatching;
      pos: number;
    }
  | { type: 'unary'; op: '-' | '+'; expr: Expr; pos: number };

export const AGGREGATIONS: readonly AggregateOp[] = ['sum', 'avg', 'max', 'min', 'count', 'topk', 'bottomk'];
export const UNSUPPORTED_AGGREGATIONS = [
  'stddev',
  'stdvar',
  'quantile',
  'count_values',
  'group',
  'limitk',
  'limit_ratio',
];
export const COMPARISONS: readonly string[] = ['==', '!=', '>', '<', '>=', '<='];

export interface FunctionSignature {
  args: ValueType[];
  /** How many trailing arguments may be left out. */
  optional?: number;
  returns: ValueType;
}

const RANGE: FunctionSignature = { args: ['matrix'], returns: 'vector' };
const MATH: FunctionSignature = { args: ['vector'], returns: 'vector' };

export const FUNCTIONS: Record<string, FunctionSignature> = {
  rate: RANGE,
  irate: RANGE,
  increase: RANGE,
  delta: RANGE,
  idelta: RANGE,
  sum_over_time: RANGE,
  avg_over_time: RANGE,
  max_over_time: RANGE,
  min_over_time: RANGE,
  count_over_time: RANGE,
  last_over_time: RANGE,
  histogram_quantile: { args: ['scalar', 'vector'], returns: 'vector' },
  abs: MATH,
  ceil: MATH,
  floor: MATH,
  exp: MATH,
  ln: MATH,
  log2: MATH,
  log10: MATH,
  sqrt: MATH,
  round: { args: ['vector', 'scalar'], optional: 1, returns: 'vector' },
  clamp: { args: ['vector', 'scalar', 'scalar'], returns: 'vector' },
  clamp_min: { args: ['vector', 'scalar'], returns: 'vector' },
  clamp_max: { args: ['vector', 'scalar'], returns: 'vector' },
  sort: MATH,
  sort_desc: MATH,
  absent: MATH,
  time: { args: [], returns: 'scalar' },
  vector: { args: ['scalar'], returns: 'vector' },
  scalar: { args: ['vector'], returns: 'scalar' },
};

/** Real PromQL functions this subset leaves out (anything else is unknown). */
export const UNSUPPORTED_FUNCTIONS = new Set(
  (
    'absent_over_time acos acosh asin asinh atan atanh changes cos cosh day_of_month day_of_week day_of_year ' +
    'days_in_month deg deriv double_exponential_smoothing histogram_avg histogram_count histogram_fraction ' +
    'histogram_stddev histogram_stdvar histogram_sum holt_winters hour info label_join label_replace ' +
    'mad_over_time minute month pi predict_linear present_over_time quantile_over_time rad resets sgn sin ' +
    'sinh sort_by_label sort_by_label_desc stddev_over_time stdvar_over_time tan tanh timestamp year'
  ).split(' '),
);

export function typeOf(expr: Expr): ValueType {
  switch (expr.type) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'selector':
      return 'vector';
    case 'matrix':
      return 'matrix';
    case 'call':
      return FUNCTIONS[expr.func]?.returns ?? 'vector';
    case 'aggregate':
      return 'vector';
    case 'binary':
      return typeOf(expr.lhs) === 'scalar' && typeOf(expr.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'unary':
      return typeOf(expr.expr);
  }
}

export const TYPE_NAMES: Record<ValueType, string> = {
  scalar: 'scalar',
  vector: 'instant vector',
  matrix: 'range vector',
  string: 'string',
};
