import type Ajv from 'ajv';
import { fitsXsd, xsdRangeMessage } from './xsd';

/**
 * String formats the schemas use beyond ajv-formats. They check, never change: a value that passes
 * is sent exactly as written.
 */

const LOCAL_MINUTE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** YYYY-MM-DDTHH:mm on a real calendar day (no seconds, no offset): 2026-02-29T09:00 is refused. */
export function isLocalDateTimeMinute(s: string): boolean {
  const m = LOCAL_MINUTE.exec(s);
  if (!m) return false;
  const [y, mo, d, h, mi] = m.slice(1).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59) return false;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= days;
}

const OFFSET = /^(Z|[+-](0\d|1[0-4]):[0-5]\d)$/;
const zones = new Map<string, boolean>();

/** An IANA zone the runtime knows (America/New_York) or a UTC offset (+05:30, -07:00, Z). */
export function isTimeZone(s: string): boolean {
  if (OFFSET.test(s)) return true;
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(s)) return false;
  let known = zones.get(s);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: s });
      known = true;
    } catch {
      known = false;
    }
    zones.set(s, known);
  }
  return known;
}

export const FORMATS: Record<string, { check: (s: string) => boolean; says: string }> = {
  'phone-number': { check: (s) => /^\+?[0-9]{7,15}$/.test(s), says: 'must be a phone number of 7 to 15 digits, optionally after a leading + (no spaces, dashes or brackets)' },
  'local-date-time-minute': { check: isLocalDateTimeMinute, says: 'must be a local date-time to the minute, YYYY-MM-DDTHH:mm (no seconds, no offset, a real date)' },
  'time-zone': { check: isTimeZone, says: 'must be an IANA time zone such as America/New_York or an offset such as +05:30' },
};

export function addFormats(ajv: Ajv): void {
  for (const [name, f] of Object.entries(FORMATS)) ajv.addFormat(name, { type: 'string', validate: f.check });
  // x-xsd: "int" | "long" on every integer: the value must fit its XSD type exactly (src/schemas/xsd.ts).
  ajv.addKeyword({
    keyword: 'x-xsd',
    type: 'number',
    schemaType: 'string',
    errors: true,
    validate: function xsd(this: unknown, type: string, data: number): boolean {
      const self = xsd as unknown as { errors?: Array<Record<string, unknown>> };
      if (fitsXsd(data, type) || !Number.isInteger(data)) {
        // Not an integer at all: `type: integer` says so.
        self.errors = [];
        return true;
      }
      self.errors = [{ keyword: 'x-xsd', message: xsdRangeMessage(type), params: { xsd: type } }];
      return false;
    },
  });
  ajv.addKeyword({
    keyword: 'x-ascending',
    type: 'object',
    schemaType: 'array',
    errors: true,
    validate: ascending,
  });
}

/**
 * x-ascending: ["guardTimeStart", "guardTimeEnd"]: where all the listed fields are strings of one
 * fixed-width format (YYYY-MM-DDTHH:mm in one time zone), each is later than the one before.
 */
function ascending(this: unknown, fields: string[], data: Record<string, unknown>): boolean {
  const self = ascending as unknown as { errors?: Array<Record<string, unknown>> };
  self.errors = [];
  const values = fields.map((f) => data[f]);
  if (values.some((v) => typeof v !== 'string')) return true;
  for (let i = 1; i < values.length; i++) {
    if (!((values[i] as string) > (values[i - 1] as string))) {
      self.errors = [{ keyword: 'x-ascending', message: `must be later than ${fields[i - 1]}`, params: { field: fields[i], after: fields[i - 1] } }];
      return false;
    }
  }
  return true;
}
