/**
 * A recursive-descent parser for the PromQL subset: selectors with matchers, range selectors, functions,
 * aggregations with `by`/`without` before or after, arithmetic and comparisons with `bool`, `on` and
 * `ignoring`. Anything else fails with a `line:col: parse error` naming what is not supported.
 */
import type { AggregateOp, BinaryOp, Expr, VectorMatching } from './promql-ast.js';
import {
  AGGREGATIONS,
  COMPARISONS,
  FUNCTIONS,
  TYPE_NAMES,
  UNSUPPORTED_AGGREGATIONS,
  UNSUPPORTED_FUNCTIONS,
  typeOf,
} from './promql-ast.js';
import type { Token } from './promql-lexer.js';
import { TokenStream, describe } from './promql-selector.js';

const PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '<=': 3,
  '<': 3,
  '>=': 3,
  '>': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  '^': 6,
};

class Parser extends TokenStream {
  parse(): Expr {
    if (this.peek().kind === 'eof') this.fail(this.peek(), 'no expression found in input');
    const expr = this.expr(0);
    const tok = this.peek();
    if (tok.kind !== 'eof') this.fail(tok, `unexpected ${describe(tok)}`);
    return expr;
  }

  private binaryOperator(): string | undefined {
    const tok = this.peek();
    if (tok.kind === 'op' && tok.text in PRECEDENCE) return tok.text;
    if (tok.kind === 'ident' && ['and', 'or', 'unless'].includes(tok.text.toLowerCase()))
      return tok.text.toLowerCase();
    return undefined;
  }

  private expr(minPrecedence: number): Expr {
    let lhs = this.unary();
    for (;;) {
      const op = this.binaryOperator();
      if (!op || PRECEDENCE[op]! < minPrecedence) return lhs;
      const tok = this.next();
      if (op === 'and' || op === 'or' || op === 'unless')
        this.fail(tok, `set operator "${op}" is not supported`);
      let bool = false;
      if (this.isIdent('bool')) {
        if (!COMPARISONS.includes(op))
          this.fail(this.peek(), 'bool modifier can only be used on comparison operators');
        this.next();
        bool = true;
      }
      let matching: VectorMatching | undefined;
      if (this.isIdent('on') || this.isIdent('ignoring')) {
        const on = this.next().text.toLowerCase() === 'on';
        matching = { on, labels: this.labelList() };
      }
      if (this.isIdent('group_left') || this.isIdent('group_right'))
        this.fail(this.peek(), `${this.peek().text} (many-to-one matching) is not supported`);
      const rhs = this.expr(op === '^' ? PRECEDENCE[op]! : PRECEDENCE[op]! + 1);
      lhs = this.binary(op as BinaryOp, lhs, rhs, bool, matching, tok.pos);
    }
  }

  private binary(
    op: BinaryOp,
    lhs: Expr,
    rhs: Expr,
    bool: boolean,
    matching: VectorMatching | undefined,
    pos: number,
  ): Expr {
    const lt = typeOf(lhs);
    const rt = typeOf(rhs);
    if (![lt, rt].every((t) => t === 'scalar' || t === 'vector'))
      this.fail(pos, 'binary expression must contain only scalar and instant vector types');
    if (COMPARISONS.includes(op) && lt === 'scalar' && rt === 'scalar' && !bool)
      this.fail(pos, 'comparisons between scalars must use BOOL modifier');
    if (matching && (lt !== 'vector' || rt !== 'vector'))
      this.fail(pos, 'vector matching only allowed between instant vectors');
    const node: Expr = { type: 'binary', op, lhs, rhs, bool, pos };
    if (matching) node.matching = matching;
    return node;
  }

  private unary(): Expr {
    const tok = this.peek();
    if (tok.kind === 'op' && (tok.text === '-' || tok.text === '+')) {
      this.next();
      const expr = this.expr(PRECEDENCE['^']!);
      const t = typeOf(expr);
      if (t !== 'scalar' && t !== 'vector')
        this.fail(tok, 'unary expression only allowed on expressions of type scalar or instant vector');
      if (expr.type === 'number') return { ...expr, value: tok.text === '-' ? -expr.value : expr.value };
      return { type: 'unary', op: tok.text, expr, pos: tok.pos };
    }
    return this.postfix(this.primary());
  }

  private postfix(expr: Expr): Expr {
    for (;;) {
      const tok = this.peek();
      if (tok.kind === '[') {
        this.next();
        const range = this.next();
        if (range.kind !== 'duration')
          this.fail(range, `unexpected ${describe(range)} in range selector, expected duration`);
        if (this.peek().kind === ':') this.fail(this.peek(), 'subqueries are not supported');
        this.expect(']', 'range selector');
        if (expr.type !== 'selector') this.fail(tok, 'ranges only allowed for vector selectors');
        if (range.value === 0) this.fail(range, 'range selector must be positive');
        expr = { type: 'matrix', selector: expr, rangeMs: range.value!, pos: expr.pos };
      } else if (this.isIdent('offset')) {
        this.next();
        const sign = this.peek();
        const negative = sign.kind === 'op' && sign.text === '-';
        if (negative) this.next();
        const by = this.next();
        if (by.kind !== 'duration') this.fail(by, `unexpected ${describe(by)} in offset, expected duration`);
        const selector = expr.type === 'matrix' ? expr.selector : expr.type === 'selector' ? expr : undefined;
        if (!selector)
          this.fail(
            tok,
            'offset modifier must be preceded by an instant vector selector or range vector selector',
          );
        if (selector.offsetMs !== undefined) this.fail(tok, 'offset may not be set multiple times');
        const offsetMs = negative ? -by.value! : by.value!;
        expr =
          expr.type === 'matrix'
            ? { ...expr, selector: { ...selector, offsetMs } }
            : { ...selector, offsetMs };
      } else if (tok.kind === '@') this.fail(tok, '@ modifier is not supported');
      else return expr;
    }
  }

