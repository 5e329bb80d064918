/**
 * The wire format: what the client sends (the guide's Appendix A, corrected by the WSDL) and how
 * every shape of answer Five9 or a proxy may produce is decoded.
 */
import { Five9Error, Five9Fault } from '../src/errors';
import { loadManifest } from '../src/manifest';
import { Five9Client } from '../src/runtime';
import type { JsonSchema } from '../src/schemas';
import { SoapCodec, parseEnvelope } from '../src/soap';
import { ENV, NS, PASSWORD, USER, type RawHttpServer, rawHttpServer, rejectionOf, soapAnswer, squeeze, startSimulator, thrownBy } from './helpers';
import type { Five9Simulator } from '../src/simulator';

const manifest = loadManifest();
const codec = new SoapCodec(manifest.registry, manifest.raw.protocol.namespace);
const getSessionParameters = manifest.action('getSessionParameters');
const getCallCountersState = manifest.action('getCallCountersState');

/**
 * Appendix A's setSessionParameters request, copied from the guide, with the one correction the
 * WSDL makes: forceLogoutSession is an xs:boolean, so `true` where the guide prints `yes`.
 */
const APPENDIX_A_REQUEST = `
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ser="http://service.supervisor.ws.five9.com/">
  <soapenv:Header/>
  <soapenv:Body>
    <ser:setSessionParameters>
      <viewSettings>
        <forceLogoutSession>true</forceLogoutSession>
        <rollingPeriod>Minutes30</rollingPeriod>
        <shiftStart>28800000</shiftStart>
        <statisticsRange>CurrentWeek</statisticsRange>
        <timeZone>-25200000</timeZone>
      </viewSettings>
    </ser:setSessionParameters>
  </soapenv:Body>
</soapenv:Envelope>
`;

const APPENDIX_A_INPUT = {
  viewSettings: {
    forceLogoutSession: true,
    rollingPeriod: 'Minutes30',
    shiftStart: 28800000,
    statisticsRange: 'CurrentWeek',
    timeZone: -25200000,
  },
} as const;

const SESSION = {
  forceLogoutSession: true,
  idleTimeOut: 1800,
  rollingPeriod: 'Minutes30',
  shiftStart: 28800000,
  statisticsRange: 'CurrentWeek',
  timeZone: -25200000,
};

const SESSION_XML =
  '<forceLogoutSession>true</forceLogoutSession><idleTimeOut>1800</idleTimeOut><rollingPeriod>Minutes30</rollingPeriod>' +
  '<shiftStart>28800000</shiftStart><statisticsRange>CurrentWeek</statisticsRange><timeZone>-25200000</timeZone>';

/** The same getSessionParameters answer in the prefix styles SOAP stacks use. */
const SESSION_ANSWERS: Array<[string, string]> = [
  ['env:/ns2: prefixes (Five9)', soapAnswer('getSessionParameters', `<return>${SESSION_XML}</return>`)],
  [
    'S:/a: prefixes, XML declaration and indentation',
    `<?xml version="1.0" encoding="UTF-8"?>\n<S:Envelope xmlns:S="${ENV}">\n  <S:Body>\n    <a:getSessionParametersResponse xmlns:a="${NS}">\n      <return>\n        ${SESSION_XML.replace(/></g, '>\n        <')}\n      </return>\n    </a:getSessionParametersResponse>\n  </S:Body>\n</S:Envelope>\n`,
  ],
  [
    'default namespaces, no prefix at all',
    `<Envelope xmlns="${ENV}"><Header/><Body><getSessionParametersResponse xmlns="${NS}"><return xmlns="">${SESSION_XML}</return></getSessionParametersResponse></Body></Envelope>`,
  ],
  [
    'soapenv:/tns: prefixes declared on the envelope',
    `<soapenv:Envelope xmlns:soapenv="${ENV}" xmlns:tns="${NS}"><soapenv:Body><tns:getSessionParametersResponse><return>${SESSION_XML}</return></tns:getSessionParametersResponse></soapenv:Body></soapenv:Envelope>`,
  ],
];

