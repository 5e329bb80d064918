/**
 * The simulator of `npm run bench:wallboard`, in a process of its own: a contact centre of
 * `--agents N` (default 5,000) moving on the wall clock. Prints `listening on URL`, stops on
 * SIGTERM. Its domain limits are lifted because the benchmark's own client (which opens the
 * session) and the wallboard each count Five9's limits on their side, as two processes sharing a
 * real domain would not be allowed to; the wallboard's client keeps Five9's limits.
 */
import { Five9Simulator } from '../src/simulator';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const agents = Number(arg('--agents', '5000'));
const [username, password] = arg('--user', 'bench:bench-secret').split(/:(.*)/s);
const lifted = [
  { seconds: 60, limit: 100_000 },
  { seconds: 3600, limit: 1_000_000 },
  { seconds: 86400, limit: 10_000_000 },
];

async function main(): Promise<void> {
  // A floor of that size: a skill per ~200 agents, a campaign per ~400.
  const sim = new Five9Simulator({
    users: [{ username, password }],
    size: { agents, skills: Math.max(4, Math.round(agents / 200)), campaigns: Math.max(6, Math.round(agents / 400)) },
    quotas: { QueryStatistics: lifted, QueryChangedStatistics: lifted },
    supervisorSeats: 100,
  });
  const { url } = await sim.start(Number(arg('--port', '0')));
  process.stdout.write(`listening on ${url}\n`);
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
