/**
 * What AIOpsLab's orchestrator stores when a solver's reply is a `submit(...)` action string (microsoft/
 * AIOpsLab ddf7e406; issue 17): `ResponseParser.parse` finds exactly one fenced block, takes the lines
 * between the first two lines holding three backticks, the API name before the first "(", and the arguments
 * between it and the last ")" read as a Python call (constants, lists, tuples and dicts at the top, and
 * inside them only constants, lists and dicts; True/False/None). `Orchestrator.ask_env` then stores
 * `args[0]` when there is exactly one positional argument, else the list of them: keyword arguments are
 * dropped, so `submit()` and `submit(has_anomaly="Yes")` both store `[]`.
 */

export type StoredSubmit = { ok: true; solution: unknown } | { ok: false; reason: string };

class ParseError extends Error {}

/** A reader of Python literal syntax, as much of it as AIOpsLab's `eval_ast_node` accepts. */
class Literal {
  private i = 0;
  constructor(private readonly text: string) {}

  private skip(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i]!)) this.i++;
  }

  peek(): string {
    this.skip();
    return this.text[this.i] ?? '';
  }

  eat(char: string): boolean {
    if (this.peek() !== char) return false;
    this.i++;
    return true;
  }

  done(): boolean {
    return this.peek() === '';
  }

  /** `name=` ahead (a keyword argument)? Consumes it and returns the name. */
  keyword(): string | undefined {
    this.skip();
    const m = /^([A-Za-z_]\w*)\s*=(?!=)/.exec(this.text.slice(this.i));
    if (!m) return undefined;
    this.i += m[0].length;
    return m[1];
  }

  value(top: boolean): unknown {
    const c = this.peek();
    if (c === '"' || c === "'") return this.string();
    if (c === '[') return this.sequence('[', ']');
    if (c === '(' && top) return this.sequence('(', ')');
    if (c === '{') return this.dict();
    const m = /^(?:True|False|None|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)\b/.exec(this.text.slice(this.i));
    if (!m)
      throw new ParseError(`unsupported syntax at ${JSON.stringify(this.text.slice(this.i, this.i + 20))}`);
    this.i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return Number(m[0]);
  }

  private sequence(open: string, close: string): unknown[] {
    this.eat(open);
    const items: unknown[] = [];
    while (!this.eat(close)) {
      items.push(this.value(false));
      if (!this.eat(',') && this.peek() !== close) throw new ParseError(`expected , or ${close}`);
    }
    return items;
  }

  private dict(): Record<string, unknown> {
    this.eat('{');
    const out: Record<string, unknown> = {};
    while (!this.eat('}')) {
      const key = this.value(false);
      if (!this.eat(':')) throw new ParseError('expected : in a dict (a set is not supported)');
      out[typeof key === 'string' ? key : JSON.stringify(key)] = this.value(false);
      if (!this.eat(',') && this.peek() !== '}') throw new ParseError('expected , or }');
    }
    return out;
  }

  private string(): string {
    const quote = this.text[this.i]!;
    let out = '';
    for (this.i++; this.i < this.text.length; this.i++) {
      const ch = this.text[this.i]!;
      if (ch === quote) {
        this.i++;
        return out;
      }
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const next = this.text[++this.i] ?? '';
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };
      if (next in simple) out += simple[next];
      else if (next === 'u') {
        out += String.fromCharCode(parseInt(this.text.slice(this.i + 1, this.i + 5), 16));
        this.i += 4;
      } else out += `\\${next}`;
    }
    throw new ParseError('unterminated string');
  }
}

/** The argument list of one action string's call, as the parser reads it; throws ParseError. */
function parseCall(action: string): { api: string; args: unknown[]; kwargs: Record<string, unknown> } {
  const blocks = [...action.matchAll(/```\s*\n([\s\S]*?)\n```/g)];
  if (blocks.length !== 1) throw new ParseError(`expected one fenced block, found ${blocks.length}`);
  const lines = action.split('\n');
  const fences = lines.flatMap((line, i) => (line.includes('```') ? [i] : []));
  const code = lines.slice(fences[0]! + 1, fences[1]).join('\n');
  const first = code.indexOf('(');
  const last = code.lastIndexOf(')');
  if (first === -1 || last === -1) throw new ParseError('No API call found!');
  const api = code.slice(0, first).trim();
  const reader = new Literal(code.slice(first + 1, last));
  const args: unknown[] = [];
  const kwargs: Record<string, unknown> = {};
  while (!reader.done()) {
    const name = reader.keyword();
    if (name !== undefined) kwargs[name] = reader.value(false);
    else args.push(reader.value(true));
    if (!reader.eat(',') && !reader.done()) throw new ParseError('expected , between arguments');
  }
  return { api, args, kwargs };
}

export function solutionOf(action: string): StoredSubmit {
  try {
    const { api, args } = parseCall(action);
    if (api !== 'submit')
      return { ok: false, reason: `the last action calls ${api || 'nothing'}, not submit` };
    return { ok: true, solution: args.length === 1 ? args[0] : args };
  } catch (error) {
    if (error instanceof ParseError)
      return { ok: false, reason: `AIOpsLab's parser refuses it: ${error.message}` };
    throw error;
  }
}
