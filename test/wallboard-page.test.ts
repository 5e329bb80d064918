/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (The functions given to page.evaluate run in the page: they need the DOM types.)
/**
 * The wallboard as a user runs it: `node bin/five9.js wallboard` in its own process, Debian's
 * chromium on its page, against a simulator.
 *
 * The simulator runs in this test's process, on a VirtualClock that stands still: the page is
 * compared with the simulator's AgentState table cell by cell, and that needs a moment when the
 * truth does not move, which only the test's own clock can give (a simulator in another process
 * moves on the wall clock, and reading it through the API with a second client would race its
 * batches). The wallboard still reaches it over HTTP like any Five9 endpoint. Changes are made
 * with the simulator's control methods, published at once, as a batch of Five9's statistics
 * server would be. The deployment stories (killing and restarting processes) are in
 * wallboard-deploy.test.ts, against a simulator process.
 */
import type { Browser, Page } from 'playwright-core';
import { VirtualClock } from '../src/clock';
import { Five9Client } from '../src/runtime';
import { Five9Simulator } from '../src/simulator';
import type { ChangesMessage, ServerMessage } from '../src/wallboard/protocol';
import { type Cli, assertBuilt, launchBrowser, pageState, readPanel, recordEvents, seconds, secretForms, startWallboard, stop, waitForState } from './wallboard-helpers';

jest.setTimeout(90_000);

// Characters whose plain, URL-encoded, JSON-escaped and base64 forms all differ.
const USER = 'wall';
const PASSWORD = 'Wa11 "b0ard"/é+=:%';
const CAMPAIGN_USER = 'campaigns';
// Shares no run of 6 characters with what the page shows: the redactor masks any such run of a secret.
const CAMPAIGN_PASSWORD = 'c@mp41gn s3cret/\\';
const WRONG = 'n0t-the "password"/é';
const AGENT_COLUMNS = ['Username', 'Full Name', 'State', 'State Duration', 'Reason Code', 'Campaign Name'];
const QUEUE_COLUMNS = ['Skill Name', 'Calls In Queue', 'Current Longest Queue Time', 'Agents Ready For Calls'];
const unlimited = [
  { seconds: 60, limit: 100_000 },
  { seconds: 3600, limit: 1_000_000 },
  { seconds: 86400, limit: 10_000_000 },
];
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

let clock: VirtualClock;
let sim: Five9Simulator;
let opener: Five9Client;
let board: { cli: Cli; url: string };
let browser: Browser;
let page: Page;
let events: { raw: string[]; messages: ServerMessage[] };
let startedAt: number;

const truth = (type: 'AgentState' | 'ACDStatus' | 'CampaignState') => sim.domain.statistics.table(type).rows;

/** Checks the page against the truth; a time in state counts on from the value, for at most the time since the board started. */
function expectAgentsEqualTruth(dom: Awaited<ReturnType<typeof readPanel>>): void {
  const rows = truth('AgentState');
  expect(Object.keys(dom).sort()).toEqual(Object.keys(rows).sort());
  for (const [key, cells] of Object.entries(dom)) {
    expect([key, Object.keys(cells)]).toEqual([key, AGENT_COLUMNS]);
    for (const column of AGENT_COLUMNS) {
      const want = rows[key][column];
      expect([key, column, cells[column].value]).toEqual([key, column, want]);
      if (column !== 'State Duration') expect([key, column, cells[column].text]).toEqual([key, column, want]);
      else {
        // Shown as time in state, counting on from the value the page received.
        const shown = seconds(cells[column].text);
        expect(shown).toBeGreaterThanOrEqual(Math.floor(Number(want) / 1000));
        expect(shown).toBeLessThanOrEqual(Math.floor(Number(want) / 1000) + Math.ceil((Date.now() - startedAt) / 1000) + 1);
      }
    }
  }
}

