import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

/**
 * The package root (where package.json is). Sources run from src/ under ts-jest and from dist/src/
 * once built, so paths to connector/ and schemas/ are resolved from here, never from __dirname depth.
 */
export function packageRoot(): string {
  if (root) return root;
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'connector'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('five9: cannot find the package root (package.json beside connector/)');
    dir = up;
  }
  root = dir;
  return root;
}
