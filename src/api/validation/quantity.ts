// resource.Quantity: parsing, comparison and the canonical string the API
// server writes back (`0.5` -> `500m`, `1024Mi` -> `1Gi`, `1.5Gi` -> `1536Mi`).
// Values are exact: a BigInt mantissa times a power of ten.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** value = mantissa * 10^scale */
  mantissa: bigint;
  scale: number;
  format: QuantityFormat;
}

export const QUANTITY_REGEX_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXP = new Map(Object.entries(DECIMAL_SUFFIX).map(([k, v]) => [v, k]));
const BINARY_BY_EXP = new Map(Object.entries(BINARY_SUFFIX).map(([k, v]) => [v, k]));

/** ParseQuantity; null when the text is not a quantity. */
export function parseQuantity(input: unknown): Quantity | null {
  if (typeof input !== 'string' && typeof input !== 'number') return null;
  const s = String(input).trim();
  const m = s.match(/^([+-]?)(\d*)(?:\.(\d*))?(.*)$/);
  if (!m) return null;
  const [, sign, whole, frac = '', suffix] = m;
  if (whole.length + frac.length === 0) return null;
  let format: QuantityFormat;
  let exp10 = 0;
  let exp2 = 0;
  if (suffix in DECIMAL_SUFFIX) {
    format = 'DecimalSI';
    exp10 = DECIMAL_SUFFIX[suffix];
  } else if (suffix in BINARY_SUFFIX) {
    format = 'BinarySI';
    exp2 = BINARY_SUFFIX[suffix];
  } else if (/^[eE][-+]?\d+$/.test(suffix)) {
    format = 'DecimalExponent';
    exp10 = Number(suffix.slice(1));
  } else return null;
  let mantissa = BigInt((whole + frac) || '0') * (1n << BigInt(exp2));
  if (sign === '-') mantissa = -mantissa;
  const q: Quantity = { mantissa, scale: exp10 - frac.length, format };
  // A fractional binary quantity below one is shown in decimal.
  if (format === 'BinarySI' && mantissa !== 0n && compare(abs(q), { mantissa: 1n, scale: 0, format }) < 0) q.format = 'DecimalSI';
  return q;
}

function abs(q: Quantity): Quantity {
  return { ...q, mantissa: q.mantissa < 0n ? -q.mantissa : q.mantissa };
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function compare(a: Quantity, b: Quantity): number {
  const s = Math.min(a.scale, b.scale);
  const av = a.mantissa * pow10(a.scale - s);
  const bv = b.mantissa * pow10(b.scale - s);
  return av < bv ? -1 : av > bv ? 1 : 0;
}

/** Compares two quantities' values; unparseable ones compare as zero. */
export function compareQuantities(a: unknown, b: unknown): number {
  const zero: Quantity = { mantissa: 0n, scale: 0, format: 'DecimalSI' };
  return compare(parseQuantity(a) ?? zero, parseQuantity(b) ?? zero);
}

export function quantitySign(q: Quantity): number {
  return q.mantissa < 0n ? -1 : q.mantissa > 0n ? 1 : 0;
}

/** Approximate numeric value, for arithmetic where exactness does not matter. */
export function quantityToNumber(input: unknown): number {
  const q = parseQuantity(input);
  return q ? Number(q.mantissa) * 10 ** q.scale : 0;
}

/** Quantity.RoundUp(scale): no digits below 10^scale, rounding away from zero. */
export function roundUp(q: Quantity, scale: number): Quantity {
  if (q.scale >= scale) return q;
  const d = pow10(scale - q.scale);
  const neg = q.mantissa < 0n;
  const a = neg ? -q.mantissa : q.mantissa;
  let r = a / d;
  if (r * d !== a) r += 1n;
  return { ...q, mantissa: neg ? -r : r, scale };
}

/** Quantity.String(): the canonical form. */
export function formatQuantity(q: Quantity): string {
  if (q.mantissa === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const one024: Quantity = { mantissa: 1024n, scale: 0, format };
    const integral = q.scale >= 0 || q.mantissa % pow10(-q.scale) === 0n;
    if (compare(abs(q), one024) < 0 || !integral) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    let v = q.scale >= 0 ? q.mantissa * pow10(q.scale) : q.mantissa / pow10(-q.scale);
    let exp = 0;
    while (exp < 60 && v % 1024n === 0n) { v /= 1024n; exp += 10; }
    return `${v}${BINARY_BY_EXP.get(exp) ?? ''}`;
  }
  let mantissa = q.mantissa;
  let exp = q.scale;
  while (mantissa % 10n === 0n) { mantissa /= 10n; exp++; }
  const r = ((exp % 3) + 3) % 3;
  if (r === 1) { mantissa *= 10n; exp -= 1; } else if (r === 2) { mantissa *= 100n; exp -= 2; }
  if (format === 'DecimalExponent') return exp === 0 ? `${mantissa}` : `${mantissa}e${exp}`;
  return `${mantissa}${DECIMAL_BY_EXP.get(exp) ?? `e${exp}`}`;
}

/** The string the API server stores for a resource-list quantity (rounded up to milli units). */
export function canonicalResourceQuantity(input: unknown): unknown {
  const q = parseQuantity(input);
  return q ? formatQuantity(roundUp(q, -3)) : input;
}
