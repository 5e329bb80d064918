/**
 * `npm run screenshot:n8n`: images/n8n-maintain-session.png, the generated Maintain session
 * workflow in n8n's own editor, and images/n8n-set-session-parameters.png, its generated form. n8n (test/harness) is started locally with the packed node
 * installed as a community package, an owner is set up, and headless Debian Chromium, driven by
 * playwright-core, opens the workflow. Not a test: it makes the README's picture.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKFLOW_CREDENTIALS } from '../../../scripts/n8n/workflows';
import { ensureN8n, freePort, installPackage, n8n, n8nEnv, packPackage, PLATFORM, REPO, startSimulator, tempDir } from './n8n';

const OUT = join(REPO, 'images', 'n8n-maintain-session.png');
const FORM = join(REPO, 'images', 'n8n-set-session-parameters.png');
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function waitForHttp(url: string, child: { exitCode: number | null }, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`n8n exited ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer within ${ms / 1000} s`);
}

async function main(): Promise<void> {
  const { dir, bin } = ensureN8n();
  const work = tempDir('five9-n8n-shot-');
  const sim = await startSimulator(['--user', 'screenshot:screenshot-secret']);
  let n8nProcess: ReturnType<typeof spawn> | undefined;
  try {
    const userFolder = join(work, 'user');
    installPackage(packPackage(work), userFolder);
    const env = await n8nEnv(userFolder);
    const credsFile = join(work, 'credentials.json');
    writeFileSync(credsFile, JSON.stringify([{ ...WORKFLOW_CREDENTIALS.five9StatisticsApi, type: 'five9StatisticsApi', data: { dataCenter: 'us', endpoint: `${sim.url}/wssupervisor/v4/SupervisorWebService`, apiVersion: 'v4', username: 'screenshot', password: 'screenshot-secret' } }]));
    for (const args of [['import:credentials', `--input=${credsFile}`], ['import:workflow', `--input=${join(PLATFORM, 'templates', 'maintain-session.json')}`]]) {
      const r = await n8n(bin, env, args, work);
      if (r.code !== 0) throw new Error(`n8n ${args[0]} failed:\n${r.stdout}${r.stderr}`);
    }
    const port = await freePort();
    n8nProcess = spawn(process.execPath, [bin, 'start'], { cwd: work, env: { ...env, N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_SECURE_COOKIE: 'false' }, stdio: ['ignore', 'ignore', 'inherit'] });
    const base = `http://127.0.0.1:${port}`;
    // The REST routes come up after the health check does: wait for one of them.
    await waitForHttp(`${base}/rest/settings`, n8nProcess, 120_000);

    // playwright-core comes with n8n's harness install, not the connector's: typed loosely here.
    const { chromium } = require(join(dir, 'node_modules', 'playwright-core')) as { chromium: { launchPersistentContext(dir: string, o: object): Promise<any> } };
    // A fresh user-data-dir (playwright passes it to Chromium as --user-data-dir).
    const context = await chromium.launchPersistentContext(join(work, 'chromium'), { executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
    try {
      const owner = { email: 'owner@example.com', firstName: 'Five9', lastName: 'Builder', password: 'Screenshot-owner-1' };
      const setup = await context.request.post(`${base}/rest/owner/setup`, { data: owner });
      if (!setup.ok()) throw new Error(`owner setup: HTTP ${setup.status()} ${await setup.text()}`);
      const page = await context.newPage();
      await page.goto(`${base}/workflow/f9MaintainSession`);
      await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60_000 });
      await page.waitForFunction('document.querySelectorAll(\'[data-test-id="canvas-node"]\').length >= 4', undefined, { timeout: 30_000 });
      // Let the canvas settle (fit to view after the last node is measured), then close any toast.
      await page.keyboard.press('1');
      await page.waitForTimeout(1500);
      for (const close of await page.locator('.el-notification__closeBtn').all()) await close.click().catch(() => undefined);
      await page.screenshot({ path: OUT });
      console.log(`wrote ${OUT}`);
      // The generated form: Set Session Parameters opened, its View Settings collection filled in.
      await page.locator('[data-test-id="canvas-node"]', { hasText: 'Set Session Parameters' }).dblclick();
      await page.waitForSelector('[data-test-id="ndv"]', { timeout: 30_000 });
      await page.getByText('Idle Time Out').first().waitFor({ timeout: 30_000 });
      await page.screenshot({ path: FORM });
      console.log(`wrote ${FORM}`);
    } finally {
      await context.close();
    }
  } finally {
    if (n8nProcess && n8nProcess.exitCode === null) {
      const exited = new Promise((r) => n8nProcess!.once('exit', r));
      n8nProcess.kill('SIGTERM');
      await exited;
    }
    await sim.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
