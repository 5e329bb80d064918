import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/clock';
import { AccountClients, checkFleetConfig } from '../src/fleet';
import type { Five9Simulator } from '../src/simulator';
import { PASSWORD, USER, startSimulator } from './helpers';

/**
 * A fleet's executors come and go with its LRU (a 15-minute keep-alive does not hold a socket per
 * account between runs). What they share must outlive them, and a run must outlive the LRU.
 */
const SETTINGS = { viewSettings: { idleTimeOut: 1800, shiftStart: 0, timeZone: 0 } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sim: Five9Simulator;
let url: string;
beforeEach(async () => ({ sim, url } = await startSimulator({ users: [{ username: USER, password: PASSWORD }] })));
afterEach(() => sim.stop());

function accounts(n: number) {
  const path = join(mkdtempSync(join(tmpdir(), 'five9-fleet-clients-')), 'accounts.json');
  const list = Array.from({ length: n }, (_, i) => ({ id: `a${i}`, endpoint: url, username: USER, password: PASSWORD, cycles: [{ template: 'maintain-session' }] }));
  return { path, config: checkFleetConfig({ accounts: list }, path) };
}

describe("a fleet account's executor", () => {
  test("closed while idle between runs: the next one does not read Five9's counters again (no extra request a run)", async () => {
    const { path, config } = accounts(1);
    // An idle time of 20 ms stands for the 60 s that a keep-alive's 15-minute gap always exceeds.
    const clients = new AccountClients({ clock: systemClock, accountsPath: path, idleMs: 20 });
    try {
      const first = clients.acquire(config.accounts[0]);
      await first.executor.run('Set Session Parameters', SETTINGS); // a quota class: its budget is seeded first
      first.release();
      await sleep(100);
      expect(clients.size).toBe(0); // closed while idle
      const second = clients.acquire(config.accounts[0]);
      expect(second.executor).not.toBe(first.executor);
      await second.executor.run('Set Session Parameters', SETTINGS);
      second.release();
      const user = sim.report().users[USER];
      expect(user.byOperation.setSessionParameters).toBe(2);
      expect(user.byOperation.getCallCountersState).toBe(1);
    } finally {
      await clients.close();
    }
  });

  test('is not closed under a run that outlasts the idle time or is pushed out of the LRU; it is closed when the run ends', async () => {
    const { path, config } = accounts(3);
    const clients = new AccountClients({ clock: systemClock, accountsPath: path, idleMs: 20, max: 1 });
    try {
      const run = clients.acquire(config.accounts[0]);
      await run.executor.run('List Session Parameters');
      await sleep(100); // past the idle time, mid-run
      const others = [clients.acquire(config.accounts[1]), clients.acquire(config.accounts[2])]; // and past the LRU's size
      expect((await run.executor.run('Set Session Parameters', SETTINGS)).action).toBe('Set Session Parameters');
      for (const o of [run, ...others]) o.release();
      await sleep(50);
      await expect(run.executor.run('List Session Parameters')).rejects.toThrow(/closed/);
    } finally {
      await clients.close();
    }
  });
});
