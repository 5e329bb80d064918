import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { loadManifest, versionHas } from '../src/manifest';
import type { JsonSchema } from '../src/schemas';
import { generateWsdl } from '../src/wsdl';

/**
 * The WSDL generated from the manifest must agree with the manifest itself (both directions) and
 * with facts copied by hand from Five9's real v4 WSDL (SupervisorWebService.v4.wsdl). The real
 * file is not read here: the facts below are literals.
 */

const LOCATION = 'https://api.five9.com/wssupervisor/v4/SupervisorWebService';
const ARRAYS = new Set(['operation', 'fault', 'element', 'complexType', 'simpleType', 'message', 'enumeration']);

interface Parsed {
  operations: string[];
  bindingOperations: string[];
  elements: string[];
  /** Named complex types: their direct sequence children, in order. */
  types: Map<string, string[]>;
  /** portType operation → fault names, in order. */
  faults: Map<string, string[]>;
}

function parse(xml: string): Parsed {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', removeNSPrefix: true, isArray: (name) => ARRAYS.has(name) }).parse(xml);
  const defs = doc.definitions;
  const schema = defs.types.schema;
  const types = new Map<string, string[]>();
  for (const ct of schema.complexType ?? []) types.set(ct['@_name'], (ct.sequence?.element ?? []).map((e: any) => e['@_name']));
  const portOps = defs.portType.operation as any[];
  return {
    operations: portOps.map((o) => o['@_name']),
    bindingOperations: (defs.binding.operation as any[]).map((o) => o['@_name']),
    elements: (schema.element as any[]).map((e) => e['@_name']),
    types,
    faults: new Map(portOps.map((o) => [o['@_name'], (o.fault ?? []).map((f: any) => f['@_name'])])),
  };
}

const m = loadManifest();
const wsdl = (version: string) => generateWsdl(m, { version, location: LOCATION.replace('/v4/', version === 'default' ? '/' : `/${version}/`) });
const v4 = parse(wsdl('v4'));
const inV4 = m.soapActions.filter((a) => versionHas('v4', a.versions.since));

describe('generated v4 WSDL agrees with the manifest', () => {
  it('every v4 action is an operation in portType and binding, with request and response elements', () => {
    for (const a of inV4) {
      expect(v4.operations).toContain(a.operation);
      expect(v4.bindingOperations).toContain(a.operation);
      expect(v4.elements).toContain(a.operation);
      expect(v4.elements).toContain(`${a.operation}Response`);
      expect(v4.types.has(a.operation)).toBe(true);
      expect(v4.types.has(`${a.operation}Response`)).toBe(true);
    }
  });

  it('every operation of the WSDL is a manifest action (both directions)', () => {
    expect([...v4.operations].sort()).toEqual(inV4.map((a) => a.operation).sort());
    expect([...v4.bindingOperations].sort()).toEqual(inV4.map((a) => a.operation).sort());
    for (const op of v4.operations) expect(m.findAction(op)?.operation).toBe(op);
  });

  it("each request type's children are the input schema's properties, in order", () => {
    for (const a of inV4) {
      const props = Object.keys(m.registry.resolve(a.input as JsonSchema).properties ?? {});
      expect({ op: a.operation, children: v4.types.get(a.operation) }).toEqual({ op: a.operation, children: props });
    }
  });

  it("each portType operation's faults are the action's declared faults", () => {
    for (const a of inV4) expect({ op: a.operation, faults: v4.faults.get(a.operation) }).toEqual({ op: a.operation, faults: a.faults });
  });
});