const COUNTERS_XML =
  '<callCounterStates><limit>2</limit><operationType>QueryStatistics</operationType><value>1</value></callCounterStates>' +
  '<callCounterStates><limit>30</limit><operationType>QueryChangedStatistics</operationType><value>0</value></callCounterStates><timeout>60</timeout>';

const COUNTERS_ANSWERS: Array<[string, string]> = [
  ['env:/ns2:', soapAnswer('getCallCountersState', `<return>${COUNTERS_XML}</return>`)],
  ['S:/a:', `<S:Envelope xmlns:S="${ENV}"><S:Body><a:getCallCountersStateResponse xmlns:a="${NS}"><return>${COUNTERS_XML}</return></a:getCallCountersStateResponse></S:Body></S:Envelope>`],
  ['no prefix', `<Envelope xmlns="${ENV}"><Body><getCallCountersStateResponse xmlns="${NS}"><return xmlns="">${COUNTERS_XML}</return></getCallCountersStateResponse></Body></Envelope>`],
];

const COUNTERS = [
  {
    callCounterStates: [
      { limit: 2, operationType: 'QueryStatistics', value: 1 },
      { limit: 30, operationType: 'QueryChangedStatistics', value: 0 },
    ],
    timeout: 60,
  },
];

const faultEnvelope = (detail: string, faultString = 'fault') =>
  `<env:Envelope xmlns:env="${ENV}"><env:Header/><env:Body><env:Fault><faultcode>env:Server</faultcode><faultstring>${faultString}</faultstring><detail>${detail}</detail></env:Fault></env:Body></env:Envelope>`;

describe('request envelope', () => {
  let server: RawHttpServer;
  let client: Five9Client;

  beforeAll(async () => {
    server = await rawHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml;charset=utf-8' }).end(soapAnswer('setSessionParameters', ''));
    });
    // This server answers one operation: no getCallCountersState before the first QueryStatistics call.
    client = new Five9Client({ endpoint: server.url, username: USER, password: PASSWORD, seedQuotas: false });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  test("setSessionParameters is the guide's Appendix A request with the WSDL's boolean", () => {
    expect(squeeze(client.envelope('Set Session Parameters', APPENDIX_A_INPUT))).toBe(squeeze(APPENDIX_A_REQUEST));
  });

  test('the body that reaches the server is that same envelope', async () => {
    const result = await client.run('Set Session Parameters', APPENDIX_A_INPUT);
    expect(result).toEqual({ action: 'Set Session Parameters', exit: 'success', output: null });
    expect(server.requests).toHaveLength(1);
    expect(squeeze(server.requests[0].body)).toBe(squeeze(APPENDIX_A_REQUEST));
  });

  test('children are sent in the XSD sequence order, whatever the order of the input keys', () => {
    const scrambled = { viewSettings: { timeZone: -25200000, statisticsRange: 'CurrentWeek', shiftStart: 28800000, rollingPeriod: 'Minutes30', forceLogoutSession: true } };
    expect(squeeze(client.envelope('setSessionParameters', scrambled))).toBe(squeeze(APPENDIX_A_REQUEST));
  });

  test('the request element is qualified (ser:) and its children are not', () => {
    const xml = client.envelope('setSessionParameters', { viewSettings: { shiftStart: 0, timeZone: 0, idleTimeOut: 600 } });
    expect(xml).toContain('<ser:setSessionParameters><viewSettings><idleTimeOut>600</idleTimeOut><shiftStart>0</shiftStart><timeZone>0</timeZone></viewSettings></ser:setSessionParameters>');
  });
});

