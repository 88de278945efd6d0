/**
 * Interop: the real `cisco-axl` client (Cisco's own AXL 14.0 WSDL, strong-soap) against our facade
 * over HTTPS with a self-signed certificate on 127.0.0.1:0 (axl-facts.md §12: endpoint overwritten
 * after construction, TLS verification off in this test process).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { createRequire } from 'node:module';
import { buildDirectory, type Directory } from '../../src/core/index.js';
import { createSqliteDirectoryStore, openSqliteDatabase } from '../../src/adapters/sqlite-store/index.js';
import { startAxlServer, type AxlServer } from '../../src/adapters/axl/index.js';

process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0';
const AxlService = createRequire(import.meta.url)('cisco-axl') as new (h: string, u: string, p: string, v: string) => {
  _OPTIONS: { endpoint: string };
  executeOperation(op: string, tags: object, opts?: object): Promise<any>;
};

const store = createSqliteDirectoryStore(openSqliteDatabase(':memory:'));
const fileDir = buildDirectory({ partitions: [{ name: 'File_PT', origin: { kind: 'file', file: 'dialplans/acme.yaml', line: 7 } }] });
let directory: Directory = fileDir;
let changes = 0;
let server: AxlServer;

function client(password = 'secret') {
  const c = new AxlService('127.0.0.1', 'axladmin', password, '14.0');
  c._OPTIONS.endpoint = server.url;
  return c;
}

function post(body: string, auth = 'axladmin:secret'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      server.url,
      {
        method: 'POST',
        rejectUnauthorized: false,
        headers: { 'content-type': 'text/xml', authorization: `Basic ${Buffer.from(auth).toString('base64')}`, soapaction: '"CUCM:DB ver=14.0 getUser"' },
      },
      (res) => {
        let data = '';
        res.on('data', (c) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

before(async () => {
  server = await startAxlServer({
    store,
    getDirectory: () => directory,
    onChanged: () => {
      changes++;
      const parts = store.loadParts();
      directory = buildDirectory({ ...parts, partitions: [...(parts.partitions ?? []), ...fileDir.partitions.values()] }, changes + 1);
    },
    users: [{ username: 'axladmin', password: 'secret' }],
    port: 0,
    host: '127.0.0.1',
  });
});
after(() => server.close());

test('cisco-axl builds a directory: partition, CSS, line, SIP phone with BLF, user with devices', { timeout: 1_200_000 }, async () => {
  const axl = client();
  const version = await axl.executeOperation('getCCMVersion', {});
  assert.match(version.componentVersion.version, /^14\./);
  const pt = await axl.executeOperation('addRoutePartition', { routePartition: { name: 'Internal_PT', description: 'internal' } });
  assert.match(pt, /^\{[0-9A-F-]{36}\}$/);
  await axl.executeOperation('addCss', { css: { name: 'Internal_CSS', members: { member: [{ routePartitionName: 'Internal_PT', index: 1 }, { routePartitionName: 'File_PT', index: 2 }] } } });
  await axl.executeOperation('addLine', { line: { pattern: '1002', usage: 'Device', routePartitionName: 'Internal_PT' } });
  await axl.executeOperation('addPhone', {
    phone: {
      name: 'SEP000000001001', product: 'Cisco 8845', class: 'Phone', protocol: 'SIP', protocolSide: 'User',
      devicePoolName: 'Default', subscribeCallingSearchSpaceName: 'Internal_CSS',
      lines: { line: [{ index: 1, dirn: { pattern: '1001', routePartitionName: 'Internal_PT' } }] },
      busyLampFields: { busyLampField: [{ blfDest: '', blfDirn: '1002', routePartition: 'Internal_PT', label: 'Bob', index: 1 }] },
    },
  });
  await axl.executeOperation('addUser', { user: { userid: 'alice', firstName: 'Alice', lastName: 'Liddell', presenceGroupName: 'Standard Presence Group', associatedDevices: { device: ['SEP000000001001'] } } });
  const dev = directory.devices.get('SEP000000001001');
  assert.ok(dev, 'onChanged rebuilt the directory with the phone');
  assert.deepEqual(dev.blfSpeedDials[0]!.target, { kind: 'dn', dn: '1002', partition: 'Internal_PT' });
  assert.equal(dev.subscribeCss, 'Internal_CSS');
  assert.deepEqual(directory.users.get('alice')!.devices, ['SEP000000001001']);

  const user = await axl.executeOperation('getUser', { userid: 'alice' });
  assert.equal(user.user.lastName, 'Liddell');
  assert.match(user.user.attributes.uuid, /^\{[0-9A-F-]{36}\}$/);
  const phone = await axl.executeOperation('getPhone', { name: 'SEP000000001001' });
  const blf = phone.phone.busyLampFields.busyLampField;
  assert.equal((Array.isArray(blf) ? blf[0] : blf).blfDirn, '1002');
});

test('cisco-axl lists with wildcards and paging, updates and removes', { timeout: 1_200_000 }, async () => {
  const axl = client();
  for (const id of ['bob', 'bert', 'carol']) await axl.executeOperation('addUser', { user: { userid: id, lastName: id.toUpperCase() } });
  const page = await axl.executeOperation('listUser', { searchCriteria: { userid: 'b%' }, returnedTags: { userid: '', lastName: '' }, skip: 1, first: 1 });
  const rows = [page.user].flat();
  assert.deepEqual(rows.map((u: any) => u.userid), ['bob']);
  const all = await axl.executeOperation('listUser', { searchCriteria: { userid: '%' }, returnedTags: { userid: '' } });
  assert.deepEqual([all.user].flat().map((u: any) => u.userid), ['alice', 'bert', 'bob', 'carol']);
  await axl.executeOperation('updateUser', { userid: 'bob', firstName: 'Robert', newUserid: 'robert' });
  const bob = await axl.executeOperation('getUser', { userid: 'robert' });
  assert.equal(bob.user.firstName, 'Robert');
  await axl.executeOperation('removeUser', { userid: 'robert' });
  assert.equal(store.get('user', { key: 'robert' }).ok, false);
});

test('faults: missing user 5007, file-owned partition read-only, wrong password 401', { timeout: 1_200_000 }, async () => {
  const axl = client();
  // cisco-axl rejects with the parsed Fault (axl-facts.md §12); strong-soap may hand its error first
  const faultOf = (e: any) => e?.detail ? e : e?.root?.Envelope?.Body?.Fault;
  await assert.rejects(axl.executeOperation('getUser', { userid: 'nobody' }), (e: any) => {
    const f = faultOf(e);
    assert.equal(String(f.detail.axlError.axlcode), '5007');
    assert.match(f.faultstring, /The specified User was not found/);
    return true;
  });
  await assert.rejects(axl.executeOperation('removeRoutePartition', { name: 'File_PT' }), (e: any) => {
    assert.match(faultOf(e).detail.axlError.axlmessage, /dialplans\/acme\.yaml:7/);
    return true;
  });
  const denied = await post('<x/>', 'axladmin:wrong');
  assert.equal(denied.status, 401);
  assert.equal(denied.body, '');
});

test('bad SOAP: malformed XML and unknown operation give clean faults and leave the store intact', { timeout: 300_000 }, async () => {
  const before = store.listChanges(0).lastChangeId;
  const malformed = await post('<soapenv:Envelope><oops');
  assert.equal(malformed.status, 500);
  assert.match(malformed.body, /<axlError><axlcode>-1<\/axlcode><axlmessage>malformed XML/);
  const env = (ver: string, op: string, inner: string) =>
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="http://www.cisco.com/AXL/API/${ver}"><soapenv:Body><ns:${op}>${inner}</ns:${op}></soapenv:Body></soapenv:Envelope>`;
  const unknown = await post(env('14.0', 'doDeviceReset', '<name>x</name>'));
  assert.equal(unknown.status, 500);
  assert.match(unknown.body, /<request>doDeviceReset<\/request>/);
  assert.equal(store.listChanges(0).lastChangeId, before);
  const v12 = await post(env('12.5', 'getUser', '<userid>alice</userid><returnedTags><lastName/></returnedTags>'));
  assert.equal(v12.status, 200);
  assert.match(v12.body, /xmlns:[a-z0-9]+="http:\/\/www\.cisco\.com\/AXL\/API\/12\.5"/);
  assert.match(v12.body, /<return><user uuid="\{[0-9A-F-]+\}"><lastName>Liddell<\/lastName><\/user><\/return>/);
});
