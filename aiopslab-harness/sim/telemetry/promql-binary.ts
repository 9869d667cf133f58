/**
 * PromQL's binary operators: arithmetic and comparisons between scalars, between a vector and a scalar,
 * and between two vectors matched one-to-one on all labels but the name, or `on`/`ignoring` a list.
 */
import type { BinaryOp, Expr } from './promql-ast.js';
import { COMPARISONS } from './promql-ast.js';
import { PromQLError } from './promql-lexer.js';
import type { Value, VectorSample } from './promql-values.js';
import { labelsKey, omit, pick, unique } from './promql-values.js';
import type { Labels } from './types.js';

type BinaryExpr = Extract<Expr, { type: 'binary' }>;

function arithmetic(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
    case '^':
      return a ** b;
    case '==':
      return Number(a === b);
    case '!=':
      return Number(a !== b);
    case '>':
      return Number(a > b);
    case '<':
      return Number(a < b);
    case '>=':
      return Number(a >= b);
    case '<=':
      return Number(a <= b);
  }
}

export function binaryOp(expr: BinaryExpr, lhs: Value, rhs: Value): Value {
  const { op, bool } = expr;
  const comparison = COMPARISONS.includes(op);
  if (lhs.type === 'scalar' && rhs.type === 'scalar')
    return { type: 'scalar', v: arithmetic(op, lhs.v, rhs.v) };
  const keepName = comparison && !bool;
  const result = (labels: Labels) => (keepName ? labels : omit(labels, ['__name__']));
  if (lhs.type === 'vector' && rhs.type === 'vector')
    return { type: 'vector', samples: vectorMatch(expr, lhs.samples, rhs.samples, result) };
  const vectorOnLeft = lhs.type === 'vector';
  const samples = vectorOnLeft ? lhs.samples : rhs.type === 'vector' ? rhs.samples : [];
  const scalar = vectorOnLeft ? (rhs.type === 'scalar' ? rhs.v : NaN) : lhs.type === 'scalar' ? lhs.v : NaN;
  const out: VectorSample[] = [];
  for (const s of samples) {
    const v = vectorOnLeft ? arithmetic(op, s.v, scalar) : arithmetic(op, scalar, s.v);
    if (comparison && !bool) {
      if (v === 1) out.push(s);
    } else out.push({ labels: result(s.labels), v });
  }
  return { type: 'vector', samples: unique(out) };
}

function vectorMatch(
  expr: BinaryExpr,
  lhs: VectorSample[],
  rhs: VectorSample[],
  result: (labels: Labels) => Labels,
): VectorSample[] {
  const { matching } = expr;
  const signature = (labels: Labels) =>
    labelsKey(
      matching?.on ? pick(labels, matching.labels) : omit(labels, [...(matching?.labels ?? []), '__name__']),
    );
  const right = new Map<string, VectorSample>();
  for (const s of rhs) {
    const sig = signature(s.labels);
    if (right.has(sig))
      throw new PromQLError(
        `found duplicate series for the match group ${sig} on the right hand-side of the operation; ` +
          'many-to-many matching not allowed: matching labels must be unique on one side',
      );
    right.set(sig, s);
  }
  const matched = new Set<string>();
  const out: VectorSample[] = [];
  const comparison = COMPARISONS.includes(expr.op);
  for (const l of lhs) {
    const sig = signature(l.labels);
    const r = right.get(sig);
    if (!r) continue;
    if (matched.has(sig))
      throw new PromQLError(
        'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
      );
    matched.add(sig);
    const v = arithmetic(expr.op, l.v, r.v);
    if (comparison && !expr.bool && v !== 1) continue;
    let labels = result(l.labels);
    if (matching) labels = matching.on ? pick(labels, matching.labels) : omit(labels, matching.labels);
    out.push({ labels, v: comparison && !expr.bool ? l.v : v });
  }
  return unique(out);
}
