/**
 * The shipped sample enterprise (issue 2, dialplans/): validates clean and builds the Directory the
 * docs and other tests rely on.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { buildDirectory, lineKey, type Directory } from '../../../../src/core/index.js';
import { formatDialplanError, loadDialplan, type LoadDialplanResult } from '../../../../src/adapters/dialplan-files/index.js';

const SIP_PHONES: Record<string, string> = {
  SEP000000001001: '1001', SEP000000001002: '1002', SEP000000001003: '1003',
  SEP000000001004: '1004', SEP000000001005: '1005', SEP000000001006: '1006',
  SEP000000001009: '1009', SEP000000002001: '2001', SEP000000002002: '2002',
  SEP000000003001: '3001',
};

function mustLoad(r: LoadDialplanResult) {
  if (!r.ok) assert.fail(r.errors.map(formatDialplanError).join('\n'));
  return r;
}

describe('sample dialplan (dialplans/)', () => {
  let dir: Directory;
  let loaded: Extract<LoadDialplanResult, { ok: true }>;
  before(async () => {
    loaded = mustLoad(await loadDialplan('dialplans'));
    dir = buildDirectory(loaded.parts);
  });

  it('validates clean with the default ports', () => {
    assert.equal(loaded.settings.sipPort, 5060);
    assert.equal(loaded.settings.sccpPort, 2000);
    assert.equal(loaded.settings.axlPort, 8443);
    // issue 4: the sample is a line-side server over UDP, TCP, TLS and WS
    assert.deepEqual(loaded.settings.sipTransports, ['udp', 'tcp', 'tls', 'ws']);
    assert.equal(loaded.settings.sipTlsPort, 5061);
    assert.equal(loaded.settings.wsPort, 8088);
    assert.ok(loaded.files.some((f) => f.endsWith('phones.yaml')));
  });

  it('has the enterprise parameters', () => {
    assert.equal(dir.params.domain, 'acme.test');
    assert.equal(dir.params.impPublishTrunk, null);
    assert.equal(dir.params.interPresenceGroupPolicy, 'allow');
  });

  it('has the partitions and CSSs in search order', () => {
    assert.deepEqual([...dir.partitions.keys()].sort(), ['Exec_PT', 'Internal_PT', 'Trunk_PT']);
    assert.deepEqual(dir.callingSearchSpaces.get('Internal_CSS')?.partitions, ['Internal_PT', 'Exec_PT', 'Trunk_PT']);
    assert.deepEqual(dir.callingSearchSpaces.get('Restricted_CSS')?.partitions, ['Internal_PT']);
  });

  it('has the presence groups with Contractors → Executives Disallowed', () => {
    assert.ok(dir.presenceGroups.has('Standard Presence Group'));
    assert.equal(dir.presenceGroups.get('Contractors')?.permissions.get('Executives'), 'disallow');
    assert.equal(dir.presenceGroups.get('Executives')?.permissions.size, 0);
  });

  it('has every SIP phone with its first DN and sample password', () => {
    for (const [name, dn] of Object.entries(SIP_PHONES)) {
      const d = dir.devices.get(name);
      assert.ok(d, name);
      assert.equal(d.protocol, 'sip');
      assert.equal(d.lines[0]?.dn, dn);
      assert.equal(d.digestPassword, `secret${dn}`);
      assert.equal(d.presenceGroup, dn.startsWith('2') ? 'Executives' : dn.startsWith('3') ? 'Contractors' : 'Standard Presence Group');
    }
  });

  it('has the SCCP phones on 1007/1008 without a URI speed dial', () => {
    for (const [name, dn] of [['SEP00000000C007', '1007'], ['SEP00000000C008', '1008']] as const) {
      const d = dir.devices.get(name);
      assert.equal(d?.protocol, 'sccp');
      assert.match(d?.model ?? '', /79(60|75)/);
      assert.equal(d?.lines[0]?.dn, dn);
    }
  });

  it('shares 2001 as line 2 on the assistant phone, with a BLF speed dial to it', () => {
    const appearances = dir.appearancesByLine.get(lineKey('2001', 'Exec_PT'));
    assert.deepEqual(appearances, [
      { device: 'SEP000000001005', index: 2 },
      { device: 'SEP000000002001', index: 1 },
    ]);
    const blf = dir.devices.get('SEP000000001005')?.blfSpeedDials[0];
    assert.deepEqual(blf?.target, { kind: 'dn', dn: '2001', partition: null });
    assert.deepEqual(dir.devices.get('SEP000000003001')?.blfSpeedDials[0]?.target, { kind: 'dn', dn: '2001', partition: null });
  });

  it('gives 1006 Restricted_CSS and 1009 no SUBSCRIBE CSS', () => {
    assert.equal(dir.devices.get('SEP000000001006')?.subscribeCss, 'Restricted_CSS');
    assert.equal(dir.devices.get('SEP000000001009')?.subscribeCss, null);
    assert.equal(dir.devices.get('SEP000000001001')?.subscribeCss, 'Internal_CSS');
  });

  it('puts executive lines in Exec_PT / Executives and 3001 in Contractors', () => {
    assert.equal(dir.lines.get(lineKey('2001', 'Exec_PT'))?.presenceGroup, 'Executives');
    assert.equal(dir.lines.get(lineKey('2002', 'Exec_PT'))?.presenceGroup, 'Executives');
    assert.equal(dir.lines.get(lineKey('3001', 'Internal_PT'))?.presenceGroup, 'Contractors');
    assert.equal(dir.linesByDn.get('2001')?.length, 1);
  });

  it('routes 8XXX to cluster-b and partner.test to partner', () => {
    assert.deepEqual(dir.routePatterns.map((r) => [r.pattern, r.partition, r.trunk]), [['8XXX', 'Trunk_PT', 'cluster-b']]);
    assert.deepEqual(dir.sipRoutePatterns.map((r) => [r.domain, r.partition, r.trunk]), [['partner.test', 'Trunk_PT', 'partner']]);
    assert.deepEqual([...dir.trunks.keys()].sort(), ['cluster-b', 'imp', 'partner']);
  });

  it('makes each user own and control a phone, associated with its line appearance', () => {
    assert.deepEqual(dir.users.get('victor')?.devices, ['SEP000000002001']);
    assert.deepEqual(dir.appearanceUsers.get('victor'), [{ device: 'SEP000000002001', index: 1 }]);
    assert.equal(dir.users.size, 12);
    for (const u of dir.users.values()) assert.ok(dir.appearanceUsers.has(u.id), u.id);
  });

  it('records the file and line every object came from', () => {
    const origin = dir.devices.get('SEP000000001005')?.origin;
    assert.equal(origin?.kind, 'file');
    if (origin?.kind !== 'file') return;
    assert.ok(origin.file.endsWith('phones.yaml'));
    const lines = readFileSync(origin.file, 'utf8').split('\n');
    assert.match(lines[origin.line - 1] ?? '', /name: SEP000000001005/);
  });

  it('still validates with the IMP PUBLISH Trunk switched on (every user has a line)', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'blfgw-sample-'));
    try {
      cpSync('dialplans', tmp, { recursive: true });
      const service = readFileSync(join(tmp, 'service.yaml'), 'utf8');
      writeFileSync(join(tmp, 'service.yaml'), service.replace('impPublishTrunk: null', 'impPublishTrunk: imp'));
      const r = mustLoad(await loadDialplan(tmp));
      assert.equal(buildDirectory(r.parts).params.impPublishTrunk, 'imp');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('ships a draft-07 schema with described top-level keys', () => {
    const schema = JSON.parse(readFileSync('dialplans/schema.json', 'utf8')) as {
      $schema: string;
      properties: Record<string, { description?: string }>;
    };
    assert.match(schema.$schema, /draft-07/);
    for (const [key, value] of Object.entries(schema.properties)) assert.ok(value.description, key);
  });
});