describe('answers decode the same whatever the prefixes', () => {
  test.each(SESSION_ANSWERS)('getSessionParameters with %s', (_name, xml) => {
    expect(codec.decodeResponse(xml, 'getSessionParameters', 'single', getSessionParameters.output as JsonSchema)).toEqual(SESSION);
  });

  test.each(COUNTERS_ANSWERS)('getCallCountersState with %s', (_name, xml) => {
    expect(codec.decodeResponse(xml, 'getCallCountersState', 'list', getCallCountersState.output as JsonSchema)).toEqual(COUNTERS);
  });

  describe('through a Five9Client against a server sending each style', () => {
    let answer = '';
    let server: RawHttpServer;
    let client: Five9Client;
    beforeAll(async () => {
      server = await rawHttpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/xml;charset=utf-8' }).end(answer);
      });
      client = new Five9Client({ endpoint: server.url, username: USER, password: PASSWORD });
    });
    afterAll(async () => {
      await client.close();
      await server.close();
    });

    test.each(SESSION_ANSWERS)('List Session Parameters, %s: exit true with the settings', async (_name, xml) => {
      answer = xml;
      expect(await client.run('List Session Parameters')).toEqual({ action: 'List Session Parameters', exit: 'true', output: SESSION });
    });

    test.each(COUNTERS_ANSWERS)('Get Call Counters State, %s', async (_name, xml) => {
      answer = xml;
      expect((await client.run('Get Call Counters State')).output).toEqual(COUNTERS);
    });

    test('one <return> for a list answer is still an array, and an answer without <return> is an empty one', async () => {
      answer = soapAnswer('getCallCountersState', `<return><callCounterStates><limit>2</limit><value>0</value></callCounterStates><timeout>60</timeout></return>`);
      const one = (await client.run('Get Call Counters State')).output;
      expect(one).toEqual([{ callCounterStates: [{ limit: 2, value: 0 }], timeout: 60 }]);
      answer = soapAnswer('getCallCountersState', '');
      expect((await client.run('Get Call Counters State')).output).toEqual([]);
    });

    test('long values above 2^31 stay numbers', async () => {
      answer = soapAnswer(
        'getCallCountersState',
        `<return><callCounterStates><limit>3000000000</limit><operationType>QueryStatistics</operationType><value>2147483648</value></callCounterStates><timeout>1295893918397</timeout></return>`,
      );
      const [state] = (await client.run('Get Call Counters State')).output as any[];
      expect(state.timeout).toBe(1295893918397);
      expect(state.callCounterStates[0].limit).toBe(3000000000);
      expect(state.callCounterStates[0].value).toBe(2 ** 31);
      expect(typeof state.callCounterStates[0].value).toBe('number');
    });

    test('xsi:nil="true" in a list of nillable items is null', async () => {
      answer = soapAnswer(
        'getCallCountersState',
        `<return xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><callCounterStates xsi:nil="true"/><callCounterStates><limit>2</limit><value>1</value></callCounterStates><timeout>60</timeout></return>`,
      );
      expect((await client.run('Get Call Counters State')).output).toEqual([{ callCounterStates: [null, { limit: 2, value: 1 }], timeout: 60 }]);
    });

    test('an OperationsLimitExceededFault (HTTP 500) becomes a Five9Fault with typed fields', async () => {
      answer = faultEnvelope(
        `<ns2:OperationsLimitExceededFault xmlns:ns2="${NS}"><limit>2</limit><message>Operations limit exceeded</message><operationType>QueryStatistics</operationType></ns2:OperationsLimitExceededFault>`,
        'Operations limit exceeded',
      );
      const e = await rejectionOf(client.run('Get Call Counters State'));
      expect(e).toBeInstanceOf(Five9Fault);
      expect(e.code).toBe('FIVE9_FAULT');
      expect(e.fault).toBe('OperationsLimitExceededFault');
      expect(e.fields).toEqual({ limit: 2, message: 'Operations limit exceeded', operationType: 'QueryStatistics' });
      expect(typeof e.fields.limit).toBe('number');
      expect(e.message).toContain('OperationsLimitExceededFault');
    });

    test('an answer to another operation is refused as FIVE9_BAD_RESPONSE', async () => {
      answer = soapAnswer('closeSession', '');
      const e = await rejectionOf(client.run('Get Call Counters State'));
      expect(e).toBeInstanceOf(Five9Error);
      expect(e.code).toBe('FIVE9_BAD_RESPONSE');
      expect(e.message).toContain('getCallCountersStateResponse');
    });
  });
});

