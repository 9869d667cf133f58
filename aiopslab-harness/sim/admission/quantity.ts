/**
 * Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource), enough for admission: a value in
 * thousandths of the unit (so "100m" CPU and "512Mi" bytes compare and add exactly) and the canonical text
 * `Quantity.String()` prints, in the format of the quantity it started from (BinarySI for "Mi", DecimalSI
 * otherwise), which is what quota and LimitRange messages show.
 */
export type QuantityFormat = 'BinarySI' | 'DecimalSI';

export interface Quantity {
  /** The value × 1000 (milli-units). */
  milli: number;
  format: QuantityFormat;
}

const BINARY: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL: Record<string, number> = { m: -1, '': 0, k: 1, M: 2, G: 3, T: 4, P: 5, E: 6 };

export function parseQuantity(text: string | undefined): Quantity | undefined {
  if (text === undefined) return undefined;
  const match = /^([+-]?[0-9.]+)(?:[eE]([+-]?[0-9]+))?([a-zA-Z]*)$/.exec(text.trim());
  if (!match) return undefined;
  const number = Number(match[1]) * 10 ** Number(match[2] ?? 0);
  const suffix = match[3] ?? '';
  if (!Number.isFinite(number)) return undefined;
  if (suffix in BINARY)
    return { milli: Math.round(number * 1024 ** BINARY[suffix]! * 1000), format: 'BinarySI' };
  if (suffix in DECIMAL)
    return { milli: Math.round(number * 1000 ** DECIMAL[suffix]! * 1000), format: 'DecimalSI' };
  return undefined;
}

/** The canonical text: the largest suffix that keeps the number whole ("1536Mi", "2Gi", "1500m", "2"). */
export function formatQuantity(q: Quantity): string {
  if (q.milli % 1000 !== 0) return `${q.milli}m`;
  const whole = q.milli / 1000;
  if (whole === 0) return '0';
  if (q.format === 'BinarySI') {
    const suffixes = ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'];
    for (const s of suffixes) {
      const unit = 1024 ** BINARY[s]!;
      if (Math.abs(whole) >= unit && whole % unit === 0) return `${whole / unit}${s}`;
    }
    return String(whole);
  }
  for (const s of ['E', 'P', 'T', 'G', 'M', 'k']) {
    const unit = 1000 ** DECIMAL[s]!;
    if (Math.abs(whole) >= unit && whole % unit === 0) return `${whole / unit}${s}`;
  }
  return String(whole);
}

/** Adds `b` to `a`, keeping `a`'s format (`Quantity.Add`); an absent `a` takes `b` as it is. */
export function addQuantity(a: Quantity | undefined, b: Quantity): Quantity {
  return a ? { milli: a.milli + b.milli, format: a.format } : { ...b };
}

export function count(n: number): Quantity {
  return { milli: n * 1000, format: 'DecimalSI' };
}
