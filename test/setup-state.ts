/**
 * Every test file gets its own state directory (the local store of Five9's shared limits), so test
 * files running side by side, and runs one after another, never share budgets or slots. Child
 * processes that a test starts inherit it through the environment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'five9-state-'));
process.env.FIVE9_STATE_DIR = dir;
delete process.env.FIVE9_REDIS_URL;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
