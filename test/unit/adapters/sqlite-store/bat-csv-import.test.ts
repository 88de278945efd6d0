/** BAT-style CSV import: documented columns, per-row error report, bad rows never half-apply. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createSqliteDirectoryStore,
  importPhonesCsv,
  importUsersCsv,
  openSqliteDatabase,
  parseCsv,
} from '../../../../src/adapters/sqlite-store/index.js';
import { buildDirectory } from '../../../../src/core/index.js';

function freshStore() {
  const store = createSqliteDirectoryStore(openSqliteDatabase(':memory:'));
  assert.ok(store.add('partition', { name: 'Internal_PT' }).ok);
  assert.ok(store.add('css', { name: 'Internal_CSS', members: ['Internal_PT'] }).ok);
  return store;
}

test('parseCsv handles quotes, escaped quotes, CRLF and multi-line cells', () => {
  const rows = parseCsv('a,b\r\n"x, y","say ""hi"""\r\n"two\nlines",z\n\n');
  assert.deepEqual(rows.map((r) => r.cells), [['a', 'b'], ['x, y', 'say "hi"'], ['two\nlines', 'z']]);
  assert.deepEqual(rows.map((r) => r.line), [1, 2, 3]);
  assert.throws(() => parseCsv('a\n"open'), /unterminated/);
});

test('phones.csv: lines, partitions, BLF speed dials; bad rows are reported and leave nothing behind', () => {
  const store = freshStore();
  const csv = [
    'name,protocol,subscribeCallingSearchSpaceName,line1,line1Partition,line1Label,line2,line2Partition,blf1,blf1Partition,blf1Label,blf2',
    'SEP000000001001,SIP,Internal_CSS,1001,Internal_PT,Alice,,,1002,Internal_PT,Bob,bob@partner.test',
    'SEP000000001002,SIP,Internal_CSS,1002,Internal_PT,Bob,2001,Nope_PT,,,,',
    'SEP00000000C007,SCCP,,1007,Internal_PT,,,,,,,sip:x@partner.test',
    'SEP000000001003,H323,,1003,Internal_PT,,,,,,,',
    'SEP000000001002,SIP,Internal_CSS,1002,Internal_PT,Bob,,,,,,',
  ].join('\n');
  const progress: number[] = [];
  const report = importPhonesCsv(store, csv, (done) => progress.push(done), { batchSize: 2 });
  assert.equal(report.total, 5);
  assert.equal(report.added, 2);
  assert.deepEqual(report.errors.map((e) => [e.line, e.key]), [[3, 'SEP000000001002'], [4, 'SEP00000000C007'], [5, 'SEP000000001003']]);
  assert.match(report.errors[0]!.message, /Nope_PT/);
  assert.match(report.errors[1]!.message, /SCCP/);
  assert.deepEqual(progress, [2, 4, 5]);
  assert.equal(store.get('line', { key: '2001/Nope_PT' }).ok, false);
  assert.equal(store.get('line', { key: '1007/Internal_PT' }).ok, false, 'the refused SCCP row created no line');
  const dir = buildDirectory(store.loadParts());
  const dev = dir.devices.get('SEP000000001001')!;
  assert.deepEqual(dev.lines.map((l) => [l.index, l.dn, l.partition, l.label]), [[1, '1001', 'Internal_PT', 'Alice']]);
  assert.deepEqual(dev.blfSpeedDials.map((b) => b.target), [
    { kind: 'dn', dn: '1002', partition: 'Internal_PT' },
    { kind: 'uri', uri: 'bob@partner.test' },
  ]);
  assert.equal(dir.devices.get('SEP000000001002')!.lines[0]!.dn, '1002');
});

test('users.csv: associated devices, references checked, unknown columns refused', () => {
  const store = freshStore();
  assert.ok(importPhonesCsv(store, 'name,protocol,line1,line1Partition\nSEP1,SIP,1001,Internal_PT\n').added === 1);
  const csv = [
    'userid,firstName,lastName,department,subscribeCallingSearchSpaceName,associatedDevices',
    'alice,Alice,Liddell,Sales,Internal_CSS,SEP1',
    'bob,Bob,,Sales,,',
    'carol,Carol,King,,Missing_CSS,',
    'dave,Dave,Doe,,,SEP1;SEP9',
    '"eve","Eve","Adams, Jr.",Ops,,',
  ].join('\r\n');
  const report = importUsersCsv(store, csv);
  assert.equal(report.added, 2);
  assert.deepEqual(report.errors.map((e) => e.key), ['bob', 'carol', 'dave']);
  assert.match(report.errors[0]!.message, /lastName/);
  assert.match(report.errors[2]!.message, /SEP9/);
  const eve = store.get('user', { key: 'eve' });
  assert.ok(eve.ok && eve.value.lastName === 'Adams, Jr.');
  const alice = store.get('user', { key: 'alice' });
  assert.ok(alice.ok && alice.value.associatedDevices[0] === 'SEP1');
  const bad = importUsersCsv(store, 'userid,lastName,shoeSize\nzed,Z,44\n');
  assert.equal(bad.added, 0);
  assert.match(bad.errors[0]!.message, /unknown column\(s\): shoeSize/);
  assert.equal(store.get('user', { key: 'zed' }).ok, false);
});
