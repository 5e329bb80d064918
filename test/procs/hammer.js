/**
 * A library client in its own process that drives one Five9 user hard, for the tests of Five9's
 * rules across processes. argv[2]: JSON {endpoint, username, password, redis?, role, calls}.
 *   role "busy":      4 calls always queued in this process (a wallboard whose queue never empties),
 *                     getUserLimits back to back, and a setSessionParameters every 10th; `calls`
 *                     in each of its 4 loops;
 *   role "keepalive": one getSessionParameters at a time, 30 ms apart, and a setSessionParameters
 *                     every 5th (a keep-alive cycle next to it); `calls` in all.
 * A number of calls, not a duration: a loaded machine makes them slower, not fewer.
 * Prints one JSON line at the end: every call with the wall time it was asked for and its outcome.
 * Built code only (run `npm run build` first).
 */
const { Five9Client } = require('../../dist/src/runtime');

const o = JSON.parse(process.argv[2]);
const client = new Five9Client({ endpoint: o.endpoint, username: o.username, password: o.password, redis: o.redis, coordinator: o.coordinator });
const settings = { viewSettings: { shiftStart: 0, timeZone: 0, idleTimeOut: 1800 } };
const calls = [];

async function call(action, input) {
  const askedAt = Date.now();
  try {
    const r = await client.run(action, input);
    calls.push({ action, askedAt, outcome: r.exit });
  } catch (e) {
    calls.push({ action, askedAt, outcome: e.code || String(e) });
  }
}

async function busyLoop() {
  for (let i = 1; i <= o.calls; i++) await call(i % 10 === 0 ? 'Set Session Parameters' : 'Get User Limits', i % 10 === 0 ? settings : {});
}

async function keepAlive() {
  for (let i = 1; i <= o.calls; i++) {
    await call(i % 5 === 0 ? 'Set Session Parameters' : 'List Session Parameters', i % 5 === 0 ? settings : {});
    await new Promise((r) => setTimeout(r, 30));
  }
}

(async () => {
  if (o.role === 'busy') await Promise.all([busyLoop(), busyLoop(), busyLoop(), busyLoop()]);
  else await keepAlive();
  await client.close();
  process.stdout.write(`${JSON.stringify({ calls })}\n`);
})().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