beforeAll(async () => {
  assertBuilt();
  clock = new VirtualClock();
  sim = new Five9Simulator({
    clock,
    users: [
      { username: USER, password: PASSWORD },
      { username: CAMPAIGN_USER, password: CAMPAIGN_PASSWORD },
    ],
    // Domain limits count on the simulator's clock, which stands still here: lifted, or the frozen minute would never end.
    quotas: { QueryStatistics: unlimited, QueryChangedStatistics: unlimited },
    longPollMaxMs: 300,
  });
  // 45 busy minutes of the contact centre, then time stands still.
  clock.advance(45 * 60_000);
  await sim.start(0);
  // The session exists before the wallboard starts: the wallboard finds it (and must leave it open),
  // and its two snapshots fit in one QueryStatistics minute.
  opener = new Five9Client({ endpoint: sim.url, username: USER, password: PASSWORD, quotas: false });
  await opener.run('setSessionParameters', { viewSettings: { idleTimeOut: 1800, shiftStart: 0, timeZone: 0 } });
  startedAt = Date.now();
  board = await startWallboard(['AgentState', 'ACDStatus', '--endpoint', sim.url, '--port', '0'], { FIVE9_USERNAME: USER, FIVE9_PASSWORD: PASSWORD });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  events = await recordEvents(page);
});

afterAll(async () => {
  await stop(board?.cli);
  await browser?.close();
  await opener?.close();
  await sim?.stop();
});

