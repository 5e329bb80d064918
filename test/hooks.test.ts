/**
 * The parseStatisticsRows hook (getStatistics' row parser) must give exactly what the generic
 * decoder gives, on the guide's answer, on a large generated one with every awkward cell, and on
 * anything it hands back to the generic decoder. The plain-document scanner behind parseEnvelope
 * must build exactly fast-xml-parser's tree. No timings here: speed is `npm run bench`'s business.
 */
import { XMLParser } from 'fast-xml-parser';
import type { Statistics } from '../src/generated/five9-types';
import { HOOKS } from '../src/hooks';
import { parseStatisticsRows } from '../src/hooks/statistics';
import { lintManifest, loadManifest } from '../src/manifest';
import { Five9Client } from '../src/runtime';
import type { JsonSchema } from '../src/schemas';
import { SoapCodec } from '../src/soap';
import { PARSER_OPTIONS, scanXml } from '../src/soap/xml';
import { ENV, NS, PASSWORD, USER, rawHttpServer } from './helpers';

const manifest = loadManifest();
const codec = new SoapCodec(manifest.registry, manifest.raw.protocol.namespace);
const action = manifest.action('getStatistics');
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/** The generic decoder's answer (or error message) for a getStatistics answer. */
function generic(xml: string): unknown {
  try {
    return codec.decodeResponse(xml, 'getStatistics', 'single', action.output as JsonSchema);
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** The hook's answer, and whether it handed the text to the generic decoder. */
function hooked(xml: string): { output: unknown; fellBack: boolean } {
  let fellBack = false;
  const decode = () => {
    fellBack = true;
    return codec.decodeResponse(xml, 'getStatistics', 'single', action.output as JsonSchema) as Statistics;
  };
  try {
    return { output: parseStatisticsRows(xml, { operation: 'getStatistics', decode }), fellBack };
  } catch (e) {
    return { output: { error: (e as Error).message }, fellBack };
  }
}

/** Equal values and the same key order (what JSON.stringify of the output shows). */
function expectSame(xml: string, fellBack: boolean): unknown {
  const g = generic(xml);
  const h = hooked(xml);
  expect(h.output).toEqual(g);
  expect(JSON.stringify(h.output)).toBe(JSON.stringify(g));
  expect(h.fellBack).toBe(fellBack);
  return h.output;
}

/** The guide's Appendix A getStatistics answer, indented as the guide prints it. */
const APPENDIX_A = `<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
  <env:Header/>
  <env:Body>
    <ns2:getStatisticsResponse xmlns:ns2="http://service.supervisor.ws.five9.com/">
      <return>
        <columns>
          <values>
            <data>Username</data>
            <data>Full Name</data>
            <data>Total Calls</data>
          </values>
        </columns>
        <rows>
          <values>
            <data>jsmith</data>
            <data>John Smith</data>
            <data>12</data>
          </values>
        </rows>
        <timestamp>1295893918397</timestamp>
        <type>AgentStatistics</type>
      </return>
    </ns2:getStatisticsResponse>
  </env:Body>
</env:Envelope>
`;

const APPENDIX_A_OUTPUT = action.examples[0].output;

function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return a / 2 ** 32;
  };
}

/**
 * A large answer in the wire's form: 5,000 rows × 60 columns with nil cells, empty cells in both
 * forms, the predefined entities and character references, whitespace-only and non-ASCII cells,
 * and a few cells and rows written with other prefixes and attribute quoting.
 */
function largeAnswer(): string {
  const r = rng(42);
  const cells = ['jsmith@example.com', 'Pat O&apos;Neil', 'Sales &amp; Retention', '&lt;none&gt;', 'A&#38;B', 'x&#x26;y', '&quot;quoted&quot;', '', ' ', 'Zoë Müller', '817255', '2026-01-05 09:12:44', '0 (0)', '12%'];
  const columns = Array.from({ length: 60 }, (_, i) => `<data>Column ${i + 1}${i === 7 ? ' &amp; more' : ''}</data>`).join('');
  let rows = '';
  for (let i = 0; i < 5000; i++) {
    let row = '';
    for (let c = 0; c < 60; c++) {
      const x = r();
      if (x < 0.03) row += '<data xsi:nil="true"/>';
      else if (x < 0.035) row += '<data/>';
      else if (x < 0.04) row += `<s:data xmlns:s="${NS}">${cells[c % cells.length]}</s:data>`;
      else if (x < 0.045) row += "<data i:nil='true' xmlns:i=\"" + XSI + '"/>';
      else row += `<data>${cells[Math.floor(r() * cells.length)]}</data>`;
    }
    rows += i % 997 === 5 ? `<rows xsi:nil="true"/>` : i % 1999 === 3 ? `<rows>\n  <values>${row}</values>\n</rows>` : `<rows><values>${row}</values></rows>`;
  }
  return `<env:Envelope xmlns:env="${ENV}"><env:Header/><env:Body><ns2:getStatisticsResponse xmlns:ns2="${NS}" xmlns:xsi="${XSI}"><return><columns><values>${columns}</values></columns>${rows}<timestamp>1767600000000</timestamp><type>AgentStatistics</type></return></ns2:getStatisticsResponse></env:Body></env:Envelope>`;
}

