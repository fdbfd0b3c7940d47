// Kubernetes resource quantities (`8`, `500m`, `16Gi`, `1.5G`, `1e3`), read
// the way the API server's resource.Quantity reads them:
//   <quantity> ::= <sign>? <number> <suffix>
//   <number>   ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
//   <suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei          (powers of 1024)
//                | n | u | m | "" | k | M | G | T | P | E (powers of 1000)
//                | (e | E) <sign>? <digits>           (a decimal exponent)
// A lone `E` is exa; `E` followed by digits is an exponent.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
/** Powers of ten by suffix. */
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

const SHAPE = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(.*)$/;

export type QuantityResult = { ok: true; value: number } | { ok: false; reason: string };

/** The quantity as a plain number (bytes, cores, devices), or why it is not one. */
export function parseQuantity(text: string): QuantityResult {
  const m = SHAPE.exec(text);
  if (!m)
    return { ok: false, reason: `"${text}" is not a quantity (a number with an optional suffix, like 500m or 16Gi)` };
  const number = Number(m[1]);
  const suffix = m[2] ?? '';
  const binary = BINARY[suffix];
  if (binary !== undefined) return { ok: true, value: number * binary };
  const decimal = DECIMAL[suffix];
  if (decimal !== undefined) return { ok: true, value: scale(number, decimal) };
  const exponent = /^[eE]([+-]?[0-9]+)$/.exec(suffix);
  if (exponent) return { ok: true, value: scale(number, Number(exponent[1])) };
  return {
    ok: false,
    reason: `"${text}" has an unknown suffix "${suffix}" (known: Ki Mi Gi Ti Pi Ei, n u m k M G T P E, or an exponent like e3)`,
  };
}

/** number × 10^power; a negative power divides, so 3n is exactly 3e-9 rather than 3 × 1e-9. */
function scale(number: number, power: number): number {
  return power >= 0 ? number * 10 ** power : number / 10 ** -power;
}