  private primary(): Expr {
    const tok = this.next();
    if (tok.kind === 'number') return { type: 'number', value: tok.value!, pos: tok.pos };
    if (tok.kind === 'duration') return { type: 'number', value: tok.value! / 1000, pos: tok.pos };
    if (tok.kind === 'string') return { type: 'string', value: tok.text, pos: tok.pos };
    if (tok.kind === '{') return this.selector(undefined, tok.pos, true);
    if (tok.kind === 'ident') return this.identifier(tok);
    if (tok.kind !== '(') this.fail(tok, `unexpected ${describe(tok)}`);
    const inner = this.expr(0);
    this.expect(')', 'parenthesized expression');
    return inner;
  }

  private identifier(tok: Token): Expr {
    const lower = tok.text.toLowerCase();
    if ((AGGREGATIONS as readonly string[]).includes(lower)) return this.aggregate(lower as AggregateOp, tok);
    if (UNSUPPORTED_AGGREGATIONS.includes(lower)) this.fail(tok, `aggregation "${lower}" is not supported`);
    if (this.peek().kind === '(') return this.call(tok);
    if (lower === 'inf' || lower === 'nan')
      return { type: 'number', value: lower === 'inf' ? Infinity : NaN, pos: tok.pos };
    if (['by', 'without', 'on', 'ignoring', 'bool', 'offset', 'group_left', 'group_right'].includes(lower))
      this.fail(tok, `unexpected ${describe(tok)}`);
    const braces = this.peek().kind === '{';
    if (braces) this.next();
    return this.selector(tok.text, tok.pos, braces);
  }

  private call(tok: Token): Expr {
    const name = tok.text;
    const signature = FUNCTIONS[name];
    if (!signature) {
      if (UNSUPPORTED_FUNCTIONS.has(name)) this.fail(tok, `function "${name}" is not supported`);
      this.fail(tok, `unknown function with name "${name}"`);
    }
    const args = this.argumentList(`call to function "${name}"`);
    const max = signature.args.length;
    const min = max - (signature.optional ?? 0);
    if (args.length < min || args.length > max) {
      const expected = min === max ? `${max}` : `${min} to ${max}`;
      this.fail(tok, `expected ${expected} argument(s) in call to "${name}", got ${args.length}`);
    }
    args.forEach((arg, k) => {
      const want = signature.args[k]!;
      const got = typeOf(arg);
      if (got !== want)
        this.fail(
          arg.pos,
          `expected type ${TYPE_NAMES[want]} in call to function "${name}", got ${TYPE_NAMES[got]}`,
        );
    });
    return { type: 'call', func: name, args, pos: tok.pos };
  }

  private argumentList(context: string): Expr[] {
    this.expect('(', context);
    const args: Expr[] = [];
    if (this.peek().kind === ')') {
      this.next();
      return args;
    }
    for (;;) {
      args.push(this.expr(0));
      const tok = this.next();
      if (tok.kind === ')') return args;
      if (tok.kind !== ',') this.fail(tok, `unexpected ${describe(tok)} in ${context}, expected "," or ")"`);
    }
  }

  private aggregate(op: AggregateOp, tok: Token): Expr {
    let grouping: { labels: string[]; without: boolean } | undefined;
    const modifier = () => {
      if (this.isIdent('by') || this.isIdent('without')) {
        const without = this.next().text.toLowerCase() === 'without';
        if (grouping) this.fail(this.peek(-1), 'aggregation grouping given twice');
        grouping = { labels: this.labelList(), without };
      }
    };
    modifier();
    const args = this.argumentList('aggregation');
    modifier();
    const wanted = op === 'topk' || op === 'bottomk' ? 2 : 1;
    if (args.length !== wanted)
      this.fail(
        tok,
        `wrong number of arguments for aggregate expression provided, expected ${wanted}, got ${args.length}`,
      );
    const expr = args[wanted - 1]!;
    const t = typeOf(expr);
    if (t !== 'vector')
      this.fail(expr.pos, `expected type instant vector in aggregation expression, got ${TYPE_NAMES[t]}`);
    const node: Expr = {
      type: 'aggregate',
      op,
      expr,
      grouping: grouping?.labels ?? [],
      without: grouping?.without ?? false,
      pos: tok.pos,
    };
    if (wanted === 2) {
      const param = args[0]!;
      if (typeOf(param) !== 'scalar')
        this.fail(
          param.pos,
          `expected type scalar in aggregation parameter, got ${TYPE_NAMES[typeOf(param)]}`,
        );
      node.param = param;
    }
    return node;
  }
}

/** Parses a PromQL expression; throws PromQLError with a `line:col: parse error: ...` message. */
export function parsePromQL(query: string): Expr {
  return new Parser(query).parse();
}