describe('parseStatisticsRows equals the generic decoder', () => {
  test('the manifest names the hook on getStatistics, and lint finds it in src/hooks', () => {
    expect(manifest.raw.hooks).toHaveProperty('parseStatisticsRows');
    expect(action.hooks).toEqual({ parseOutput: 'parseStatisticsRows' });
    expect(HOOKS.parseStatisticsRows).toBe(parseStatisticsRows);
    expect(lintManifest(manifest.raw)).toEqual([]);
  });

  test("on the guide's Appendix A answer, indented and on one line", () => {
    expect(expectSame(APPENDIX_A, false)).toEqual(APPENDIX_A_OUTPUT);
    expect(expectSame(APPENDIX_A.replace(/>\s+</g, '><'), false)).toEqual(APPENDIX_A_OUTPUT);
  });

  test('on a large answer with nil and empty cells, entities, prefixes and nil rows', () => {
    const xml = largeAnswer();
    const out = expectSame(xml, false) as { columns: { values: { data: string[] } }; rows: Array<{ values: { data: (string | null)[] } } | null> };
    expect(out.rows).toHaveLength(5000);
    expect(out.columns.values.data).toHaveLength(60);
    const cells = out.rows.flatMap((row) => row?.values.data ?? []);
    // The awkward cells are really there, decoded.
    expect(cells).toContain(null);
    expect(cells).toContain('');
    expect(cells).toContain(' ');
    expect(cells).toContain('Sales & Retention');
    expect(cells).toContain("Pat O'Neil");
    expect(cells).toContain('<none>');
    expect(cells).toContain('A&B');
    expect(cells).toContain('x&y');
    expect(cells).toContain('"quoted"');
    expect(out.rows).toContain(null);
    expect(manifest.registry.check(action.output as JsonSchema, out, 'output')).toEqual([]);
  });

  test.each<[string, string]>([
    ['no rows', `<env:Envelope xmlns:env="${ENV}"><env:Body><ns2:getStatisticsResponse xmlns:ns2="${NS}"><return><timestamp>1</timestamp></return></ns2:getStatisticsResponse></env:Body></env:Envelope>`],
    ['empty columns and values, no type', `<a:Envelope xmlns:a="${ENV}"><a:Body><b:getStatisticsResponse xmlns:b="${NS}"><return><columns/><rows><values/></rows><rows/><timestamp> 7 </timestamp></return></b:getStatisticsResponse></a:Body></a:Envelope>`],
    ['default namespaces, elements in another order', `<Envelope xmlns="${ENV}"><Header></Header><Body><getStatisticsResponse xmlns="${NS}"><return xmlns=""><type>ACDStatus</type><rows><values><data>a</data></values></rows><timestamp>2</timestamp><columns><values><data>Skill Name</data></values></columns><rows><values><data>b</data></values></rows></return></getStatisticsResponse></Body></Envelope>`],
  ])('on an unusual but plain answer: %s', (_name, xml) => {
    expectSame(xml, false);
  });

  const wrap = (inner: string) => `<env:Envelope xmlns:env="${ENV}"><env:Body><ns2:getStatisticsResponse xmlns:ns2="${NS}">${inner}</ns2:getStatisticsResponse></env:Body></env:Envelope>`;
  const ok = '<rows><values><data>a</data></values></rows><timestamp>1</timestamp>';
  test.each<[string, string]>([
    ['a fault', `<env:Envelope xmlns:env="${ENV}"><env:Body><env:Fault><faultcode>env:Server</faultcode><faultstring>no</faultstring><detail><ns2:SessionNotInitializedFault xmlns:ns2="${NS}"><message>no</message></ns2:SessionNotInitializedFault></detail></env:Fault></env:Body></env:Envelope>`],
    ['an XML declaration', `<?xml version="1.0" encoding="UTF-8"?>${wrap(`<return>${ok}</return>`)}`],
    ['a comment between cells', wrap(`<return><rows><values><data>a</data><!-- b --><data>c</data></values></rows><timestamp>1</timestamp></return>`)],
    ['CDATA in a cell', wrap(`<return><rows><values><data><![CDATA[a<b]]></data></values></rows><timestamp>1</timestamp></return>`)],
    ['an unknown element', wrap(`<return>${ok}<extra>1</extra></return>`)],
    ['a repeated time stamp', wrap(`<return>${ok}<timestamp>2</timestamp></return>`)],
    ['a time stamp that is not a number', wrap(`<return><timestamp>soon</timestamp></return>`)],
    ['an empty time stamp', wrap(`<return><timestamp/></return>`)],
    ['no return', wrap('')],
    ['two returns', wrap(`<return>${ok}</return><return>${ok}</return>`)],
    ['a nil return', wrap(`<return xsi:nil="true" xmlns:xsi="${XSI}"/>`)],
    ['a nil column list', wrap(`<return><columns xsi:nil="true" xmlns:xsi="${XSI}"/>${ok}</return>`)],
    ['another attribute on a cell', wrap(`<return><rows><values><data id="1">a</data></values></rows><timestamp>1</timestamp></return>`)],
    ['xsi:nil="false"', wrap(`<return><rows><values><data xsi:nil="false" xmlns:xsi="${XSI}">a</data></values></rows><timestamp>1</timestamp></return>`)],
    ['an HTML entity', wrap(`<return><rows><values><data>a&nbsp;b</data></values></rows><timestamp>1</timestamp></return>`)],
    ['a bare ampersand', wrap(`<return><rows><values><data>a & b</data></values></rows><timestamp>1</timestamp></return>`)],
    ['a removed character reference', wrap(`<return><rows><values><data>a&#1;b</data></values></rows><timestamp>1</timestamp></return>`)],
    ['a carriage return', wrap(`<return><rows><values><data>a\r\nb</data></values></rows><timestamp>1</timestamp></return>`)],
    ['a mismatched closing tag', wrap(`<return><rows><values><data>a</dato></values></rows><timestamp>1</timestamp></return>`)],
    ['an element inside a cell', wrap(`<return><rows><values><data><b>x</b></data></values></rows><timestamp>1</timestamp></return>`)],
    ['two values in a row', wrap(`<return><rows><values><data>a</data></values><values><data>b</data></values></rows><timestamp>1</timestamp></return>`)],
    ['text between rows', wrap(`<return>${ok}stray</return>`)],
    ['a non-empty Header', `<env:Envelope xmlns:env="${ENV}"><env:Header><x>1</x></env:Header><env:Body><ns2:getStatisticsResponse xmlns:ns2="${NS}"><return>${ok}</return></ns2:getStatisticsResponse></env:Body></env:Envelope>`],
    ['another operation', `<env:Envelope xmlns:env="${ENV}"><env:Body><ns2:getColumnNamesResponse xmlns:ns2="${NS}"><return>${ok}</return></ns2:getColumnNamesResponse></env:Body></env:Envelope>`],
  ])('hands %s to the generic decoder, with the same result', (_name, xml) => {
    expectSame(xml, true);
  });

  test('the runtime calls the hook for getStatistics and validates its output', async () => {
    const server = await rawHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/xml;charset=utf-8' }).end(APPENDIX_A));
    const client = new Five9Client({ endpoint: server.url, username: USER, password: PASSWORD, quotas: false });
    const spy = jest.spyOn(HOOKS, 'parseStatisticsRows');
    try {
      const r = await client.run('Get Statistics', { statisticType: 'AgentStatistics', columnNames: { values: { data: ['Username', 'Full Name', 'Total Calls'] } } });
      expect(r.output).toEqual(APPENDIX_A_OUTPUT);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy.mock.calls[0][0]).toBe(APPENDIX_A);
    } finally {
      spy.mockRestore();
      await client.close();
      await server.close();
    }
  });
});

