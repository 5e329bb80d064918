/**
 * Secrets never leave the process in text. Every string bound for a sink (stdout, stderr, a file,
 * a run event, an error, and later metrics or a fleet's status) passes through a Redactor that
 * knows the current secrets: passwords, the Basic credential, consumer secrets, tokens, station
 * passwords.
 *
 * A secret is masked in every form it can travel in: as written, JSON-escaped (`\"`, `\\`, `\t`,
 * `\u00e9`), XML-escaped (`&amp;`, `&lt;`, `&quot;`, numeric references), URL-encoded (and form
 * encoded, `+` for a space), base64 (of the secret, and of `user:password` as Basic authentication
 * carries it); and any run of MIN_RUN or more consecutive characters of it in any of those forms,
 * so that an echo cut short ("AlicePass-s" of "AlicePass-secret") is masked too.
 *
 * The small surface other sinks reuse: `new Redactor().add(secret)`, `.addBasic(user, password)`,
 * then `.text(string)`, `.value(json)` or `.sink(write)`.
 */

/** What a masked region becomes. */
export const MASK = '***';

/** The shortest run of a secret's characters that is masked on its own. */
export const MIN_RUN = 6;

/** Secrets shorter than this are not masked at all: three characters match too much ordinary text. */
const MIN_SECRET = 3;

const XML_NAMED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** How many per-character encodings `encodings` builds (the columns below). */
const COLUMNS = 11;

/**
 * A string in each per-character encoding. Each encoding applies to the whole string (a JSON string
 * is escaped throughout, not half of it), and a run's form in an encoding is the concatenation of
 * its characters' forms, so masking every run of MIN_RUN characters covers every longer run too.
 */
function encodings(s: string): string[] {
  const chars = [...s].map((ch) => {
    const cp = ch.codePointAt(0)!;
    const json = JSON.stringify(ch).slice(1, -1);
    const u4 = (c: number) => `\\u${c.toString(16).padStart(4, '0')}`;
    const jsonAscii = cp > 0x7e || cp < 0x20 ? (cp > 0xffff ? u4(0xd800 + ((cp - 0x10000) >> 10)) + u4(0xdc00 + ((cp - 0x10000) & 0x3ff)) : u4(cp)) : json;
    const special = ch === '\t' || cp > 0x7e || cp < 0x20 || XML_NAMED[ch] !== undefined;
    const url = encodeURIComponent(ch);
    // One column per encoding: plain, JSON, JSON (ASCII, lower hex), JSON (ASCII, upper hex),
    // XML named, XML decimal, XML hex, URL, URL (lower hex), form, JSON inside a JSON string.
    return [
      ch,
      json,
      jsonAscii,
      jsonAscii.replace(/\\u([0-9a-f]{4})/g, (_, h: string) => `\\u${h.toUpperCase()}`),
      XML_NAMED[ch] ?? ch,
      special ? `&#${cp};` : ch,
      special ? `&#x${cp.toString(16)};` : ch,
      url,
      url.toLowerCase(),
      ch === ' ' ? '+' : url,
      JSON.stringify(json).slice(1, -1),
    ];
  });
  const out = new Set<string>();
  for (let k = 0; k < COLUMNS; k++) out.add(chars.map((f) => f[k]).join(''));
  return [...out];
}

function base64Forms(s: string): string[] {
  const b = Buffer.from(s, 'utf8');
  return [b.toString('base64'), b.toString('base64url'), b.toString('base64').replace(/=+$/, '')];
}

export class Redactor {
  /** Every pattern to mask (a run's form, or a whole secret's), by its first two characters' codes. */
  private readonly byStart = new Map<number, string[]>();
  private readonly patterns = new Set<string>();
  private readonly secrets = new Set<string>();

  /** How many secrets it knows. */
  get size(): number {
    return this.secrets.size;
  }

  /** Masks this secret from now on, in every form (ignored when empty or shorter than 3 characters). */
  add(secret: string | undefined | null): this {
    if (typeof secret !== 'string' || [...secret].length < MIN_SECRET || this.secrets.has(secret)) return this;
    this.secrets.add(secret);
    for (const form of encodings(secret)) this.pattern(form);
    for (const form of base64Forms(secret)) this.pattern(form);
    const cps = [...secret];
    for (let i = 0; i + MIN_RUN <= cps.length; i++) {
      for (const form of encodings(cps.slice(i, i + MIN_RUN).join(''))) this.pattern(form);
    }
    return this;
  }

