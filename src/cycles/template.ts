import Ajv from 'ajv';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Five9Error } from '../errors';
import type { CycleTemplate } from '../generated/template-types';
import { toIssues } from '../schemas';
import { packageRoot } from '../util/paths';

export type { CycleTemplate, Step } from '../generated/template-types';

export function templatesDir(): string {
  return join(packageRoot(), 'connector', 'templates');
}

/** The bundled templates' ids (file names without .json). */
export function bundledTemplates(): string[] {
  return readdirSync(templatesDir()).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

/** A template file path, or the id or name of a bundled one ("maintain-session", "Maintain session"). */
export function resolveTemplatePath(ref: string): string {
  if (existsSync(ref)) return ref;
  const id = ref.trim().toLowerCase().replace(/\s+/g, '-').replace(/\.json$/, '');
  const bundled = join(templatesDir(), `${id}.json`);
  if (existsSync(bundled)) return bundled;
  throw new Five9Error('FIVE9_TEMPLATE_INVALID', `no template "${ref}": give a file or one of ${bundledTemplates().join(', ')}`);
}

let metaValidate: ReturnType<Ajv['compile']> | undefined;

/** Problems against the template meta-schema (empty when the shape is right). */
export function templateShapeProblems(raw: unknown): string[] {
  metaValidate ??= new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(
    JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'template.schema.json'), 'utf8')),
  );
  if (metaValidate(raw)) return [];
  return toIssues(metaValidate.errors ?? []).map((i) => `template ${i.message.replace(/^input /, '')} (${i.rule})`);
}

export function readTemplate(ref: string): CycleTemplate {
  const path = resolveTemplatePath(ref);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Five9Error('FIVE9_TEMPLATE_INVALID', `${path} is not JSON: ${(e as Error).message}`);
  }
  const problems = templateShapeProblems(raw);
  if (problems.length) throw new Five9Error('FIVE9_TEMPLATE_INVALID', `${path}:\n- ${problems.join('\n- ')}`, { details: { problems } });
  return raw as CycleTemplate;
}