describe('scanXml builds exactly the tree fast-xml-parser builds', () => {
  const parser = new XMLParser(PARSER_OPTIONS);

  test('on 5,000 seeded random documents (or it leaves them to fast-xml-parser)', () => {
    const r = rng(7);
    const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
    const names = ['a', 'b', 'data', 'values', 'ns2:data', 'x:b', 'return', 'hasOwnProperty', 'c_d', 'e.f', 'g-h'];
    const texts = ['', ' ', '\n  ', 'x', 'John Smith', 'a&amp;b', '&lt;tag&gt;', '&#38;', '&#x26;', '&quot;&apos;', '&#0;', '&nbsp;', 'a&b', '&#55296;', '>', ']]>', '&#128512;', '&amp;lt;', 'é'];
    const attrs = [' xsi:nil="true"', ' xmlns:ns2="u"', ' xmlns="u"', " a='1'", ' b="x&amp;y"', ' c = "2" ', ' p:x="1" q:x="2"', ''];
    const el = (depth: number): string => {
      const n = pick(names);
      let a = '';
      for (let k = 0; k < 2; k++) if (r() < 0.3) a += pick(attrs);
      if (r() < 0.15) return `<${n}${a}/>`;
      if (depth > 3 || r() < 0.4) return `<${n}${a}>${pick(texts)}</${n}>`;
      let inner = '';
      const k = Math.floor(r() * 4);
      for (let i = 0; i < k; i++) {
        if (r() < 0.3) inner += pick(texts);
        inner += el(depth + 1);
      }
      if (r() < 0.3) inner += pick(texts);
      return `<${n}${a}>${inner}</${n}>`;
    };
    let scanned = 0;
    for (let t = 0; t < 5000; t++) {
      const doc = `<env:Envelope xmlns:env="e">${el(0)}</env:Envelope>`;
      const mine = scanXml(doc);
      if (mine === undefined) continue;
      scanned++;
      expect(JSON.stringify(mine)).toBe(JSON.stringify(parser.parse(doc)));
    }
    expect(scanned).toBeGreaterThan(1000);
  });

  test('on the large statistics answer and the guide answer', () => {
    for (const doc of [APPENDIX_A, largeAnswer()]) expect(JSON.stringify(scanXml(doc))).toBe(JSON.stringify(parser.parse(doc)));
  });
});
