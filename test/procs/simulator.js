/**
 * A Five9 simulator in its own process, for tests whose clients are other processes: it prints one
 * JSON line {url, gate} when ready, then answers commands on stdin, one a line:
 *   stats  -> {"stats": {overlaps, requests: [{operation, outcome, startedAt, endedAt}], rest: [{consumerKey, status, at}]}}
 *   hold   -> the gate holds every request it receives from now on (a slot holder that hangs)
 *   pass   -> the gate forwards again (held requests whose client is gone are dropped)
 * The gate is a plain HTTP forwarder in front of the simulator; a held request whose client dies
 * is never forwarded, as a request lost with its process never reaches Five9.
 * argv[2]: JSON of SimulatorOptions (users, quotas, consumers, latencyMs, rest).
 * Built code only (run `npm run build` first): tests start it with `node`.
 */
const http = require('node:http');
const { Five9Simulator } = require('../../dist/src/simulator');

const options = JSON.parse(process.argv[2] || '{}');
const sim = new Five9Simulator(options);
const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

let holding = false;
const held = [];
let simPort = 0;

function forward(req, res, body) {
  const out = http.request({ host: '127.0.0.1', port: simPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  out.on('error', () => res.destroy());
  out.end(body);
}

const gate = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (!holding) return forward(req, res, body);
    const entry = { req, res, body, gone: false };
    res.on('close', () => {
      if (!res.writableEnded) {
        entry.gone = true;
        say({ event: 'dropped' });
      }
    });
    held.push(entry);
    say({ event: 'held' });
  });
});

(async () => {
  const { url, port } = await sim.start(0);
  simPort = port;
  await new Promise((r) => gate.listen(0, '127.0.0.1', r));
  say({ url, gate: `http://127.0.0.1:${gate.address().port}` });
})();

let buf = '';
process.stdin.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const cmd = buf.slice(0, i).trim();
    buf = buf.slice(i + 1);
    if (cmd === 'stats') {
      say({
        stats: {
          overlaps: sim.overlaps,
          requests: sim.requests.map((r) => ({ operation: r.operation, outcome: r.outcome, startedAt: r.startedAt, endedAt: r.endedAt })),
          rest: sim.rest.requests.map((r) => ({ consumerKey: r.consumerKey, action: r.action, status: r.status, at: r.at })),
        },
      });
    } else if (cmd === 'hold') {
      holding = true;
      say({ ok: 'hold' });
    } else if (cmd === 'pass') {
      holding = false;
      for (const h of held.splice(0)) if (!h.gone) forward(h.req, h.res, h.body);
      say({ ok: 'pass' });
    }
  }
});

const stop = async () => {
  gate.closeAllConnections();
  gate.close();
  await sim.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The test that started it is gone (its end of stdin closed): stop too, never outlive it.
process.stdin.on('end', stop);
