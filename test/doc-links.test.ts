import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
// github-slugger 1.x is CommonJS without types.
const GithubSlugger: new () => { slug(text: string): string } = require('github-slugger');

/**
 * Every link between our Markdown pages lands somewhere: a reader who clicks "Fleet benchmark" in
 * the layout table reaches that section, not the top of the page. Anchors are GitHub's, made by the
 * same slugger GitHub's renderer uses (duplicates get -1, -2 …).
 */
const root = join(__dirname, '..');
const PAGES = ['README.md', 'docs/errors.md', 'docs/actions.md', 'platforms/n8n/README.md'].filter((p) => existsSync(join(root, p)));

/** The text outside fenced code blocks: a `#` line inside a shell example is not a heading. */
function prose(md: string): string[] {
  let fenced = false;
  return md.split('\n').filter((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

function anchors(path: string): Set<string> {
  const slugger = new GithubSlugger();
  const out = new Set<string>();
  for (const line of prose(readFileSync(join(root, path), 'utf8'))) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) out.add(slugger.slug(h[1].replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')));
    for (const a of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) out.add(a[1]);
  }
  return out;
}

function links(path: string): { target: string; line: number }[] {
  const found: { target: string; line: number }[] = [];
  let n = 0;
  let fenced = false;
  for (const line of readFileSync(join(root, path), 'utf8').split('\n')) {
    n++;
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const code = line.replace(/`[^`]*`/g, '');
    for (const m of code.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) found.push({ target: m[1], line: n });
  }
  return found.filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l.target)); // http:, mailto: … are not ours
}

describe('links between the Markdown pages', () => {
  it.each(PAGES)('%s: every relative link names a file that exists and a heading it has', (page) => {
    const broken: string[] = [];
    for (const { target, line } of links(page)) {
      const [file, anchor] = target.split('#', 2);
      const dest = file ? join(dirname(join(root, page)), decodeURI(file)) : join(root, page);
      const rel = relative(root, dest);
      if (!existsSync(dest)) broken.push(`${page}:${line} ${target}: no file ${rel}`);
      else if (anchor !== undefined && rel.endsWith('.md') && !anchors(rel).has(anchor)) {
        broken.push(`${page}:${line} ${target}: ${rel} has no heading #${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('finds a broken anchor (the check itself works)', () => {
    const a = anchors('README.md');
    expect(a.has('many-accounts-five9-fleet')).toBe(true);
    expect(a.has('fleet-benchmark-that-is-not-there')).toBe(false);
  });
});
