/**
 * Makes images/wallboard.png, the README's picture of the wall mode: a simulator of 60 agents
 * after 45 busy minutes (its clock then stands still, so the picture does not depend on when it is
 * taken), `five9 wallboard` against it as a process of its own, and Debian's chromium at 1920×1080.
 *
 *   npm run build && node dist/scripts/wallboard-screenshot.js [OUT]
 *
 * It waits about a minute: the third table waits for Five9's QueryStatistics window, as it would.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { VirtualClock } from '../src/clock';
import { Five9Client } from '../src/runtime';
import { Five9Simulator } from '../src/simulator';
import { packageRoot } from '../src/util/paths';

const root = packageRoot();
const out = process.argv[2] ?? join(root, 'images', 'wallboard.png');
const lifted = [
  { seconds: 60, limit: 100_000 },
  { seconds: 3600, limit: 1_000_000 },
  { seconds: 86400, limit: 10_000_000 },
];

async function main(): Promise<void> {
  const clock = new VirtualClock();
  const sim = new Five9Simulator({
    clock,
    users: [{ username: 'supervisor', password: 'screenshot-secret' }],
    size: { agents: 60, skills: 8, campaigns: 8 },
    quotas: { QueryStatistics: lifted, QueryChangedStatistics: lifted },
    longPollMaxMs: 500,
  });
  clock.advance(45 * 60_000);
  const { url } = await sim.start(0);
  const opener = new Five9Client({ endpoint: url, username: 'supervisor', password: 'screenshot-secret', quotas: false });
  await opener.run('setSessionParameters', { viewSettings: { idleTimeOut: 1800, shiftStart: 0, timeZone: 0 } });
  const board = spawn(process.execPath, [join(root, 'bin', 'five9.js'), 'wallboard', '--endpoint', url, '--port', '0', '--title', 'Riverside contact centre'], {
    env: { ...process.env, FIVE9_USERNAME: 'supervisor', FIVE9_PASSWORD: 'screenshot-secret' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const boardUrl = await new Promise<string>((resolve, reject) => {
      let buf = '';
      board.stdout!.on('data', (d) => {
        buf += d;
        const m = /wallboard on (\S+)/.exec(buf);
        if (m) resolve(m[1]);
      });
      board.once('exit', (c) => reject(new Error(`five9 wallboard exited ${c}`)));
    });
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    // Thresholds chosen so that the picture shows a red and an amber queue.
    await page.goto(`${boardUrl}/?mode=wall&queueAmber=1&queueRed=4&waitAmber=30&waitRed=90&sort=State`);
    await page.waitForFunction(() => (globalThis as any).document.querySelector('.banner')?.dataset.state === 'live', undefined, { timeout: 150_000 });
    await page.waitForTimeout(1500);
    await page.screenshot({ path: out });
    console.log(`wrote ${out}`);
  } finally {
    board.kill('SIGTERM');
    await browser.close();
    await opener.close();
    await sim.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
