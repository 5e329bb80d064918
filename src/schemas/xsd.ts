/**
 * The one rule for exact values (README "Exact values", docs/errors.md):
 *
 * - Every integer carries its XSD type in `x-xsd`: `int` (−2^31 … 2^31−1) or `long`. A `long` is
 *   carried as a JavaScript number, so it is limited to the safe integers, −(2^53−1) … 2^53−1,
 *   where every integer is exact. Five9's longs (epoch milliseconds, ids, counts) all fit.
 * - Input outside that range (9007199254740993, 1e21) is refused before anything is sent, naming
 *   the field (rule `x-xsd`); nothing is ever rounded.
 * - Numbers are written in their XSD lexical form: an integer as decimal digits (never 1e+21).
 * - In an answer, an integer must be in the lexical form Five9's JAX-WS writes, an optional minus
 *   sign and decimal digits between optional XML whitespace, and within the range: otherwise
 *   (1e20, 0x10, 0b101, +7, 9223372036854775807) the answer is FIVE9_BAD_RESPONSE naming the
 *   element. A boolean must be true, false, 1 or 0.
 *
 * The codec, the fast decoder, the getStatistics row hook, the ajv validators (keyword `x-xsd`,
 * in src/schemas/formats.ts) and the generated types all apply it from here.
 */

export type XsdInteger = 'int' | 'long';

export const XSD_RANGE: Record<XsdInteger, { min: number; max: number }> = {
  int: { min: -2147483648, max: 2147483647 },
  long: { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
};

/** The range of an integer schema's XSD type (an integer without one is a long). */
export function xsdRange(xsd: unknown): { min: number; max: number } {
  return xsd === 'int' ? XSD_RANGE.int : XSD_RANGE.long;
}

/** Whether a number is an integer its XSD type carries exactly. */
export function fitsXsd(n: number, xsd: unknown): boolean {
  const r = xsdRange(xsd);
  return Number.isSafeInteger(n) && n >= r.min && n <= r.max;
}

/** What an input number outside its type is told. */
export function xsdRangeMessage(xsd: unknown): string {
  const r = xsdRange(xsd);
  return xsd === 'int'
    ? `must be an integer from ${r.min} to ${r.max} (xsd:int)`
    : `must be an integer from ${r.min} to ${r.max} (xsd:long, carried exactly as a JavaScript number; larger values are refused, never rounded)`;
}

const INTEGER_TEXT = /^[ \t\r\n]*(-?[0-9]+)[ \t\r\n]*$/;
const BOOLEAN_TEXT = /^[ \t\r\n]*(true|false|1|0)[ \t\r\n]*$/;

/** An answer's integer text as a number, or undefined when it is not in the lexical form or outside the range. */
export function readXsdInteger(text: string, xsd: unknown): number | undefined {
  const m = INTEGER_TEXT.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return fitsXsd(n, xsd) ? n || 0 : undefined; // -0 is 0
}

/** An answer's boolean text, or undefined when it is none of true, false, 1, 0. */
export function readXsdBoolean(text: string): boolean | undefined {
  const m = BOOLEAN_TEXT.exec(text);
  if (!m) return undefined;
  return m[1] === 'true' || m[1] === '1';
}

/** Why an answer's text is not a value of its type, for FIVE9_BAD_RESPONSE. */
export function describeBadText(text: string, kind: 'integer' | 'boolean', xsd?: unknown): string {
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  if (kind === 'boolean') return `${shown} is not an xsd:boolean (true, false, 1 or 0)`;
  const m = INTEGER_TEXT.exec(text);
  if (!m) return `${shown} is not an integer in XSD form (an optional minus sign and decimal digits)`;
  const r = xsdRange(xsd);
  return `${shown} is outside ${r.min} … ${r.max}, the range of ${xsd === 'int' ? 'xsd:int' : 'xsd:long as carried exactly'}`;
}

/** A number in its XSD lexical form, or undefined when it has none that is exact (not finite, or an unsafe integer). */
export function writeXsdNumber(n: number, integer: boolean): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  if (integer) return Number.isSafeInteger(n) ? String(n || 0) : undefined;
  return String(n).toUpperCase(); // xsd:double writes its exponent as E (1E+21 is lexical; so is 1.5)
}