describe('row data', () => {
  const rowOf = (xml: string) => codec.decode(parseEnvelope(`<env:Envelope xmlns:env="${ENV}"><env:Body>${xml}</env:Body></env:Envelope>`).node, { $ref: 'row.json' });

  test('xsi:nil="true" is null, an empty element is ""', () => {
    const row = rowOf(
      `<rows xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><values><data>jsmith</data><data xsi:nil="true"/><data></data><data>12</data></values></rows>`,
    );
    expect(row).toEqual({ values: { data: ['jsmith', null, '', '12'] } });
  });

  test('a single <data> is still a list', () => {
    expect(rowOf('<columns><values><data>Username</data></values></columns>')).toEqual({ values: { data: ['Username'] } });
  });

  test('entities are decoded, numeric character references included', () => {
    expect(rowOf('<rows><values><data>R&amp;D &lt;east&gt;</data><data>a&#38;b&#x3C;c</data><data>caf&#233;</data><data>&amp;#38;</data></values></rows>')).toEqual({
      values: { data: ['R&D <east>', 'a&b<c', 'café', '&#38;'] },
    });
  });
});

describe('text round-trips through the encoder', () => {
  let sim: Five9Simulator;
  let url: string;
  let client: Five9Client;
  beforeAll(async () => {
    ({ sim, url } = await startSimulator());
    client = new Five9Client({ endpoint: url, username: USER, password: PASSWORD });
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });

  test('&, <, >, quotes are escaped on the wire and come back unchanged', async () => {
    const appType = `R&D <iPad> "North" & 'South' &amp; ]]>`;
    expect(client.envelope('setSessionParameters', { viewSettings: { appType, shiftStart: 0, timeZone: 0 } })).toContain(
      '<appType>R&amp;D &lt;iPad&gt; &quot;North&quot; &amp; &apos;South&apos; &amp;amp; ]]&gt;</appType>',
    );
    await client.run('Set Session Parameters', { viewSettings: { appType, shiftStart: 0, timeZone: 0 } });
    const listed = await client.run('List Session Parameters');
    expect(listed.exit).toBe('true');
    expect((listed.output as any).appType).toBe(appType);
  });
});