/** Facts copied from Five9's SupervisorWebService v4 WSDL. */
const REAL_V4 = {
  operations: [
    'acceptChatInvite', 'closeChatSession', 'closeSession', 'createChatSession', 'forceStopCampaign', 'getCallCountersState', 'getColumnNames', 'getDispositionsNames',
    'getLoggedInUsers', 'getMonitoringSupervisors', 'getMyGroupIds', 'getMyPermissions', 'getMySkillsIds', 'getSessionParameters', 'getStatistics', 'getStatisticsUpdate',
    'getUserLimits', 'loginStation', 'receiveMessages', 'reconnectStation', 'removeUserFromChat', 'resetCampaign', 'resetCampaignDispositions', 'sendBroadcastMessages',
    'sendChatInvite', 'sendInfoMessage', 'sendMsgToChat', 'setSessionParameters', 'startCampaign', 'startMonitoring', 'stopCampaign', 'stopMonitoring',
  ],
  requests: {
    setSessionParameters: ['viewSettings'],
    getSessionParameters: [],
    getStatistics: ['statisticType', 'columnNames'],
    getStatisticsUpdate: ['statisticType', 'previousTimestamp', 'longPollingTimeout'],
    getColumnNames: ['statisticType'],
    loginStation: ['stationName', 'forceLogoutSession', 'appType', 'idleTimeOut'],
    startMonitoring: ['agentName', 'monitoringMode'],
    sendMsgToChat: ['chatId', 'text'],
  } as Record<string, string[]>,
  types: {
    viewSettings: ['appType', 'forceLogoutSession', 'idleTimeOut', 'rollingPeriod', 'shiftStart', 'statisticsRange', 'timeZone'],
    statistics: ['columns', 'rows', 'timestamp', 'type'],
    statisticsUpdate: ['addedObjects', 'dataUpdate', 'deletedObjects', 'lastTimestamp', 'previousTimestamp', 'type'],
  } as Record<string, string[]>,
  faults: {
    getSessionParameters: ['SessionNotInitializedFault', 'ServerFault', 'AccessDisallowedFault', 'UserAlreadyLoggedInFault', 'OperationsLimitExceededFault', 'SessionClosedFault', 'ServiceUnavailableFault', 'InvalidAccountFault', 'UserLimitReachedFault'],
    setSessionParameters: ['ServerFault', 'AccessDisallowedFault', 'UserAlreadyLoggedInFault', 'MissedArgumentFault', 'IncorrectArgumentFault', 'OperationsLimitExceededFault', 'SessionClosedFault', 'ServiceUnavailableFault', 'InvalidAccountFault', 'UserLimitReachedFault'],
    getStatistics: ['SessionNotInitializedFault', 'ServerFault', 'AccessDisallowedFault', 'UserAlreadyLoggedInFault', 'MissedArgumentFault', 'IncorrectArgumentFault', 'OperationsLimitExceededFault', 'SessionClosedFault', 'UnknownColumnFault', 'ServiceUnavailableFault', 'InvalidAccountFault', 'UserLimitReachedFault'],
  } as Record<string, string[]>,
};

describe("generated v4 WSDL matches Five9's real v4 WSDL", () => {
  it('has the same 32 operations', () => {
    expect([...v4.operations].sort()).toEqual([...REAL_V4.operations].sort());
  });

  it.each(Object.entries(REAL_V4.requests))('request %s has the real children in order', (op, children) => {
    expect(v4.types.get(op)).toEqual(children);
  });

  it.each(Object.entries(REAL_V4.types))('complex type %s has the real children in order', (name, children) => {
    expect(v4.types.get(name)).toEqual(children);
  });

  it.each(Object.entries(REAL_V4.faults))('operation %s declares the real faults in order', (op, faults) => {
    expect(v4.faults.get(op)).toEqual(faults);
  });
});

describe('operations by API version', () => {
  it('getApiVersions is absent from v4 and present in v14', () => {
    expect(v4.operations).not.toContain('getApiVersions');
    expect(parse(wsdl('v14')).operations).toContain('getApiVersions');
  });

  it("startCampaign is absent from 'default' and present in v3", () => {
    expect(parse(wsdl('default')).operations).not.toContain('startCampaign');
    expect(parse(wsdl('v3')).operations).toContain('startCampaign');
  });
});
