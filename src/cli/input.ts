import { readFile } from 'node:fs/promises';
import { Five9Error } from '../errors';
import { parseJson } from '../util/json';

/** How a command reads its standard input (the CLI's io; tests pass text). */
export type StdinReader = () => Promise<string>;

/** All of the process's standard input, as UTF-8. */
export async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * An `--input` value as curl reads `-d`: JSON on the command line, `@FILE` for a file's content,
 * or `-` for standard input (large inputs do not fit on a command line). It must be a JSON object.
 * Errors say where the JSON is wrong, never what it holds (an input may carry a station password).
 */
export async function readJsonInput(value: string, stdin: StdinReader | undefined, option = '--input'): Promise<Record<string, unknown>> {
  let text = value;
  let what = option;
  if (value === '-') {
    if (!stdin) throw new Five9Error('FIVE9_INVALID_INPUT', `${option} -: this command has no standard input to read`);
    text = await stdin();
    what = `${option} - (standard input)`;
  } else if (value.startsWith('@')) {
    const path = value.slice(1);
    if (!path) throw new Five9Error('FIVE9_INVALID_INPUT', `${option} @FILE needs a file name after the @`);
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Five9Error('FIVE9_INVALID_INPUT', `${option} ${value}: cannot read the file (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : code ?? 'unreadable'})`);
    }
    what = `${option} ${value}`;
  }
  const parsed = parseJson(text.replace(/^\uFEFF/, ''), what, (message) => new Five9Error('FIVE9_INVALID_INPUT', message));
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Five9Error('FIVE9_INVALID_INPUT', `${what} must be a JSON object of the action's input fields`, { details: { issues: [{ field: '/', rule: 'type', message: 'input must be an object' }] } });
  }
  return parsed as Record<string, unknown>;
}