describe('five9 wallboard in chromium (against a simulator standing still)', () => {
  it("shows one agent row per AgentState row, equal by key and by every cell shown, and the time in state ticks", async () => {
    await page.goto(board.url);
    await waitForState(page, 'live');
    expectAgentsEqualTruth(await readPanel(page, 'AgentState'));
    // Ticks every second between updates (the simulator's clock stands still, its value does not move).
    const key = Object.keys(truth('AgentState'))[0];
    const cell = `[data-type="AgentState"] .row[data-key="${key}"] [data-column="State Duration"]`;
    const first = seconds(await page.locator(cell).innerText());
    await page.waitForFunction(([sel, s]) => document.querySelector(sel)!.textContent!.split(':').reduce((a: number, p: string) => a * 60 + Number(p), 0) >= (s as number) + 2, [cell, first] as const, { timeout: 10_000 });
    expect(await page.locator(cell).getAttribute('data-value')).toBe(truth('AgentState')[key]['State Duration']);
  });

  it('shows one queue tile per ACDStatus row with calls in queue, longest wait and agents ready', async () => {
    const dom = await readPanel(page, 'ACDStatus');
    const rows = truth('ACDStatus');
    expect(Object.keys(dom).sort()).toEqual(Object.keys(rows).sort());
    for (const [key, cells] of Object.entries(dom)) {
      expect(Object.keys(cells).sort()).toEqual([...QUEUE_COLUMNS].sort());
      for (const c of QUEUE_COLUMNS) expect([key, c, cells[c].value]).toEqual([key, c, rows[key][c]]);
      expect(seconds(cells['Current Longest Queue Time'].text)).toBe(Math.floor(Number(rows[key]['Current Longest Queue Time']) / 1000));
    }
  });

  it('a change in the simulator reaches the page with the first or second poll of its type after it (within one poll period)', async () => {
    const rows = truth('AgentState');
    const agent = Object.keys(rows).find((k) => rows[k].State !== 'Not Ready' && rows[k].State !== 'Logged Out')!;
    const leaver = Object.keys(rows).find((k) => k !== agent && !/^(jsmith|AgentNumber1)@/.test(k))!;
    const from = events.messages.length;
    sim.domain.statistics.setAgentState(agent, 'Not Ready', 'Lunch');
    const hired = sim.domain.statistics.addAgent({ local: 'wanda.wall', fullName: 'Wanda Wall' });
    sim.domain.statistics.removeAgent(leaver);
    await page.waitForFunction(
      ([agent, hired, leaver]) => {
        const row = (k: string) => document.querySelector(`[data-type="AgentState"] .row[data-key="${CSS.escape(k)}"]`);
        return row(agent)?.querySelector<HTMLElement>('[data-column="State"]')?.dataset.value === 'Not Ready' && !!row(hired) && !row(leaver);
      },
      [agent, hired, leaver] as const,
      { timeout: 30_000, polling: 50 },
    );
    expectAgentsEqualTruth(await readPanel(page, 'AgentState'));
    expect(await page.locator(`[data-type="AgentState"] .row[data-key="${agent}"] [data-column="Reason Code"]`).innerText()).toBe('Lunch');

    // The poll in flight when the change was made may have answered just before it; the next one must carry it.
    const results = events.messages.slice(from).filter((m) => (m.t === 'changes' || m.t === 'polled' || m.t === 'table') && m.type === 'AgentState');
    const carrying = (pred: (m: ChangesMessage) => boolean) => results.findIndex((m) => m.t === 'changes' && pred(m));
    for (const i of [
      carrying((m) => m.updated.some(([k, c]) => k === agent && c.State === 'Not Ready')),
      carrying((m) => m.added.some((r) => r[0] === hired)),
      carrying((m) => m.deleted.includes(leaver)),
    ]) {
      expect(i).toBeGreaterThanOrEqual(0);
      expect(i).toBeLessThanOrEqual(1);
    }
  });

  it('sorts by any column (and back), filters by state, and keeps both in the URL', async () => {
    const names = () => page.$$eval('[data-type="AgentState"] .body .row:not([hidden])', (rs) => rs.map((r) => r.querySelector<HTMLElement>('[data-column="Full Name"]')!.dataset.value!));
    await page.click('[data-type="AgentState"] .head [data-sort="Full Name"]');
    const up = await names();
    expect(up).toEqual([...up].sort(collator.compare));
    await page.click('[data-type="AgentState"] .head [data-sort="Full Name"]');
    const down = await names();
    expect(down).toEqual([...up].reverse());
    expect(new URL(page.url()).searchParams.get('sort')).toBe('Full Name');
    expect(new URL(page.url()).searchParams.get('dir')).toBe('desc');

    const rows = truth('AgentState');
    const ready = Object.keys(rows).filter((k) => rows[k].State === 'Ready').sort();
    expect(ready.length).toBeGreaterThan(0);
    await page.click('[data-type="AgentState"] .filters [data-state="Ready"]');
    const visible = async () => (await page.$$eval('[data-type="AgentState"] .body .row:not([hidden])', (rs) => rs.map((r) => (r as HTMLElement).dataset.key!))).sort();
    expect(await visible()).toEqual(ready);
    expect(await page.locator('[data-type="AgentState"] .count').innerText()).toBe(`${ready.length} of ${Object.keys(rows).length}`);
    expect(new URL(page.url()).searchParams.get('states')).toBe('Ready');

    // The URL brings both back (a wall's bookmark).
    const again = await browser.newPage();
    await again.goto(page.url());
    await waitForState(again, 'live');
    expect((await again.$$eval('[data-type="AgentState"] .body .row:not([hidden])', (rs) => rs.map((r) => (r as HTMLElement).dataset.key!))).sort()).toEqual(ready);
    await again.close();
    await page.click('[data-type="AgentState"] .filters [data-state="Ready"]');
    expect((await visible()).length).toBe(Object.keys(rows).length);
  });

  it('colours a queue tile amber or red above the thresholds given in the URL, in wall mode', async () => {
    const th = { queueAmber: 1, queueRed: 5, waitAmber: 30, waitRed: 70 };
    const wall = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    await wall.goto(`${board.url}/?mode=wall&${new URLSearchParams(Object.entries(th).map(([k, v]) => [k, String(v)] as [string, string]))}`);
    await waitForState(wall, 'live');
    expect(await wall.evaluate(() => document.body.classList.contains('mode-wall'))).toBe(true);
    const levels = await wall.$$eval('[data-type="ACDStatus"] .tile', (ts) => Object.fromEntries(ts.map((t) => [(t as HTMLElement).dataset.key!, (t as HTMLElement).dataset.level!])));
    const rows = truth('ACDStatus');
    const expected = Object.fromEntries(
      Object.entries(rows).map(([k, r]) => {
        const calls = Number(r['Calls In Queue']);
        const wait = Number(r['Current Longest Queue Time']) / 1000;
        return [k, calls > th.queueRed || wait > th.waitRed ? 'red' : calls > th.queueAmber || wait > th.waitAmber ? 'amber' : 'ok'];
      }),
    );
    // The seeded floor has busy and quiet queues at this moment, so the check is not vacuous.
    expect(new Set(Object.values(expected)).size).toBeGreaterThan(1);
    expect(levels).toEqual(expected);
    await wall.close();
  });

  it('a second tab costs Five9 nothing: no snapshot, no second session, never two requests at once', async () => {
    const snapshots = () => sim.requests.filter((r) => r.operation === 'getStatistics').length;
    const before = snapshots();
    const sessions = sim.sessions.size;
    const second = await browser.newPage();
    await second.goto(board.url);
    await waitForState(second, 'live');
    expect(Object.keys(await readPanel(second, 'AgentState')).sort()).toEqual(Object.keys(await readPanel(page, 'AgentState')).sort());
    expect(snapshots()).toBe(before);
    expect(sim.sessions.size).toBe(sessions);
    expect(sim.overlaps).toBe(0);
    await second.close();
  });

  it('campaigns: one row per CampaignState row with its state as a chip', async () => {
    const campaignOpener = new Five9Client({ endpoint: sim.url, username: CAMPAIGN_USER, password: CAMPAIGN_PASSWORD, quotas: false });
    await campaignOpener.run('setSessionParameters', { viewSettings: { idleTimeOut: 1800, shiftStart: 0, timeZone: 0 } });
    const campaigns = await startWallboard(['CampaignState', '--endpoint', sim.url, '--port', '0'], { FIVE9_USERNAME: CAMPAIGN_USER, FIVE9_PASSWORD: CAMPAIGN_PASSWORD });
    try {
      const p = await browser.newPage();
      await p.goto(campaigns.url);
      await waitForState(p, 'live');
      const dom = await readPanel(p, 'CampaignState');
      const rows = truth('CampaignState');
      expect(Object.keys(dom).sort()).toEqual(Object.keys(rows).sort());
      for (const [k, cells] of Object.entries(dom)) {
        expect(cells.State.value).toBe(rows[k].State);
        expect(await p.locator(`[data-type="CampaignState"] .row[data-key="${k}"] [data-column="State"] .chip`).getAttribute('class')).toMatch(/\bchip s-[a-z-]+/);
      }
      await p.close();
    } finally {
      expect(await stop(campaigns.cli)).toBe(0);
      await campaignOpener.close();
    }
  });

  it('no password or Authorization value in the HTML, the scripts, the DOM or any message the page received, even when the login is refused', async () => {
    // A board with a wrong password: the page says so, naming the user.
    const refused = await startWallboard(['AgentState', '--endpoint', sim.url, '--port', '0'], { FIVE9_USERNAME: USER, FIVE9_PASSWORD: WRONG });
    let refusedEvents: { raw: string[] };
    try {
      const p = await browser.newPage();
      refusedEvents = await recordEvents(p);
      await p.goto(refused.url);
      await waitForState(p, 'stale');
      expect(await p.locator('.banner').innerText()).toMatch(/FIVE9_AUTH: Five9 refused the credentials of user "wall"/);
      const dom = await p.content();
      for (const s of [...secretForms(USER, WRONG), ...secretForms(USER, PASSWORD)]) expect(dom.includes(s) ? s : '').toBe('');
      await p.close();
    } finally {
      await stop(refused.cli);
    }

    const html = await (await fetch(board.url)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    const bodies = [html, ...(await Promise.all(assets.map(async (a) => (await fetch(board.url + a)).text())))];
    expect(events.raw.length).toBeGreaterThan(3);
    const everything = [...bodies, await page.content(), ...events.raw, ...refusedEvents!.raw].join('\n');
    for (const s of [...secretForms(USER, PASSWORD), ...secretForms(USER, WRONG)]) expect(everything.includes(s) ? s : '').toBe('');
    // Nothing comes from elsewhere: one script and one stylesheet, both from this server.
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
  });

  it('SIGTERM stops it with exit 0 and leaves open the session it found', async () => {
    const code = await stop(board.cli);
    expect(code).toBe(0);
    expect(board.cli.stderr.join('\n')).toMatch(/no session of this wallboard to close/);
    expect((await opener.run('getSessionParameters')).exit).toBe('true');
    expect(await pageState(page)).toMatch(/stale|connecting/);
  });
});
