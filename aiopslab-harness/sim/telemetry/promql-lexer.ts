/** The PromQL tokenizer. Positions are offsets into the query; errors carry them as `line:col`. */

export type TokenKind =
  | 'ident'
  | 'number'
  | 'duration'
  | 'string'
  | 'op'
  | '('
  | ')'
  | '{'
  | '}'
  | '['
  | ']'
  | ','
  | ':'
  | '@'
  | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
  /** Numbers and durations (in ms for durations). */
  value?: number;
}

export class PromQLError extends Error {
  constructor(
    message: string,
    readonly pos?: number,
  ) {
    super(message);
  }
}

/** `line:col: parse error: message`, as Prometheus reports it. */
export function parseError(query: string, pos: number, message: string): PromQLError {
  const before = query.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return new PromQLError(`${line}:${col}: parse error: ${message}`, pos);
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};
const DURATION = /^(?:[0-9]+(?:ms|s|m|h|d|w|y))+/;
const NUMBER = /^(?:0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)/;
const IDENT = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const OPERATORS = ['==', '!=', '=~', '!~', '<=', '>=', '=', '<', '>', '+', '-', '*', '/', '%', '^'];

/** Milliseconds in a duration like `1h30m`, or undefined when it is not one. */
export function parseDurationText(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match || match[0] !== text) return undefined;
  let total = 0;
  for (const part of text.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g))
    total += Number(part[1]) * UNIT_MS[part[2]!]!;
  return total;
}

function readString(query: string, start: number): { text: string; end: number } {
  const quote = query[start]!;
  let out = '';
  let i = start + 1;
  while (i < query.length) {
    const ch = query[i]!;
    if (ch === quote) return { text: out, end: i + 1 };
    if (ch === '\n' && quote !== '`') break;
    if (ch === '\\' && quote !== '`') {
      const next = query[i + 1];
      const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };
      if (next !== undefined && next in escapes) {
        out += escapes[next];
        i += 2;
        continue;
      }
      if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(query.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(query.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      throw parseError(query, i, `unknown escape sequence "\\${next ?? ''}"`);
    }
    out += ch;
    i++;
  }
  throw parseError(query, start, 'unterminated quoted string');
}

export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  /** Inside `[...]`, a colon separates a subquery's range from its step (it never starts a name there). */
  let brackets = 0;
  while (i < query.length) {
    const ch = query[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < query.length && query[i] !== '\n') i++;
      continue;
    }
    const rest = query.slice(i);
    if (ch === '"' || ch === "'" || ch === '`') {
      const { text, end } = readString(query, i);
      tokens.push({ kind: 'string', text, pos: i });
      i = end;
      continue;
    }
    if (/[0-9.]/.test(ch)) {
      const duration = DURATION.exec(rest);
      const number = NUMBER.exec(rest);
      if (duration && (!number || duration[0].length > number[0].length)) {
        tokens.push({ kind: 'duration', text: duration[0], pos: i, value: parseDurationText(duration[0])! });
        i += duration[0].length;
        continue;
      }
      if (number) {
        const text = number[0];
        tokens.push({ kind: 'number', text, pos: i, value: Number(text) });
        i += text.length;
        continue;
      }
    }
    if (ch === '[') brackets++;
    if (ch === ']') brackets = Math.max(0, brackets - 1);
    const ident = ch === ':' && brackets > 0 ? null : IDENT.exec(rest);
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0], pos: i });
      i += ident[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (op) {
      tokens.push({ kind: 'op', text: op, pos: i });
      i += op.length;
      continue;
    }
    if ('(){}[],:@'.includes(ch)) {
      tokens.push({ kind: ch as TokenKind, text: ch, pos: i });
      i++;
      continue;
    }
    throw parseError(query, i, `unexpected character: '${ch}'`);
  }
  tokens.push({ kind: 'eof', text: '', pos: query.length });
  return tokens;
}
