/** SQLite adapter: migrations on a temp file, WAL, persistence across reopen, runtime store. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SCHEMA_VERSION,
  SqliteRuntimeStore,
  createSqliteDirectoryStore,
  openSqliteDatabase,
  readSchemaVersion,
} from '../../../../src/adapters/sqlite-store/index.js';

function withTempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'blfgw-store-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a version-1 database migrates to the current schema and keeps its data', () => {
  withTempDir((dir) => {
    const file = join(dir, 'gw.db');
    const v1 = openSqliteDatabase(file, { schemaVersion: 1 });
    assert.equal(readSchemaVersion(v1), 1);
    assert.equal(v1.pragma('journal_mode', { simple: true }), 'wal');
    const store = createSqliteDirectoryStore(v1);
    assert.ok(store.add('partition', { name: 'Internal_PT' }).ok);
    assert.throws(() => v1.prepare('SELECT * FROM subscriptions').all(), /no such table/);
    const queueId = store.listChanges(0).queueId;
    v1.close();
    const db = openSqliteDatabase(file);
    assert.equal(readSchemaVersion(db), SCHEMA_VERSION);
    assert.ok(SCHEMA_VERSION >= 2);
    const again = createSqliteDirectoryStore(db);
    assert.ok(again.get('partition', { key: 'Internal_PT' }).ok);
    assert.equal(again.listChanges(0).changes.length, 1);
    assert.equal(again.listChanges(0).queueId, queueId, 'queue id survives reopen');
    db.close();
  });
});

test('runtime store saves, bulk-saves, loads and deletes subscriptions and publications', () => {
  withTempDir((dir) => {
    const file = join(dir, 'gw.db');
    let db = openSqliteDatabase(file);
    let rt = new SqliteRuntimeStore(db);
    rt.saveSubscriptions([
      { id: 'a', record: { dn: '1001', version: 3 }, updatedAt: 1000 },
      { id: 'b', record: { dn: '1002', version: 0 }, updatedAt: 1000 },
    ]);
    rt.saveSubscription({ id: 'a', record: { dn: '1001', version: 4 }, updatedAt: 2000 });
    rt.savePublication({ key: 'sip:1001@acme.test;presence', etag: 'e1', expiresAt: 5000, record: { body: 'x' }, updatedAt: 1 });
    rt.savePublication({ key: 'sip:1002@acme.test;presence', etag: 'e2', expiresAt: 9000, record: {}, updatedAt: 1 });
    db.close();
    db = openSqliteDatabase(file);
    rt = new SqliteRuntimeStore(db);
    assert.deepEqual(rt.loadSubscriptions(), [
      { id: 'a', record: { dn: '1001', version: 4 }, updatedAt: 2000 },
      { id: 'b', record: { dn: '1002', version: 0 }, updatedAt: 1000 },
    ]);
    assert.equal(rt.deleteSubscription('b'), true);
    assert.equal(rt.deleteSubscription('b'), false);
    assert.equal(rt.deleteExpiredPublications(6000), 1);
    assert.deepEqual(rt.loadPublications().map((p) => p.etag), ['e2']);
    assert.throws(() => rt.saveSubscriptions([{ id: 'c', record: {}, updatedAt: 1 }, { id: 'd', record: undefined, updatedAt: 1 }]));
    assert.deepEqual(rt.loadSubscriptions().map((s) => s.id), ['a'], 'a failed bulk save writes nothing');
    db.close();
  });
});

test('a file database keeps a 2 MB page cache (better-sqlite3 builds SQLite with 16 MB), in WAL mode', () => {
  withTempDir((dir) => {
    const db = openSqliteDatabase(join(dir, 'cache.db'));
    try {
      assert.deepEqual(db.pragma('cache_size'), [{ cache_size: -2000 }]);
      assert.deepEqual(db.pragma('journal_mode'), [{ journal_mode: 'wal' }]);
    } finally {
      db.close();
    }
  });
});
