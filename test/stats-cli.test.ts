import { main } from '../src/cli';

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'five9', ...args], { out: (s) => out.push(s), err: (s) => err.push(s), env: {}, isTTY: false });
  return { code, out, err: err.join('\n') };
}

describe('five9 stats (against the embedded simulator)', () => {
  it('get prints one snapshot as a table, with the key column first', async () => {
    const r = await cli(['stats', 'get', 'ACDStatus']);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^ACDStatus: \d+ row\(s\), as of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(r.out[0]).toMatch(/\n\s+Skill Name\s+Agents Logged In\s+Agents Not Ready For Calls/);
  });

  it('get --format csv with --columns gives the key column and the chosen ones', async () => {
    const r = await cli(['stats', 'get', 'AgentState', '--columns', 'State,Reason Code', '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('Username,State,Reason Code');
    expect(r.out.length).toBeGreaterThan(2);
    for (const line of r.out.slice(1)) expect(line.split(',')).toHaveLength(3);
  });

  it('get --format json is one JSON object', async () => {
    const r = await cli(['stats', 'get', 'CampaignState', '--format', 'json']);
    const j = JSON.parse(r.out.join('\n'));
    expect(j.columns[0]).toBe('Campaign Name');
    expect(j.rows.length).toBeGreaterThan(0);
    expect(j.rows.every((row: unknown[]) => row.length === j.columns.length)).toBe(true);
  });

  it('watch --json prints NDJSON: pacing, session, snapshot, then closes the session', async () => {
    const r = await cli(['stats', 'watch', 'AgentState', '--json', '--polls', '1']);
    expect(r.code).toBe(0);
    const events = r.out.map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual(['pacing', 'session', 'snapshot', 'session']);
    expect(events[2]).toMatchObject({ statisticType: 'AgentState', columns: expect.arrayContaining(['Username', 'State']) });
    expect(events[3]).toMatchObject({ action: 'closed' });
  });

  it('bad input is one clear line: an unknown type, a long poll under 5,000 ms, a bad format', async () => {
    expect((await cli(['stats', 'get', 'Agents'])).err).toMatch(/FIVE9_CONFIG: unknown statistic type "Agents": use AgentState, AgentStatistics, ACDStatus/);
    expect((await cli(['stats', 'watch', 'AgentState', '--long-poll', '1000'])).err).toMatch(/--long-poll must be at least 5000 ms/);
    expect((await cli(['stats', 'get', 'ACDStatus', '--format', 'xml'])).err).toMatch(/--format must be table, csv or json/);
  });
});
