import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Five9Client } from '../src/runtime';

const root = join(__dirname, '..');

// What the n8n test relies on to show that a refused input sent nothing: the simulator, in its own
// process, prints every request it receives, authenticated or not, and never a credential.
describe('five9 simulator --log-requests', () => {
  it('prints "request METHOD PATH" for each request as it arrives, refused ones included, and no password', async () => {
    if (!existsSync(join(root, 'dist', 'src', 'cli', 'index.js'))) throw new Error('run `npm run build` first (npm ci does it through prepare)');
    const child = spawn(process.execPath, [join(root, 'bin', 'five9.js'), 'simulator', '--port', '0', '--user', 'logger:logger-secret-1', '--log-requests'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const waiters: Array<() => void> = [];
    child.stdout.on('data', (d) => {
      out += d;
      for (const w of waiters.splice(0)) w();
    });
    const waitFor = (re: RegExp) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const check = () => {
          const m = re.exec(out);
          if (m) resolve(m);
          else waiters.push(check);
        };
        child.once('exit', (c) => reject(new Error(`simulator exited ${c}: ${out}`)));
        check();
      });
    try {
      const url = (await waitFor(/^listening on (http:\/\/127\.0\.0\.1:\d+)$/m))[1];
      const good = new Five9Client({ endpoint: `${url}/wssupervisor/v4/SupervisorWebService`, username: 'logger', password: 'logger-secret-1' });
      expect((await good.run('List Session Parameters')).exit).toBe('false');
      await good.close();
      const bad = new Five9Client({ endpoint: `${url}/wssupervisor/v4/SupervisorWebService`, username: 'logger', password: 'wrong-secret-2' });
      await expect(bad.run('List Session Parameters')).rejects.toMatchObject({ code: 'FIVE9_AUTH' });
      await bad.close();
      await fetch(`${url}/lists/v1/domains/10001/lists`).then((r) => r.arrayBuffer());
      await waitFor(/^request GET \/lists\/v1\/domains\/10001\/lists$/m);
      const requests = out.split('\n').filter((l) => l.startsWith('request '));
      expect(requests).toEqual([
        'request POST /wssupervisor/v4/SupervisorWebService',
        'request POST /wssupervisor/v4/SupervisorWebService',
        'request GET /lists/v1/domains/10001/lists',
      ]);
      expect(out).not.toMatch(/logger-secret-1|wrong-secret-2/);
      expect(out).not.toContain(Buffer.from('logger:logger-secret-1').toString('base64'));
    } finally {
      child.kill('SIGTERM');
    }
  });
});
