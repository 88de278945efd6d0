/**
 * Contract suite for the DirectoryStore port: the same cases run against every implementation
 * (in-memory, better-sqlite3 `:memory:`), as style.md §10 asks.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildDirectory } from '../../src/core/index.js';
import {
  createMemoryDirectoryStore,
  type DirectoryStore,
  type NewRecord,
} from '../../src/core/ports/index.js';
import { createSqliteDirectoryStore, openSqliteDatabase } from '../../src/adapters/sqlite-store/index.js';

const implementations: [string, () => DirectoryStore][] = [
  ['memory', () => createMemoryDirectoryStore()],
  ['sqlite :memory:', () => createSqliteDirectoryStore(openSqliteDatabase(':memory:'))],
];

const GUID = /^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/;

function phone(name: string, dn: string, extra: Partial<NewRecord<'phone'>> = {}): NewRecord<'phone'> {
  return {
    name,
    product: 'Cisco 8845',
    protocol: 'sip',
    callingSearchSpaceName: null,
    subscribeCallingSearchSpaceName: null,
    presenceGroupName: null,
    ownerUserName: null,
    lines: [{ index: 1, pattern: dn, routePartitionName: 'Internal_PT', maxNumCalls: 2, busyTrigger: 1, associatedEndusers: [] }],
    busyLampFields: [],
    ...extra,
  };
}

function user(userid: string, extra: Partial<NewRecord<'user'>> = {}): NewRecord<'user'> {
  return { userid, lastName: `Last ${userid}`, presenceGroupName: null, subscribeCallingSearchSpaceName: null, associatedDevices: [], ...extra };
}

function seed(store: DirectoryStore): void {
  assert.ok(store.add('partition', { name: 'Internal_PT', description: 'internal DNs' }).ok);
  assert.ok(store.add('css', { name: 'Internal_CSS', members: ['Internal_PT'] }).ok);
}

for (const [name, make] of implementations) {
  describe(`DirectoryStore contract: ${name}`, () => {
    test('add assigns an AXL uuid and get finds the record by key and by uuid', () => {
      const store = make();
      seed(store);
      const added = store.add('user', user('alice', { firstName: 'Alice' }));
      assert.ok(added.ok);
      assert.match(added.value.uuid, GUID);
      const byKey = store.get('user', { key: 'alice' });
      assert.ok(byKey.ok && byKey.value.firstName === 'Alice');
      const byUuid = store.get('user', { uuid: added.value.uuid.toLowerCase().slice(1, -1) });
      assert.ok(byUuid.ok && byUuid.value.userid === 'alice');
    });

    test('errors are values with AXL codes: not-found 5007, duplicate -239, invalid-reference 5007', () => {
      const store = make();
      seed(store);
      const missing = store.get('user', { key: 'nobody' });
      assert.ok(!missing.ok);
      assert.equal(missing.error.code, 'not-found');
      assert.equal(missing.error.axlCode, 5007);
      assert.match(missing.error.message, /The specified User was not found/);
      assert.ok(store.add('partition', { name: 'Exec_PT' }).ok);
      const dup = store.add('partition', { name: 'Exec_PT' });
      assert.ok(!dup.ok && dup.error.code === 'duplicate' && dup.error.axlCode === -239);
      const badRef = store.add('css', { name: 'Bad_CSS', members: ['Nope_PT'] });
      assert.ok(!badRef.ok && badRef.error.code === 'invalid-reference');
      assert.match(badRef.error.message, /Nope_PT/);
    });

    test('external names (dialplan files) satisfy references', () => {
      const store = make();
      const external = (kind: string, key: string) => kind === 'partition' && key === 'File_PT';
      assert.ok(!store.add('css', { name: 'C', members: ['File_PT'] }).ok);
      assert.ok(store.add('css', { name: 'C', members: ['File_PT'] }, { external }).ok);
    });

    test('a phone creates the lines its appearances name; loadParts maps to the directory model', () => {
      const store = make();
      seed(store);
      const p = store.add(
        'phone',
        phone('SEP000000000001', '1001', {
          subscribeCallingSearchSpaceName: 'Internal_CSS',
          busyLampFields: [
            { index: 1, blfDirn: '1002', routePartition: 'Internal_PT', label: 'Bob', pickup: true },
            { index: 2, blfDest: 'carol@partner.test', pickup: false },
          ],
        }),
      );
      assert.ok(p.ok, !p.ok ? p.error.message : '');
      assert.ok(store.get('line', { key: '1001/Internal_PT' }).ok);
      assert.ok(store.add('user', user('alice', { associatedDevices: ['SEP000000000001'] })).ok);
      const dir = buildDirectory(store.loadParts());
      const dev = dir.devices.get('SEP000000000001')!;
      assert.deepEqual(dev.origin, { kind: 'store' });
      assert.equal(dev.protocol, 'sip');
      assert.equal(dev.subscribeCss, 'Internal_CSS');
      assert.equal(dev.presenceGroup, 'Standard Presence Group');
      assert.deepEqual(dev.blfSpeedDials[0]!.target, { kind: 'dn', dn: '1002', partition: 'Internal_PT' });
      assert.deepEqual(dev.blfSpeedDials[1]!.target, { kind: 'uri', uri: 'carol@partner.test' });
      assert.deepEqual(dir.users.get('alice')!.devices, ['SEP000000000001']);
      assert.deepEqual(dir.appearancesByLine.get('1001/Internal_PT'), [{ device: 'SEP000000000001', index: 1 }]);
      assert.deepEqual(dir.callingSearchSpaces.get('Internal_CSS')!.partitions, ['Internal_PT']);
    });

    test('SCCP phones cannot have a BLF speed dial to a SIP URI', () => {
      const store = make();
      seed(store);
      const r = store.add('phone', phone('SEP00000000C001', '1007', { protocol: 'sccp', busyLampFields: [{ index: 1, blfDest: 'sip:x@y', pickup: false }] }));
      assert.ok(!r.ok && r.error.code === 'invalid-value');
      assert.ok(!store.get('line', { key: '1007/Internal_PT' }).ok, 'a refused phone creates no line');
    });

    test('list: LIKE wildcards, case-insensitive, ordered by key, skip only with first', () => {
      const store = make();
      for (const id of ['carol', 'alice', 'bob', 'alan', 'Albert']) assert.ok(store.add('user', user(id, { department: id.length > 4 ? 'Sales' : undefined })).ok);
      assert.deepEqual(store.list('user', { where: { userid: '%' } }).map((u) => u.userid), ['Albert', 'alan', 'alice', 'bob', 'carol']);
      assert.deepEqual(store.list('user', { where: { userid: 'al%' } }).map((u) => u.userid), ['Albert', 'alan', 'alice']);
      assert.deepEqual(store.list('user', { where: { userid: 'b_b' } }).map((u) => u.userid), ['bob']);
      assert.deepEqual(store.list('user', { where: { department: 'sales' } }).map((u) => u.userid), ['Albert', 'alice', 'carol']);
      assert.deepEqual(store.list('user', { where: { userid: '%' }, skip: 1, first: 2 }).map((u) => u.userid), ['alan', 'alice']);
      assert.equal(store.list('user', { skip: 3 }).length, 5);
      assert.equal(store.count('user', { where: { userid: 'a%' } }), 3);
    });

    test('update merges, renames, replaces lists, and keeps the uuid', () => {
      const store = make();
      seed(store);
      const a = store.add('user', user('alice'));
      assert.ok(a.ok);
      const u = store.update('user', { key: 'alice' }, { userid: 'alice2', firstName: 'Al', subscribeCallingSearchSpaceName: 'Internal_CSS' });
      assert.ok(u.ok);
      assert.equal(u.value.uuid, a.value.uuid);
      assert.ok(!store.get('user', { key: 'alice' }).ok);
      const got = store.get('user', { uuid: a.value.uuid });
      assert.ok(got.ok && got.value.userid === 'alice2' && got.value.lastName === 'Last alice');
      const bad = store.update('user', { key: 'alice2' }, { subscribeCallingSearchSpaceName: 'Nope' });
      assert.ok(!bad.ok && bad.error.code === 'invalid-reference');
      assert.equal(store.update('user', { key: 'ghost' }, {}).ok, false);
    });

    test('remove: in-use objects are refused, phones cascade off users', () => {
      const store = make();
      seed(store);
      assert.ok(store.add('phone', phone('SEP1', '1001')).ok);
      assert.ok(store.add('user', user('alice', { associatedDevices: ['SEP1'] })).ok);
      const busy = store.remove('partition', { key: 'Internal_PT' });
      assert.ok(!busy.ok && busy.error.code === 'in-use' && busy.error.axlCode === -547);
      const lineBusy = store.remove('line', { key: '1001/Internal_PT' });
      assert.ok(!lineBusy.ok && lineBusy.error.code === 'in-use');
      assert.ok(store.remove('phone', { key: 'SEP1' }).ok);
      const alice = store.get('user', { key: 'alice' });
      assert.ok(alice.ok && alice.value.associatedDevices.length === 0);
      assert.ok(store.remove('line', { key: '1001/Internal_PT' }).ok);
      assert.ok(store.remove('css', { key: 'Internal_CSS' }).ok);
      assert.ok(store.remove('partition', { key: 'Internal_PT' }).ok);
      assert.equal(store.remove('partition', { key: 'Internal_PT' }).ok, false);
    });

    test('change log: one entry per object and action, filtered by type and cursor', () => {
      const store = make();
      seed(store);
      assert.ok(store.add('phone', phone('SEP1', '1001')).ok);
      assert.ok(store.update('phone', { key: 'SEP1' }, { description: 'front desk' }).ok);
      assert.ok(store.remove('phone', { key: 'SEP1' }).ok);
      const all = store.listChanges(0);
      assert.deepEqual(
        all.changes.map((c) => `${c.type}:${c.action}:${c.key}`),
        ['RoutePartition:a:Internal_PT', 'Css:a:Internal_CSS', 'Line:a:1001/Internal_PT', 'Phone:a:SEP1', 'Phone:u:SEP1', 'Phone:r:SEP1'],
      );
      assert.equal(all.lastChangeId, all.changes[5]!.id);
      const phones = store.listChanges(all.changes[3]!.id, ['Phone']);
      assert.deepEqual(phones.changes.map((c) => c.action), ['u', 'r']);
      assert.equal(store.listChanges(0, undefined, 2).changes.length, 2);
      assert.equal(typeof all.queueId, 'string');
    });

    test('transaction: a throw undoes every write and its change log entries', () => {
      const store = make();
      seed(store);
      const before = store.listChanges(0).lastChangeId;
      assert.throws(() =>
        store.transaction(() => {
          assert.ok(store.add('phone', phone('SEP1', '1001')).ok);
          assert.ok(store.update('partition', { key: 'Internal_PT' }, { description: 'changed' }).ok);
          throw new Error('boom');
        }),
      );
      assert.equal(store.get('phone', { key: 'SEP1' }).ok, false);
      assert.equal(store.get('line', { key: '1001/Internal_PT' }).ok, false);
      const pt = store.get('partition', { key: 'Internal_PT' });
      assert.ok(pt.ok && pt.value.description === 'internal DNs');
      assert.equal(store.listChanges(0).lastChangeId, before);
    });
  });
}
