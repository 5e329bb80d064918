/**
 * `npm run test:n8n`: the generated package run by n8n 2.8.4's own engine, through its CLI, against
 * the embedded simulator in its own process. Ends with `n8n tests: N passed, M failed` and exits
 * non-zero when any failed.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifest, type Action } from '../../../src/manifest';
import { inputToParameters } from '../../../scripts/n8n/form';
import { NODE_TYPE, credentialOf } from '../../../scripts/n8n/node';
import { WORKFLOW_CREDENTIALS } from '../../../scripts/n8n/workflows';
import { ensureN8n, executionData, installPackage, n8n, n8nEnv, packPackage, PLATFORM, startSimulator, tempDir, type N8nResult } from './n8n';

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const results: Array<{ name: string; ok: boolean; why?: string }> = [];

function check(name: string, ok: boolean, why?: string): void {
  results.push({ name, ok, why: ok ? undefined : why });
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}${ok ? '' : `: ${why}`}`);
}

/** The items each output of a node carried in the execution's first run of it. */
function outputs(data: any, node: string): any[][] | undefined {
  return data?.data?.resultData?.runData?.[node]?.[0]?.data?.main;
}

function ran(data: any, node: string): boolean {
  return !!data?.data?.resultData?.runData?.[node];
}

/** A workflow of one Five9 Statistics node after a Manual Trigger, its parameters made the way templates' are. */
function oneStep(id: string, name: string, action: Action, input: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const manifest = loadManifest();
  const credential = credentialOf(action);
  return {
    id,
    name,
    active: false,
    settings: { executionOrder: 'v1' },
    nodes: [
      { parameters: {}, name: 'Run now', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
      {
        parameters: { resource: action.category, operation: action.id, ...inputToParameters(action, manifest, input, (v) => v) },
        name: action.displayName,
        type: NODE_TYPE,
        typeVersion: 1,
        position: [280, 0],
        credentials: { [credential]: WORKFLOW_CREDENTIALS[credential] },
        ...extra,
      },
    ],
    connections: { 'Run now': { main: [[{ node: action.displayName, type: 'main', index: 0 }]] } },
  };
}

async function main(): Promise<number> {
  const secret = (label: string) => `${label}-${randomBytes(9).toString('base64url')}`;
  const user = { name: 'n8n-demo', password: secret('pw') };
  const consumer = { key: 'n8n-ops', secret: secret('cs') };
  const secrets = [user.password, consumer.secret];
  const encodings = (s: string) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64')];
  const forbidden = [
    ...secrets.flatMap(encodings),
    Buffer.from(`${user.name}:${user.password}`).toString('base64'),
    Buffer.from(`${consumer.key}:${consumer.secret}`).toString('base64'),
  ];
  const seen: Array<{ what: string; text: string }> = [];

  const n8nHome = ensureN8n();
  console.log(`n8n ready (${n8nHome.installed ? 'installed now' : 'reused'}) at ${elapsed()}`);
  const work = tempDir('five9-n8n-');
  const sim = await startSimulator(['--user', `${user.name}:${user.password}`, '--consumer', `${consumer.key}:${consumer.secret}`]);
  try {
    const tarball = packPackage(work);
    const userFolder = join(work, 'user');
    installPackage(tarball, userFolder);
    const env = await n8nEnv(userFolder);
    console.log(`package built, packed and installed into ${userFolder} at ${elapsed()}`);

    const cli = async (what: string, args: string[]): Promise<N8nResult> => {
      const r = await n8n(n8nHome.bin, env, args, work);
      seen.push({ what, text: r.stdout + r.stderr });
      return r;
    };
    // One import command for every workflow: each n8n command costs seconds of start-up.
    const workflows = join(work, 'workflows');
    mkdirSync(workflows);
    const importWorkflows = async () => {
      const r = await cli('import workflows', ['import:workflow', '--separate', `--input=${workflows}`]);
      if (r.code !== 0) throw new Error(`n8n import:workflow failed:\n${r.stdout}${r.stderr}`);
    };
    const execute = async (id: string) => {
      const r = await cli(`execute ${id}`, ['execute', `--id=${id}`, '--rawOutput']);
      return { ...r, data: executionData(r.stdout) };
    };

    // Credentials for the simulator, as plain data: n8n encrypts them on import.
    const credsFile = join(work, 'credentials.json');
    writeFileSync(
      credsFile,
      JSON.stringify([
        {
          ...WORKFLOW_CREDENTIALS.five9StatisticsApi,
          type: 'five9StatisticsApi',
          data: { dataCenter: 'us', endpoint: `${sim.url}/wssupervisor/v4/SupervisorWebService`, apiVersion: 'v4', username: user.name, password: user.password },
        },
        {
          ...WORKFLOW_CREDENTIALS.five9RestApi,
          type: 'five9RestApi',
          data: { dataCenter: 'us', endpoint: sim.url, tokenPath: '/oauth2/v1/token', domainId: '10001', consumerKey: consumer.key, consumerSecret: consumer.secret },
        },
      ]),
      { mode: 0o600 },
    );
    const imported = await cli('import credentials', ['import:credentials', `--input=${credsFile}`]);
    rmSync(credsFile);
    if (imported.code !== 0) throw new Error(`n8n import:credentials failed:\n${imported.stdout}${imported.stderr}`);

    const manifest = loadManifest();
    const templates = join(PLATFORM, 'templates');
    const maintain = JSON.parse(readFileSync(join(templates, 'maintain-session.json'), 'utf8'));
    const changes = JSON.parse(readFileSync(join(templates, 'statistics-changes.json'), 'utf8'));
    for (const f of ['maintain-session.json', 'statistics-changes.json']) cpSync(join(templates, f), join(workflows, f));

    const fault = { action: manifest.action('Start Campaign'), input: { campaignName: 'No Such Campaign' } };
    const anti = manifest.action('Set Session Parameters');
    const antiExample = (anti.antiExamples ?? [])[0] as { name: string; input: Record<string, unknown>; field: string; rule: string };
    const extra = {
      fault: oneStep('f9TestFault', 'Test: a fault', fault.action, fault.input),
      continued: oneStep('f9TestContinueOnFail', 'Test: continue on fail', fault.action, fault.input, { onError: 'continueRegularOutput' }),
      anti: oneStep('f9TestAntiExample', `Test: ${antiExample.name}`, anti, antiExample.input),
      rest: oneStep('f9TestRestLists', 'Test: REST', manifest.action('List Dialing Lists'), {}),
    };
    for (const [key, wf] of Object.entries(extra)) writeFileSync(join(workflows, `test-${key}.json`), JSON.stringify(wf));
    await importWorkflows();
    console.log(`credentials and ${2 + Object.keys(extra).length} workflows imported at ${elapsed()}`);

    // 1. Maintain session, twice.
    const first = await execute(maintain.id);
    const firstOut = outputs(first.data, 'List Session Parameters');
    check(
      'Maintain session, 1st execution: List Session Parameters leaves by "false" and Set Session Parameters runs',
      first.code === 0 && firstOut?.[0]?.length === 0 && firstOut?.[1]?.length === 1 && ran(first.data, 'Set Session Parameters') && !first.data?.data?.resultData?.error,
      `exit ${first.code}, outputs ${JSON.stringify(firstOut)}, Set Session Parameters ran: ${ran(first.data, 'Set Session Parameters')}\n${first.stderr.slice(-2000)}`,
    );
    const second = await execute(maintain.id);
    const secondOut = outputs(second.data, 'List Session Parameters');
    const settings = secondOut?.[0]?.[0]?.json;
    check(
      'Maintain session, 2nd execution: leaves by "true" with the session Set Session Parameters started (Idle Time Out 1800), and starts none',
      second.code === 0 && secondOut?.[0]?.length === 1 && secondOut?.[1]?.length === 0 && settings?.idleTimeOut === 1800 && !ran(second.data, 'Set Session Parameters'),
      `exit ${second.code}, outputs ${JSON.stringify(secondOut)}`,
    );

    // 2. A Five9 fault: an n8n error naming it (and its fields); with Continue On Fail, an item.
    const faulted = await execute(extra.fault.id);
    const error = faulted.data?.data?.resultData?.error;
    check(
      'a Five9 fault fails the execution with an n8n error that names the fault and carries its fields',
      faulted.code !== 0 && /CampaignNotFoundFault/.test(error?.message ?? '') && error?.context?.fault === 'CampaignNotFoundFault' && error?.context?.fields?.campaignName === 'No Such Campaign' && /CampaignNotFoundFault/.test(faulted.stdout + faulted.stderr),
      `exit ${faulted.code}, error ${JSON.stringify(error)?.slice(0, 800)}`,
    );
    const continued = await execute(extra.continued.id);
    const item = outputs(continued.data, fault.action.displayName)?.[0]?.[0]?.json;
    check(
      'Continue On Fail: the fault becomes an item whose error holds the message, the fault name and its fields, and the execution succeeds',
      continued.code === 0 && /CampaignNotFoundFault/.test(item?.error?.message ?? '') && item?.error?.fault === 'CampaignNotFoundFault' && item?.error?.fields?.campaignName === 'No Such Campaign',
      `exit ${continued.code}, item ${JSON.stringify(item)}\n${continued.stderr.slice(-1000)}`,
    );

    // 3. An anti-example of the manifest: refused before sending, and the simulator saw no request.
    await sim.marker();
    const before = sim.requests.length;
    const refused = await execute(extra.anti.id);
    await sim.marker();
    const during = sim.requests.slice(before, -1);
    const refusal = refused.data?.data?.resultData?.error;
    check(
      `anti-example "${antiExample.name}" is refused before sending, naming ${antiExample.field} (${antiExample.rule}), and the simulator saw no request`,
      refused.code !== 0 && (refusal?.message ?? '').includes(antiExample.field) && (refusal?.description ?? '').includes(`(${antiExample.rule})`) && /^Nothing was sent/.test(refusal?.description ?? '') && during.length === 0,
      `exit ${refused.code}, error ${JSON.stringify(refusal)?.slice(0, 800)}, requests the simulator saw: ${JSON.stringify(during)}`,
    );

    // 4. A REST action with the REST credential.
    const rest = await execute(extra.rest.id);
    const lists = outputs(rest.data, 'List Dialing Lists')?.[0]?.map((i: any) => i.json.name);
    check(
      'a REST action (List Dialing Lists) runs with the REST credential: one item per dialing list',
      rest.code === 0 && Array.isArray(lists) && lists.includes('Outbound Sales Leads') && lists.includes('Renewals') && sim.requests.some((r) => r === 'request POST /oauth2/v1/token') && sim.requests.some((r) => /^request GET \/lists\/v1\/domains\/10001\/lists$/.test(r)),
      `exit ${rest.code}, lists ${JSON.stringify(lists)}\n${rest.stderr.slice(-1000)}`,
    );

    // 5. Statistics changes: a snapshot first (its cursor kept in static data), then the changes after it.
    const snap = await execute(changes.id);
    const poll = outputs(snap.data, 'Get Statistics Update');
    const snapshot = outputs(snap.data, 'Get Statistics')?.[0]?.[0]?.json;
    check(
      'Statistics changes, 1st execution: Get Statistics Update leaves by "resync" and Get Statistics delivers a snapshot',
      snap.code === 0 && poll?.[2]?.length === 1 && typeof snapshot?.timestamp === 'number' && Array.isArray(snapshot?.rows),
      `exit ${snap.code}, poll outputs ${JSON.stringify(poll)?.slice(0, 500)}\n${snap.stderr.slice(-1500)}`,
    );
    const next = await execute(changes.id);
    const cursor = outputs(next.data, 'Cycle state')?.[0]?.[0]?.json?.cursor;
    const nextPoll = outputs(next.data, 'Get Statistics Update');
    check(
      'Statistics changes, 2nd execution: continues from the snapshot\'s timestamp (kept in the workflow\'s static data) and leaves by "changed" or "unchanged"',
      next.code === 0 && cursor === snapshot?.timestamp && (nextPoll?.[0]?.length === 1 || nextPoll?.[1]?.length === 1) && !ran(next.data, 'Get Statistics'),
      `exit ${next.code}, cursor ${cursor} (snapshot ${snapshot?.timestamp}), poll outputs ${JSON.stringify(nextPoll)?.slice(0, 500)}\n${next.stderr.slice(-1500)}`,
    );

    // 6. No secret anywhere in what n8n printed (execution data, errors, logs) or the simulator's output.
    seen.push({ what: 'simulator', text: sim.output.join('\n') });
    const leaks = seen.flatMap(({ what, text }) => forbidden.filter((f) => text.includes(f)).map(() => what));
    check(
      `the password and the consumer secret (plain, URL-encoded, base64, in Basic credentials) appear nowhere in ${seen.length} outputs of n8n and the simulator`,
      leaks.length === 0 && seen.some((s) => s.what.startsWith('execute')),
      `found in: ${[...new Set(leaks)].join(', ')}`,
    );
  } finally {
    await sim.stop();
    if (!process.env.FIVE9_N8N_KEEP) rmSync(work, { recursive: true, force: true });
    else console.log(`kept ${work}`);
  }
  return 0;
}

main()
  .catch((e) => {
    check('the n8n test ran to its end', false, (e as Error).stack ?? String(e));
  })
  .finally(() => {
    const failed = results.filter((r) => !r.ok).length;
    console.log(`n8n step took ${elapsed()}`);
    console.log(`n8n tests: ${results.length - failed} passed, ${failed} failed`);
    process.exit(failed || results.length === 0 ? 1 : 0);
  });