describe('faults', () => {
  const decodeFault = (xml: string) => thrownBy(() => codec.decodeResponse(xml, 'getCallCountersState', 'list', getCallCountersState.output as JsonSchema));

  test('OperationsLimitExceededFault: name and typed fields (limit is a number)', () => {
    const e = decodeFault(
      faultEnvelope(`<ns2:OperationsLimitExceededFault xmlns:ns2="${NS}"><limit>15</limit><message>Limit</message><operationType>QueryStatistics</operationType></ns2:OperationsLimitExceededFault>`),
    );
    expect(e).toBeInstanceOf(Five9Fault);
    expect(e.fault).toBe('OperationsLimitExceededFault');
    expect(e.fields).toEqual({ limit: 15, message: 'Limit', operationType: 'QueryStatistics' });
    expect(e.faultCode).toBe('Server');
  });

  test("WrongCampaignStateFault keeps the campaign and both states, whatever the prefixes", () => {
    const fields = { actualState: 'RUNNING', campaignName: 'Outbound & Co', desiredState: 'NOT_RUNNING', message: 'Campaign is running' };
    const prefixed = decodeFault(
      faultEnvelope(
        `<ns2:WrongCampaignStateFault xmlns:ns2="${NS}"><actualState>RUNNING</actualState><campaignName>Outbound &amp; Co</campaignName><desiredState>NOT_RUNNING</desiredState><message>Campaign is running</message></ns2:WrongCampaignStateFault>`,
        'Campaign is running',
      ),
    );
    const unprefixed = decodeFault(
      `<Envelope xmlns="${ENV}"><Body><Fault><faultcode xmlns="">Server</faultcode><faultstring xmlns="">Campaign is running</faultstring><detail xmlns=""><WrongCampaignStateFault xmlns="${NS}"><actualState xmlns="">RUNNING</actualState><campaignName xmlns="">Outbound &amp; Co</campaignName><desiredState xmlns="">NOT_RUNNING</desiredState><message xmlns="">Campaign is running</message></WrongCampaignStateFault></detail></Fault></Body></Envelope>`,
    );
    for (const e of [prefixed, unprefixed]) {
      expect(e).toBeInstanceOf(Five9Fault);
      expect(e.fault).toBe('WrongCampaignStateFault');
      expect(e.fields).toEqual(fields);
      expect(e.toJSON()).toMatchObject({ code: 'FIVE9_FAULT', fault: 'WrongCampaignStateFault', fields });
    }
  });

  test('an indented S: fault with a field-less detail keeps its name and message', () => {
    const e = decodeFault(
      `<S:Envelope xmlns:S="${ENV}">\n <S:Body>\n  <S:Fault>\n   <faultcode>S:Server</faultcode>\n   <faultstring>Session was not initialized</faultstring>\n   <detail>\n    <ns2:SessionNotInitializedFault xmlns:ns2="${NS}">\n     <message>Session was not initialized</message>\n    </ns2:SessionNotInitializedFault>\n   </detail>\n  </S:Fault>\n </S:Body>\n</S:Envelope>`,
    );
    expect(e.fault).toBe('SessionNotInitializedFault');
    expect(e.fields).toEqual({ message: 'Session was not initialized' });
  });

  test('a fault without detail (a JAX-WS client fault) is a ClientFault with its faultstring', () => {
    const e = decodeFault(`<env:Envelope xmlns:env="${ENV}"><env:Body><env:Fault><faultcode>env:Client</faultcode><faultstring>Cannot find dispatch method</faultstring></env:Fault></env:Body></env:Envelope>`);
    expect(e.fault).toBe('ClientFault');
    expect(e.faultCode).toBe('Client');
    expect(e.message).toContain('Cannot find dispatch method');
  });
});

describe('well-formedness of unusual answers', () => {
  const { SoapCodec } = require('../src/soap') as typeof import('../src/soap');
  const { loadManifest } = require('../src/manifest') as typeof import('../src/manifest');
  const m = loadManifest();
  const codec = new SoapCodec(m.registry, m.raw.protocol.namespace);
  const action = m.action('getSessionParameters');
  // A comment sends the answer past the fast scanner to the general parser.
  const answer = (inner: string) =>
    `<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><!-- c --><env:Body><ns2:getSessionParametersResponse xmlns:ns2="http://service.supervisor.ws.five9.com/"><return>${inner}</return></ns2:getSessionParametersResponse></env:Body></env:Envelope>`;

  it('a well-formed unusual answer decodes', () => {
    expect(codec.decodeResponse(answer('<shiftStart>0</shiftStart><timeZone>0</timeZone>'), 'getSessionParameters', 'single', action.output as never)).toEqual({ shiftStart: 0, timeZone: 0 });
  });

  it('mismatched tags are refused even when the document ends with </Envelope>', () => {
    expect(() => codec.decodeResponse(answer('<shiftStart>0</timeZone><timeZone>0</shiftStart>'), 'getSessionParameters', 'single', action.output as never)).toThrow(
      expect.objectContaining({ code: 'FIVE9_BAD_RESPONSE', message: expect.stringMatching(/not well-formed XML/) }),
    );
  });
});
