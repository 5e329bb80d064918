import { XMLParser } from 'fast-xml-parser';
import { Five9InputError } from '../src/errors';
import { loadManifest } from '../src/manifest';
import { Five9Client } from '../src/runtime';
import { Five9Simulator } from '../src/simulator';
import { generateWsdl } from '../src/wsdl';

/** Values an enum gained or lost between versions (the guide's Differences Among API Versions table). */
const manifest = loadManifest();
const enumValues = (version: string, type: string): string[] => {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(generateWsdl(manifest, { version, location: 'https://api.five9.com/x' }));
  const simple = [doc.definitions.types['xs:schema']['xs:simpleType']].flat().find((t: { name: string }) => t.name === type);
  return [simple['xs:restriction']['xs:enumeration']].flat().map((e: { value: string }) => e.value);
};

describe('enum values by API version', () => {
  it('the WSDL of each version lists the permission names that version has', () => {
    expect(enumValues('v3', 'supervisorPermissionType')).toContain('CampaignManagementResetDialerDCP');
    expect(enumValues('v3', 'supervisorPermissionType')).not.toContain('CampaignManagementResetAbandonCallRate');
    expect(enumValues('v4', 'supervisorPermissionType')).toContain('CampaignManagementResetAbandonCallRate');
    expect(enumValues('v4', 'supervisorPermissionType')).not.toContain('CampaignManagementResetDialerDCP');
    expect(enumValues('v14', 'supervisorPermissionType')).not.toContain('CampaignManagementResetDialerDCP');
  });

  it('VIVRCreateSession exists from v3', () => {
    expect(enumValues('default', 'apiOperationType')).not.toContain('VIVRCreateSession');
    expect(enumValues('v3', 'apiOperationType')).toContain('VIVRCreateSession');
  });

  describe('against the simulator', () => {
    let sim: Five9Simulator;
    const clients: Five9Client[] = [];
    beforeAll(async () => {
      sim = new Five9Simulator({ users: [{ username: 'ops', password: 'ops-secret' }] });
      await sim.start();
    });
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await sim.stop();
    });
    const permissions = async (apiVersion: string) => {
      const c = new Five9Client({ endpoint: sim.url, apiVersion, username: 'ops', password: 'ops-secret', quotas: false });
      clients.push(c);
      await c.run('Set Session Parameters', { viewSettings: { shiftStart: 0, timeZone: 0 } });
      return ((await c.run('List My Permissions')).output as Array<{ type: string }>).map((p) => p.type);
    };

    it('v3 names the dropped-call permission ResetDialerDCP, v4 ResetAbandonCallRate', async () => {
      const v3 = await permissions('v3');
      const v4 = await permissions('v4');
      expect(v3).toContain('CampaignManagementResetDialerDCP');
      expect(v3).not.toContain('CampaignManagementResetAbandonCallRate');
      expect(v4).toContain('CampaignManagementResetAbandonCallRate');
      expect(v4).not.toContain('CampaignManagementResetDialerDCP');
    });
  });

  it('an input value the chosen version lacks is refused before sending, naming the versions that have it', () => {
    const schema = { type: 'object', properties: { operationType: { $ref: 'apiOperationType.json' } } };
    const action = { ...manifest.action('Get Call Counters State'), input: schema } as never;
    let err: unknown;
    try {
      manifest.checkVersion(action, 'default', { operationType: 'VIVRCreateSession' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Five9InputError);
    expect((err as Five9InputError).issues).toEqual([
      { field: '/operationType', rule: 'x-enumVersions', message: '/operationType value VIVRCreateSession is not in API version default; it exists from v3 on' },
    ]);
    expect(() => manifest.checkVersion(action, 'v3', { operationType: 'VIVRCreateSession' })).not.toThrow();
  });
});
