/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (The functions given to page.evaluate run in the page: they need the DOM types.)
/**
 * The wallboard deployed: `node bin/five9.js wallboard` and `node bin/five9.js simulator` each in
 * its own process, chromium on the page, real time. Processes are killed and started again on the
 * same port; the page is never reloaded. Five9's QueryStatistics limit (2 a minute, counted by the
 * client) governs how soon a board that lost its session has its tables again: the waits below
 * are for conditions, with room for that minute.
 */
import type { Browser, Page } from 'playwright-core';
import { Five9Client } from '../src/runtime';
import { type Cli, assertBuilt, five9, freePort, launchBrowser, readPanel, recordEvents, startWallboard, stop, until, waitForState } from './wallboard-helpers';

jest.setTimeout(240_000);

const USERS = { first: ['board1', 'b0ard-one:secret'], second: ['board2', 'b0ard-two secret'] } as const;

let browser: Browser;
let simPort: number;
let sim: Cli | undefined;
const running: Cli[] = [];

function startSimulator(): Promise<Cli> {
  const cli = five9(['simulator', '--port', String(simPort), '--user', USERS.first.join(':'), '--user', USERS.second.join(':'), '--quota', 'QueryStatistics=100/1000/10000']);
  return cli.line(/^listening on http:\/\/127\.0\.0\.1:\d+$/).then(() => cli);
}

const simUrl = () => `http://127.0.0.1:${simPort}`;
const env = (u: readonly [string, string]) => ({ FIVE9_USERNAME: u[0], FIVE9_PASSWORD: u[1] });

async function rows(page: Page): Promise<number> {
  return Object.keys(await readPanel(page, 'AgentState')).length;
}

/** Marks the document, to show later that it is the same one (no reload happened). */
async function mark(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'the same page'));
}

async function sameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { marker?: string }).marker === 'the same page' && performance.getEntriesByType('navigation').length === 1);
}

beforeAll(async () => {
  assertBuilt();
  simPort = await freePort();
  sim = await startSimulator();
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const c of running) await stop(c, 'SIGKILL');
  await stop(sim, 'SIGKILL');
  await browser?.close();
});

describe('five9 wallboard deployed (separate processes, real time)', () => {
  it('the wallboard server is killed and started again on the same port: the page shows "stale", then recovers without a reload', async () => {
    const port = await freePort();
    const args = ['AgentState', '--endpoint', simUrl(), '--port', String(port)];
    const first = await startWallboard(args, env(USERS.first));
    running.push(first.cli);
    const page = await browser.newPage();
    const events = await recordEvents(page);
    await page.goto(first.url);
    await waitForState(page, 'live', 60_000);
    expect(await rows(page)).toBeGreaterThan(0);
    await mark(page);

    expect(await stop(first.cli, 'SIGKILL')).toBe('SIGKILL');
    await waitForState(page, 'stale', 15_000);
    expect(await page.locator('.banner').innerText()).toMatch(/^Stale: the connection to the wallboard server is lost; reconnecting/);
    expect(await rows(page)).toBeGreaterThan(0); // the last data stays on show, dimmed

    const second = await startWallboard(args, env(USERS.first));
    running.push(second.cli);
    expect(second.url).toBe(first.url);
    const from = events.messages.length;
    await waitForState(page, 'live', 120_000);
    expect(await sameDocument(page)).toBe(true);
    expect(await rows(page)).toBeGreaterThan(0);
    // Resynchronised by a whole table from the new server, then kept current by its polls.
    expect(events.messages.slice(from).some((m) => m.t === 'table' && m.type === 'AgentState')).toBe(true);
    await page.waitForFunction(() => /updated \d\d:\d\d:\d\d · \d+ s ago/.test(document.querySelector('.updated')?.textContent ?? ''));
    const tables = events.messages.length;
    await until('a poll of the restarted board', () => events.messages.slice(tables).some((m) => (m.t === 'polled' || m.t === 'changes') && m.type === 'AgentState'));

    expect(await stop(second.cli)).toBe(0);
    await page.close();
  });

  it('the Five9 side (the simulator) is killed and started again on the same port: the board says "stale", then resynchronises the page by itself', async () => {
    const board = await startWallboard(['AgentState', '--endpoint', simUrl(), '--port', '0'], env(USERS.second));
    running.push(board.cli);
    const page = await browser.newPage();
    const events = await recordEvents(page);
    await page.goto(board.url);
    await waitForState(page, 'live', 60_000);
    await mark(page);

    await stop(sim, 'SIGKILL');
    await waitForState(page, 'stale', 30_000);
    expect(await page.locator('.banner').innerText()).toMatch(/^Stale: FIVE9_(TRANSPORT|BAD_RESPONSE): .*; retrying/); // refused, or cut off mid-answer
    const from = events.messages.length;

    sim = await startSimulator();
    // The restarted simulator knows no session: the board starts one and takes a new snapshot.
    await waitForState(page, 'live', 150_000);
    expect(await sameDocument(page)).toBe(true);
    const resync = events.messages.slice(from).find((m) => m.t === 'table' && m.type === 'AgentState');
    expect(resync).toMatchObject({ reason: 'SessionNotInitializedFault' });
    expect(await rows(page)).toBe((resync as { rows: unknown[] }).rows.length);
    await board.cli.line(/^session restarted$/);

    // It opened that session, so Ctrl-C / SIGTERM closes it.
    expect(await stop(board.cli)).toBe(0);
    expect(board.cli.stderr).toContain('session closed');
    const check = new Five9Client({ endpoint: simUrl(), username: USERS.second[0], password: USERS.second[1] });
    try {
      expect((await check.run('getSessionParameters')).exit).toBe('false');
    } finally {
      await check.close();
    }
    await page.close();
  });

  it('with no target it serves the embedded simulator (no account needed), and SIGTERM closes the session it opened', async () => {
    const board = await startWallboard(['--port', '0']);
    running.push(board.cli);
    const page = await browser.newPage();
    await page.goto(board.url);
    await page.waitForFunction(() => document.querySelectorAll('[data-type="AgentState"] .row[data-key]').length > 0, undefined, { timeout: 60_000 });
    expect(await page.$$eval('.panel', (ps) => ps.map((p) => (p as HTMLElement).dataset.type))).toEqual(['AgentState', 'ACDStatus', 'CampaignState']);
    expect(await page.locator('.where').innerText()).toMatch(/^demo · embedded simulator at 127\.0\.0\.1:\d+\/wssupervisor\/v4\/SupervisorWebService$/);
    expect(await stop(board.cli, 'SIGINT')).toBe(0);
    expect(board.cli.stderr).toContain('session closed');
    await page.close();
  });
});
