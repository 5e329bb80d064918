import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The user's state directory for five9: $FIVE9_STATE_DIR, else $XDG_STATE_HOME/five9, else
 * ~/.local/state/five9 (the XDG Base Directory default). State, not cache: deleting it forgets the
 * calls counted against Five9's limits.
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FIVE9_STATE_DIR) return env.FIVE9_STATE_DIR;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'five9');
  return join(homedir(), '.local', 'state', 'five9');
}

/**
 * Creates the directory (0700: the store names users and endpoints) and the file in it (0600) if
 * they are missing; an existing directory keeps the mode its owner gave it.
 */
export function privateFile(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, name);
  closeSync(openSync(path, 'a', 0o600));
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  return path;
}