  /** The password, and `user:password` in base64 as a Basic Authorization header carries it. */
  addBasic(username: string, password: string): this {
    this.add(password);
    if (!password) return this;
    for (const form of base64Forms(`${username}:${password}`)) this.pattern(form);
    return this;
  }

  /** Adds every secret another redactor knows (a client's to the CLI's, say). */
  merge(other: Redactor): this {
    for (const p of other.patterns) this.pattern(p);
    for (const s of other.secrets) this.secrets.add(s);
    return this;
  }

  private pattern(p: string): void {
    if (p.length < MIN_SECRET || this.patterns.has(p)) return;
    this.patterns.add(p);
    const key = p.charCodeAt(0) * 65536 + p.charCodeAt(1);
    const list = this.byStart.get(key);
    if (list) list.push(p);
    else this.byStart.set(key, [p]);
  }

  /** The text with every occurrence of every form (and run) of every secret replaced by ***. */
  text(s: string): string {
    if (this.patterns.size === 0 || typeof s !== 'string' || s.length < MIN_SECRET) return s;
    // Regions [start, end) to mask, merged as they are found (starts only grow).
    const regions: number[] = [];
    let start = -1;
    let end = -1;
    const n = s.length;
    let next = s.charCodeAt(0);
    for (let i = 0; i < n - 1; i++) {
      const c = next;
      next = s.charCodeAt(i + 1);
      const list = this.byStart.get(c * 65536 + next);
      if (!list) continue;
      for (const p of list) {
        if (i + p.length <= n && s.startsWith(p, i)) {
          const e = i + p.length;
          if (i <= end) {
            if (e > end) end = e;
          } else {
            if (end >= 0) regions.push(start, end);
            start = i;
            end = e;
          }
        }
      }
    }
    if (end < 0) return s;
    regions.push(start, end);
    let out = '';
    let at = 0;
    for (let k = 0; k < regions.length; k += 2) {
      let a = regions[k];
      let b = regions[k + 1];
      if (a < at) a = at;
      // Never leave half an escape behind: a JSON string stays valid JSON when a run is masked.
      if (oddBackslashesBefore(s, a)) a--;
      b = pastEscape(s, a, b);
      out += s.slice(at, a) + MASK;
      at = b;
    }
    return out + s.slice(at);
  }

  /** A JSON value with every string in it (keys included) passed through text(); toJSON is honoured. */
  value<T>(v: T): T {
    if (this.patterns.size === 0) return v;
    return this.walk(v, 0) as T;
  }

  private walk(v: unknown, depth: number): unknown {
    if (typeof v === 'string') return this.text(v);
    if (v === null || typeof v !== 'object' || depth > 100) return v;
    if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return this.walk((v as { toJSON(): unknown }).toJSON(), depth + 1);
    if (Array.isArray(v)) return v.map((x) => this.walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[this.text(k)] = this.walk(x, depth + 1);
    return out;
  }

  /** A writer that redacts before writing: wrap any sink with it. */
  sink(write: (s: string) => void): (s: string) => void {
    return (s: string) => write(this.text(s));
  }
}

function oddBackslashesBefore(s: string, i: number): boolean {
  let k = 0;
  while (i - k - 1 >= 0 && s.charCodeAt(i - k - 1) === 92) k++;
  return k % 2 === 1;
}

/** `b`, or further when the masked region [a, b) ends inside a JSON escape or an XML reference. */
function pastEscape(s: string, a: number, b: number): number {
  let k = 0;
  while (b - k - 1 >= a && s.charCodeAt(b - k - 1) === 92) k++;
  if (k % 2 === 1 && b < s.length && '"\\/bfnrtu'.includes(s[b])) {
    b++;
    if (s[b - 1] === 'u') b = Math.min(s.length, b + 4);
  }
  const amp = s.lastIndexOf('&', b - 1);
  if (amp >= a) {
    const semi = s.indexOf(';', amp);
    if (semi >= b && semi - amp <= 10 && /^&#?[0-9a-zA-Z]*$/.test(s.slice(amp, semi))) b = semi + 1;
  }
  return b;
}

/** A redactor that knows these secrets. */
export function redactorOf(...secrets: Array<string | undefined>): Redactor {
  const r = new Redactor();
  for (const s of secrets) r.add(s);
  return r;
}
