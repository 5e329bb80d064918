/**
 * The fixture server, run in its own process (forked by bench/run): answers each case's path from
 * a buffer prepared before listening, so the contenders measure their own work, not the server's.
 * It counts the connections opened and, when asked, records requests for the equivalence check.
 * Commands arrive over IPC: reset (zero the counters), stats, record (on/off), recorded.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildCases, casePath } from './fixtures';

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type ServerCommand = { id: number; cmd: 'reset' | 'stats' | 'recorded' } | { id: number; cmd: 'record'; on: boolean };

interface Answer {
  status: number;
  headers: Record<string, string | number>;
  body: Buffer;
  /** Matches the case's operation element in a request body. */
  request: RegExp;
}

const answers = new Map<string, Answer>();
for (const c of buildCases()) {
  const body = Buffer.from(c.answer, 'utf8');
  answers.set(casePath(c.id), {
    status: c.status,
    headers: { 'content-type': 'text/xml;charset=utf-8', 'content-length': body.length },
    body,
    request: new RegExp(`<(?:[\\w.-]+:)?${c.operation}[\\s>/]`),
  });
}

let connections = 0;
let requests = 0;
let recording = false;
let recorded: RecordedRequest[] = [];

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    requests++;
    const a = answers.get(req.url ?? '');
    const body = Buffer.concat(chunks).toString('utf8');
    if (recording) recorded.push({ path: req.url ?? '', headers: req.headers, body });
    // A request for another operation than the case's gets a 400, so a wrong call cannot pass as fast.
    if (!a || req.method !== 'POST' || !a.request.test(body)) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('not a request of this case');
      return;
    }
    res.writeHead(a.status, a.headers);
    res.end(a.body);
  });
});
server.on('connection', () => connections++);
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;

process.on('message', (m: ServerCommand) => {
  switch (m.cmd) {
    case 'reset':
      connections = 0;
      requests = 0;
      process.send!({ id: m.id });
      break;
    case 'stats':
      process.send!({ id: m.id, connections, requests });
      break;
    case 'record':
      recording = m.on;
      recorded = [];
      process.send!({ id: m.id });
      break;
    case 'recorded':
      process.send!({ id: m.id, recorded });
      break;
  }
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  process.send!({ ready: true, port: (server.address() as AddressInfo).port });
});
