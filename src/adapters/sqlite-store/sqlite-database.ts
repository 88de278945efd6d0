/**
 * Opens the gateway's SQLite database: WAL journal (file databases), foreign keys on, busy timeout,
 * migrations applied.
 *
 * Rule 1: a file database keeps SQLite's stock page cache of 2 MB. better-sqlite3 builds SQLite with
 *         16 MB, which a gateway filled within its first 100,000 stored subscriptions (160 bytes per
 *         subscription of the memory budget); the runtime store appends in id order (time-ordered
 *         ids), so its writes touch the B-tree's right edge, and the OS caches the file anyway.
 *         An in-memory database is all cache, so it is left alone.
 */
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

export type SqliteDatabase = Database.Database;

/** Rule 1: page cache of a file database, KiB (SQLite's own default) */
export const FILE_CACHE_KIB = 2000;

export interface OpenSqliteOptions {
  /** apply migrations up to this version only (tests of the migration path); default latest */
  readonly schemaVersion?: number;
}

/** Opens (creating when missing) and migrates the database at `file` (`:memory:` allowed). */
export function openSqliteDatabase(file: string, opts: OpenSqliteOptions = {}): SqliteDatabase {
  const db = new Database(file);
  if (file !== ':memory:') {
    db.pragma('journal_mode = WAL');
    db.pragma(`cache_size = ${-FILE_CACHE_KIB}`);
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, opts.schemaVersion);
  return db;
}
