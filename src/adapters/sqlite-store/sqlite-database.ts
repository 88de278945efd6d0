/**
 * Opens the gateway's SQLite database: WAL journal (file databases), foreign keys on, busy timeout,
 * migrations applied.
 */
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

export type SqliteDatabase = Database.Database;

export interface OpenSqliteOptions {
  /** apply migrations up to this version only (tests of the migration path); default latest */
  readonly schemaVersion?: number;
}

/** Opens (creating when missing) and migrates the database at `file` (`:memory:` allowed). */
export function openSqliteDatabase(file: string, opts: OpenSqliteOptions = {}): SqliteDatabase {
  const db = new Database(file);
  if (file !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, opts.schemaVersion);
  return db;
}
