/**
 * The lower layer of the PromQL parser: a token stream with error reporting, label lists such as
 * `by (a, b)`, and vector selectors with their label matchers.
 */
import type { SelectorExpr } from './promql-ast.js';
import type { Token } from './promql-lexer.js';
import { parseError, tokenize } from './promql-lexer.js';
import type { MatchOp, Matcher } from './types.js';
import { compileRegex, matcherMatches } from './types.js';

const MATCH_OPS = new Set(['=', '!=', '=~', '!~']);

const KIND_NAMES: Partial<Record<Token['kind'], string>> = {
  string: 'string',
  number: 'number',
  duration: 'duration',
  ident: 'identifier',
};

/** A token as parse errors name it: `identifier "foo"`, `"}"`, `end of input`. */
export function describe(tok: Token): string {
  if (tok.kind === 'eof') return 'end of input';
  const kind = KIND_NAMES[tok.kind];
  return kind ? `${kind} "${tok.text}"` : `"${tok.text}"`;
}

/** A matcher with its regular expression compiled (`(?i)` becomes a flag, RE2 style). */
export function makeMatcher(name: string, op: MatchOp, value: string): Matcher {
  const m: Matcher = { name, op, value };
  if (op === '=~' || op === '!~') {
    const insensitive = value.startsWith('(?i)');
    const re = compileRegex(insensitive ? value.slice(4) : value);
    m.re = insensitive ? new RegExp(re.source, 'si') : re;
  }
  return m;
}

export class TokenStream {
  protected i = 0;
  protected readonly tokens: Token[];

  constructor(protected readonly query: string) {
    this.tokens = tokenize(query);
  }

  protected peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }

  protected next(): Token {
    const tok = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return tok;
  }

  protected fail(tok: Token | number, message: string): never {
    throw parseError(this.query, typeof tok === 'number' ? tok : tok.pos, message);
  }

  protected expect(kind: Token['kind'], context: string): Token {
    const tok = this.next();
    if (tok.kind !== kind) this.fail(tok, `unexpected ${describe(tok)} in ${context}, expected "${kind}"`);
    return tok;
  }

  protected isIdent(text: string, offset = 0): boolean {
    const tok = this.peek(offset);
    return tok.kind === 'ident' && tok.text.toLowerCase() === text;
  }

  protected labelList(): string[] {
    this.expect('(', 'grouping opts');
    const labels: string[] = [];
    for (;;) {
      const tok = this.next();
      if (tok.kind === ')') return labels;
      if (tok.kind !== 'ident' && tok.kind !== 'string')
        this.fail(tok, `unexpected ${describe(tok)} in grouping opts, expected label`);
      labels.push(tok.text);
      const sep = this.next();
      if (sep.kind === ')') return labels;
      if (sep.kind !== ',')
        this.fail(sep, `unexpected ${describe(sep)} in grouping opts, expected "," or ")"`);
    }
  }

  /** A selector; `braces` when the `{` was just consumed. */
  protected selector(name: string | undefined, pos: number, braces: boolean): SelectorExpr {
    const matchers: Matcher[] = name !== undefined ? [makeMatcher('__name__', '=', name)] : [];
    let metric = name;
    if (braces) {
      for (;;) {
        let tok = this.next();
        if (tok.kind === '}') break;
        if (tok.kind !== 'ident' && tok.kind !== 'string')
          this.fail(tok, `unexpected ${describe(tok)} in label matching, expected label`);
        const label = tok.text;
        const op = this.next();
        if (op.kind !== 'op' || !MATCH_OPS.has(op.text))
          this.fail(op, `unexpected ${describe(op)} in label matching, expected label matching operator`);
        const value = this.next();
        if (value.kind !== 'string')
          this.fail(value, `unexpected ${describe(value)} in label matching, expected string`);
        if (label === '__name__' && op.text === '=') {
          if (metric !== undefined)
            this.fail(tok, `metric name must not be set twice: "${metric}" or "${value.text}"`);
          metric = value.text;
        }
        try {
          matchers.push(makeMatcher(label, op.text as MatchOp, value.text));
        } catch (error) {
          this.fail(value, `invalid regular expression "${value.text}": ${(error as Error).message}`);
        }
        tok = this.next();
        if (tok.kind === '}') break;
        if (tok.kind !== ',')
          this.fail(tok, `unexpected ${describe(tok)} in label matching, expected "," or "}"`);
      }
    }
    if (matchers.every((m) => matcherMatches(m, '')))
      this.fail(pos, 'vector selector must contain at least one non-empty matcher');
    const node: SelectorExpr = { type: 'selector', matchers, pos };
    if (metric !== undefined) node.name = metric;
    return node;
  }
}
