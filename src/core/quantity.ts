/** Kubernetes resource quantities ("250m", "64Mi", "10Gi", "1") as plain numbers (cores or bytes). */
const UNITS: Record<string, number> = {
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** A quantity ("250m", "64Mi", "1") as a number (cores or bytes); undefined when it is not one. */
export function parseQuantity(quantity: string): number | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(quantity);
  if (!match) return undefined;
  return Number(match[1]) * (match[2] ? (UNITS[match[2]] ?? 1) : 1);
}
