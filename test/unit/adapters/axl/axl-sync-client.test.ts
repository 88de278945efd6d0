/** AXL sync between two facades in one process: full pull keeps uuids, then listChange is followed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDirectory } from '../../../../src/core/index.js';
import { createMemoryDirectoryStore } from '../../../../src/core/ports/index.js';
import { createSqliteDirectoryStore, openSqliteDatabase } from '../../../../src/adapters/sqlite-store/index.js';
import { startAxlServer, syncFromAxl } from '../../../../src/adapters/axl/index.js';

test('syncFromAxl pulls partitions, CSSs, lines, phones and users, then follows changes', { timeout: 300_000 }, async () => {
  const remote = createMemoryDirectoryStore();
  assert.ok(remote.add('partition', { name: 'Internal_PT' }).ok);
  assert.ok(remote.add('css', { name: 'Internal_CSS', members: ['Internal_PT'] }).ok);
  const phone = remote.add('phone', {
    name: 'SEP1', product: 'Cisco 8845', protocol: 'sip', callingSearchSpaceName: null, subscribeCallingSearchSpaceName: 'Internal_CSS',
    presenceGroupName: null, ownerUserName: null,
    lines: [{ index: 1, pattern: '1001', routePartitionName: 'Internal_PT', maxNumCalls: 2, busyTrigger: 1, associatedEndusers: [] }],
    busyLampFields: [{ index: 1, blfDirn: '1002', routePartition: 'Internal_PT', label: 'Bob', pickup: true }],
  });
  assert.ok(phone.ok);
  for (let i = 0; i < 7; i++) assert.ok(remote.add('user', { userid: `u${i}`, lastName: `L${i}`, presenceGroupName: null, subscribeCallingSearchSpaceName: null, associatedDevices: i === 0 ? ['SEP1'] : [] }).ok);
  const server = await startAxlServer({ store: remote, getDirectory: () => buildDirectory(remote.loadParts()), users: [{ username: 'sync', password: 'pw' }], port: 0, host: '127.0.0.1', tls: false });
  const local = createSqliteDirectoryStore(openSqliteDatabase(':memory:'));
  let rebuilt = 0;
  try {
    await assert.rejects(syncFromAxl({ url: server.url, user: 'sync', password: 'bad', store: local }), /401/);
    const handle = await syncFromAxl({ url: server.url, user: 'sync', password: 'pw', store: local, pageSize: 3, onChanged: () => rebuilt++ });
    assert.equal(handle.pulled, 1 + 1 + 1 + 1 + 7);
    const got = local.get('phone', { uuid: phone.value.uuid });
    assert.ok(got.ok, 'phone kept its remote uuid');
    assert.deepEqual(JSON.parse(JSON.stringify(got.value.busyLampFields)), [{ index: 1, label: 'Bob', blfDirn: '1002', routePartition: 'Internal_PT', pickup: true }]);
    const u0 = local.get('user', { key: 'u0' });
    assert.ok(u0.ok && u0.value.associatedDevices[0] === 'SEP1');

    assert.ok(remote.update('user', { key: 'u1' }, { firstName: 'Una' }).ok);
    assert.ok(remote.remove('user', { key: 'u2' }).ok);
    assert.ok(remote.add('user', { userid: 'new', lastName: 'N', presenceGroupName: null, subscribeCallingSearchSpaceName: null, associatedDevices: [] }).ok);
    assert.equal(await handle.pollNow(), 3);
    const u1 = local.get('user', { key: 'u1' });
    assert.ok(u1.ok && u1.value.firstName === 'Una');
    assert.equal(local.get('user', { key: 'u2' }).ok, false);
    assert.ok(local.get('user', { key: 'new' }).ok);
    assert.equal(await handle.pollNow(), 0);
    assert.ok(rebuilt >= 2);
    handle.stop();
  } finally {
    await server.close();
  }
});
