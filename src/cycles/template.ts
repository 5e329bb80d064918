import Ajv from 'ajv';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Five9Error } from '../errors';
import type { CycleTemplate } from '../generated/template-types';
import { toIssues } from '../schemas';
import { parseJson } from '../util/json';
import { packageRoot } from '../util/paths';

export type { CycleTemplate, Step } from '../generated/template-types';

export function templatesDir(): string {
  return join(packageRoot(), 'connector', 'templates');
}

/** The bundled templates' ids (file names without .json). */
export function bundledTemplates(): string[] {
  return readdirSync(templatesDir()).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

/** A path given as one: ./x.json, ../x.json, /abs/x.json (or C:\\x.json). Anything else is a bundled template's id. */
const EXPLICIT_PATH = /^(\.{1,2}[\\/]|[\\/]|[A-Za-z]:[\\/])/;

/**
 * A template by bundled id or name ("maintain-session", "Maintain session"), which matches only
 * the bundled templates, or by an explicit file path (./x.json, /abs/x.json). A name that is
 * neither is refused: "../../package" is a path, and no id reaches outside connector/templates.
 */
export function resolveTemplatePath(ref: string): string {
  if (EXPLICIT_PATH.test(ref)) {
    if (!existsSync(ref)) throw new Five9Error('FIVE9_TEMPLATE_INVALID', `no template file ${ref}`);
    return ref;
  }
  const id = ref.trim().toLowerCase().replace(/\s+/g, '-').replace(/\.json$/, '');
  const bundled = bundledTemplates();
  if (/^[a-z0-9][a-z0-9-]*$/.test(id) && bundled.includes(id)) return join(templatesDir(), `${id}.json`);
  const hint = existsSync(ref) ? `; to use the file ${ref}, give its path: ./${ref}` : '; a template file is given by its path (./my-template.json)';
  throw new Five9Error('FIVE9_TEMPLATE_INVALID', `no bundled template "${ref}" (bundled: ${bundled.join(', ')})${hint}`);
}

let metaValidate: ReturnType<Ajv['compile']> | undefined;

/** What JSON must have to be taken for a template at all (otherwise its own keys are not listed back). */
const TEMPLATE_KEYS = ['connector', 'schedule', 'start', 'steps'];

/** Problems against the template meta-schema (empty when the shape is right). */
export function templateShapeProblems(raw: unknown): string[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || TEMPLATE_KEYS.some((k) => !(k in raw))) {
    return [`not a cycle template: a template is a JSON object with ${TEMPLATE_KEYS.join(', ')} (see schemas/template.schema.json)`];
  }
  metaValidate ??= new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(
    JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'template.schema.json'), 'utf8')),
  );
  if (metaValidate(raw)) return [];
  return toIssues(metaValidate.errors ?? []).map((i) => `template ${i.message.replace(/^input /, '')} (${i.rule})`);
}

/**
 * A template's JSON, by id or path. Errors say where the text is wrong, never what it holds: a
 * path may name a file that is not a template at all.
 */
export function readTemplateJson(ref: string): { path: string; raw: unknown } {
  const path = resolveTemplatePath(ref);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Five9Error('FIVE9_TEMPLATE_INVALID', `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  const raw = parseJson(text.replace(/^\uFEFF/, ''), path, (message) => new Five9Error('FIVE9_TEMPLATE_INVALID', message));
  return { path, raw };
}

export function readTemplate(ref: string): CycleTemplate {
  const { path, raw } = readTemplateJson(ref);
  const problems = templateShapeProblems(raw);
  if (problems.length) throw new Five9Error('FIVE9_TEMPLATE_INVALID', `${path}:\n- ${problems.join('\n- ')}`, { details: { problems } });
  return raw as CycleTemplate;
}
