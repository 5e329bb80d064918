/**
 * The simulator's and the WSDL module's files import each other without a circle (types included):
 * a circle means two files that cannot be understood, changed or loaded one without the other.
 * Imports are read by TypeScript's own pre-processor.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const root = join(__dirname, '..');
const DIRS = ['src/simulator', 'src/wsdl'].map((d) => join(root, d));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

test('no import circle in src/simulator and src/wsdl', () => {
  const all = DIRS.flatMap(files);
  const inScope = new Set(all);
  const edges = new Map(all.map((f) => [f, ts.preProcessFile(readFileSync(f, 'utf8'), true, true).importedFiles.map((i) => resolveImport(f, i.fileName)).filter((t): t is string => !!t && inScope.has(t))]));
  const circles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (f: string, path: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      circles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(root, p)).join(' → '));
      return;
    }
    state.set(f, 'open');
    for (const t of edges.get(f) ?? []) visit(t, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of all) visit(f, []);
  expect(circles).toEqual([]);
  // Control: the scan sees imports at all.
  expect(edges.get(join(root, 'src/simulator/server.ts'))?.length).toBeGreaterThan(3);
});
