/** What the PromQL evaluator reads: series of samples, selected by label matchers. */
export type Labels = Record<string, string>;

export interface Sample {
  /** Simulated ms. */
  t: number;
  v: number;
}

export interface Series {
  labels: Labels;
  /** Samples with from < t <= to, oldest first. */
  samples(from: number, to: number): Sample[];
}

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
  /** The anchored regular expression for =~ and !~. */
  re?: RegExp;
}

export interface SeriesSource {
  select(matchers: readonly Matcher[]): Series[];
}

export function matcherMatches(m: Matcher, value: string | undefined): boolean {
  const v = value ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return m.re!.test(v);
    case '!~':
      return !m.re!.test(v);
  }
}

export function matchesAll(matchers: readonly Matcher[], labels: Labels): boolean {
  return matchers.every((m) => matcherMatches(m, labels[m.name]));
}

/** A Prometheus regular expression: RE2 syntax, anchored at both ends. */
export function compileRegex(source: string): RegExp {
  return new RegExp(`^(?:${source})$`, 's');
}
