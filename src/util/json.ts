/**
 * JSON from files and arguments, with errors that say where the text is wrong but never quote it:
 * the text may be a file the user did not mean (a template path mistyped) or hold a secret.
 */

/** Where a JSON.parse error points, as "line L, column C", or undefined when it does not say. */
export function jsonErrorPlace(text: string, e: unknown): string | undefined {
  const m = /position (\d+)/.exec(String((e as Error)?.message ?? ''));
  if (m) {
    const at = Math.min(Number(m[1]), text.length);
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    return `line ${line}, column ${column}`;
  }
  if (/end of (JSON )?input|Unterminated/i.test(String((e as Error)?.message ?? ''))) return 'its end (it is cut short)';
  return undefined;
}

/** JSON.parse, or a sentence saying where `what` is not JSON, quoting nothing of it. */
export function parseJson(text: string, what: string, fail: (message: string) => Error): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const place = jsonErrorPlace(text, e);
    throw fail(`${what} is not JSON${place ? ` (at ${place})` : ''}`);
  }
}
